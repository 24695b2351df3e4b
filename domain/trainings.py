"""Trainings: `/tat trained` read into a Training, its defaults by sector, and the rules for logging
and undoing one. No Slack here."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain import coalitions, notices
from domain.bounds import echoed
from domain.sectors import Sector
from storage import progress

MAX_COUNT = 100_000
TRAINED_TEXT = 200   # characters of `/tat trained` words: "25 drivers TAT 2026-05-01" and then some
UNDO_FOR = timedelta(minutes=10)
USAGE = "/tat trained <count> [audience] [program] [date]"
AUDIENCES = ("drivers", "employees", "officers", "staff", "students")
PROGRAMS = {"tat": "TAT", "botl": "BOTL", "le": "LE", "cdl": "CDL", "other": "other"}
PROGRAM_LABELS = {   # each reads right after any audience: "25 employees completed TAT training"
    "TAT": "TAT training", "BOTL": "BOTL (Busing on the Lookout) training", "LE": "law enforcement training",
    "CDL": "CDL entry-level training", "other": "other training",
}
ONE_OF = {"staff": "staff member"}   # "1 staff member"; the others drop their "s": "1 driver"
# Who an organization of each sector usually trains, with which program.
DEFAULTS = {
    Sector.TRUCKING_COMPANY: ("drivers", "TAT"),
    Sector.BUS_COMPANY: ("drivers", "BOTL"),
    Sector.PUPIL_TRANSPORTATION: ("drivers", "BOTL"),
    Sector.TRUCK_STOP: ("employees", "TAT"),
    Sector.BUS_TERMINAL: ("employees", "TAT"),
    Sector.LAW_ENFORCEMENT: ("officers", "LE"),
    Sector.ATTORNEY_GENERAL: ("officers", "LE"),
}
OTHERWISE = ("staff", "TAT")
COUNT = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+$|^[0-9]+$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SINGULAR = {a[:-1]: a for a in AUDIENCES}   # "1 driver"


def people(count: int, audience: str) -> str:
    """"25 employees", "1 driver", "1 staff member", "3 staff"."""
    if count == 1:
        return f"1 {ONE_OF.get(audience, audience.removesuffix('s'))}"
    return f"{count:,} {audience}"


def completed(count: int, audience: str, program: str) -> str:
    """"25 employees completed TAT training": the audience and the program read together."""
    return f"{people(count, audience)} completed {PROGRAM_LABELS.get(program, PROGRAM_LABELS['other'])}"


class Usage(ValueError):
    """What was wrong with the words typed, as a sentence for the person."""


@dataclass(frozen=True)
class Training:
    count: int
    audience: str
    program: str
    on: date


def defaults_for(sector: str) -> tuple[str, str]:
    """The audience and program an organization of this sector trains unless it says otherwise."""
    try:
        return DEFAULTS.get(Sector(sector), OTHERWISE)
    except ValueError:
        return OTHERWISE


EARLIEST = date(2000, 1, 1)   # before TAT (2009) or any coalition: a typing slip, never a training


def parse_date(word: str, today: date) -> date:
    """YYYY-MM-DD, today or yesterday; never in the future. Raises Usage."""
    lowered = word[:10].lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    if len(word) > 10 or not ISO_DATE.match(lowered):
        raise Usage(f'"{echoed(word)}" is not a date I know: write it as YYYY-MM-DD (like {today.isoformat()}), '
                    "today or yesterday.")
    try:
        when = date.fromisoformat(lowered)
    except ValueError:
        raise Usage(f'"{echoed(word)}" is not a real date: write it as YYYY-MM-DD, like {today.isoformat()}.') from None
    if when > today:
        raise Usage(f"{when.isoformat()} is in the future: log a training once it has happened.")
    if when < EARLIEST:
        raise Usage(f"{when.isoformat()} is too long ago: give a date from {EARLIEST.isoformat()} on, "
                    f"like {today.isoformat()}.")
    return when


def parse_count(word: str) -> int:
    if len(word) > 12:   # 100,000,000,000 or more, or no count
        raise Usage(f"The count must be a whole number from 1 to {MAX_COUNT:,}.")
    if not COUNT.match(word):
        raise Usage(f'"{word}" is not a whole number of people.')
    count = int(word.replace(",", ""))
    if not 1 <= count <= MAX_COUNT:
        raise Usage(f"The count must be a whole number from 1 to {MAX_COUNT:,}; {count:,} is not.")
    return count


def parse_training(text: str, sector: str, today: date) -> Training:
    """`/tat trained` words, in any order and case: a count, and optionally an audience, a program and a date."""
    if len(text) > TRAINED_TEXT:
        raise Usage(f"That is more than I read for one training ({TRAINED_TEXT} characters at most).")
    found: dict[str, object] = {}
    for word in text.split():
        kind, value = _read_word(word, today)
        if kind in found:
            raise Usage(f'You gave the {kind} twice ("{echoed(word)}"): give it once.')
        found[kind] = value
    if "count" not in found:
        raise Usage("Please say how many people were trained, a whole number from 1 to 100,000.")
    audience, program = defaults_for(sector)
    return Training(count=found["count"], audience=found.get("audience", audience),
                    program=found.get("program", program), on=found.get("date", today))


def _read_word(word: str, today: date) -> tuple[str, object]:
    lowered = word.lower()
    if lowered in AUDIENCES or lowered in SINGULAR:
        return "audience", SINGULAR.get(lowered, lowered)
    if lowered in PROGRAMS:
        return "program", PROGRAMS[lowered]
    if re.fullmatch("[+-]?[0-9][0-9,]*", lowered):
        return "count", parse_count(lowered)
    if lowered in ("today", "yesterday") or ISO_DATE.match(lowered) or re.match(r"^[0-9]{1,4}[-/]", lowered):
        return "date", parse_date(word, today)
    raise Usage(f'I don\'t know "{echoed(word)}" here. Audiences: {", ".join(AUDIENCES)}; programs: '
                "TAT, BOTL, LE, CDL, other; dates: YYYY-MM-DD, today, yesterday.")


def may_undo(logged_by: str, created_at: datetime, user: str, now: datetime) -> str | None:
    """Why this person may not undo this training now, or None when they may."""
    if user != logged_by:
        return "Only the person who logged a training can undo it."
    if now - created_at > UNDO_FOR:
        return "It is too late to undo this training: Undo lasts 10 minutes. Ask a coalition admin to correct it."
    return None


def log_training(session, team: str, who, training: Training, at: datetime, by_form: bool = False):
    """Store a training; owe the coalition channel a celebration (unless the organization opted out)
    once Undo has run out, and, for the form, the person a note with Undo. Returns the stored row."""
    row = progress.add_training(session, team, who, training.count, training.audience, training.program,
                                training.on, at)
    channel = coalitions.coalition_channel(session, team, who.state)
    if channel and not progress.opted_out(session, team, who.state, who.organization):
        notices.queue(session, team, notices.TrainingCelebration(row.id, channel, row.token),
                      not_before=at + UNDO_FOR)
    if by_form:
        notices.queue(session, team, notices.TrainingLogged(row.id, who.slack_user_id, row.token))
    return row
