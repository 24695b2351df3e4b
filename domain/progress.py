"""A state coalition's phase-2 figures, the milestones it tracks, and the words of `/tat reported` and
`/tat hotline`. No Slack here."""
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain import coalitions
from domain.bounds import echoed
from domain.trainings import Usage, parse_date
from storage import progress

# The state milestones SPEC names, the six Iowa MVE model elements among them (DOMAIN.md): a label
# that fits a menu option (75 characters at most) and the detail shown beneath it.
MILESTONES = {
    "materials_in_trainings": "TAT/BOTL materials used in in-state trainings",
    "industry_on_task_force": "Industry stakeholders on the task force",
    "investigation_assisted": "Undercover investigation assisted",
    "mve_executive_order": "Iowa MVE model: governor's executive order",
    "mve_enforcement_training": "Iowa MVE model: patrol and enforcement agencies trained",
    "mve_materials": "Iowa MVE model: materials where drivers stop",
    "mve_asset_forfeiture": "Iowa MVE model: funded from asset forfeiture",
    "mve_hotline_network": "Iowa MVE model: in the hotline's law enforcement network",
    "mve_cdl_curriculum": "Iowa MVE model: training in the statewide CDL curriculum",
    "cdl_mandate": "TAT/BOTL training mandated at CDL entry level",
}
MILESTONE_DETAILS = {
    "materials_in_trainings": "The state's own trainings use TAT or BOTL materials",
    "industry_on_task_force": "Trucking and busing people sit on the anti-trafficking task force",
    "investigation_assisted": "Coalition members helped an undercover investigation",
    "mve_executive_order": "A press conference, and an order directing agencies to take part",
    "mve_enforcement_training": "State patrol, motor vehicle and commercial vehicle enforcement",
    "mve_materials": "Weigh stations, rest areas, terminals, CDL centres, ports of entry",
    "mve_asset_forfeiture": "The campaign is paid for from asset-forfeiture funds",
    "mve_hotline_network": "Joined the National Human Trafficking Hotline's network",
    "mve_cdl_curriculum": "Anti-trafficking training for everyone earning a CDL",
    "cdl_mandate": "Required by law or rule for entry-level CDL drivers",
}
MVE = tuple(k for k in MILESTONES if k.startswith("mve_"))
REPORTED_TO = {"hotline": "the hotline", "911": "911", "police": "the police"}
REPORTED_USAGE = "/tat reported [hotline|911|police] [date]"
HOTLINE_USAGE = "/tat hotline YYYY count [source]  or  /tat hotline YYYY-MM count [source]"
DEFAULT_SOURCE = "humantraffickinghotline.org state statistics"
PERIOD = re.compile(r"^([0-9]{4})(?:-([0-9]{2}))?$")
MAX_HOTLINE = 1_000_000
COUNT_ONLY = ("I log only that a report was made, where to and when — never its details, so please leave out "
              "names, places and descriptions. Where to: hotline, 911 or police; when: YYYY-MM-DD, today or yesterday.")
REPORTED_TEXT = 100   # characters of `/tat reported` words: "hotline 2026-05-01" and then some
HOTLINE_TEXT = 300    # `/tat hotline 2026-10 14` and a source of up to 200 characters


@dataclass(frozen=True)
class ReportEntry:
    made_to: str
    on: date


@dataclass(frozen=True)
class HotlineEntry:
    period: str
    count: int
    source: str


def parse_reported(text: str, today: date) -> ReportEntry:
    """`/tat reported` words in any order: where the report went (default the hotline) and when."""
    if len(text) > REPORTED_TEXT:
        raise Usage(COUNT_ONLY)
    made_to = on = None
    for word in text.split():
        lowered = word.lower()
        if lowered in REPORTED_TO and made_to is None:
            made_to = lowered
        elif on is None and (lowered in ("today", "yesterday") or re.match(r"^[0-9]{4}-", lowered)):
            on = parse_date(word, today)
        else:
            raise Usage(COUNT_ONLY)
    return ReportEntry(made_to or "hotline", on or today)


def parse_hotline(text: str, today: date) -> HotlineEntry | None:
    """`/tat hotline` words: None for the numbers alone; a period, a count and an optional source."""
    if len(text) > HOTLINE_TEXT:
        raise Usage(f"That is more than I read for one figure ({HOTLINE_TEXT} characters at most): "
                    "give the period, the count and a short source.")
    words = text.split()
    if not words:
        return None
    if len(words) < 2:
        raise Usage("Give the period and the count, like `/tat hotline 2026 118` or `/tat hotline 2026-10 14`.")
    match = PERIOD.match(words[0])
    if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise Usage(f'"{echoed(words[0])}" is not a period: write a year (2026) or a month (2026-10).')
    year, month = int(match.group(1)), int(match.group(2) or 0)
    if not 2000 <= year <= today.year or (year == today.year and month > today.month):
        raise Usage(f"{echoed(words[0])} is not a period the hotline has published figures for.")
    if not re.fullmatch("[0-9]{1,7}", words[1]) or int(words[1]) > MAX_HOTLINE:
        raise Usage(f'"{echoed(words[1])}" is not a count: give a whole number from 0 to {MAX_HOTLINE:,}.')
    source = " ".join(words[2:])[:200] or DEFAULT_SOURCE
    return HotlineEntry(words[0], int(words[1]), source)


@dataclass
class Figures:
    """What `/tat progress` shows, and the series its chart draws."""

    state: str
    by_sector: dict[str, int]
    introductions: int | None
    trained: int
    by_program: dict[str, int]
    by_audience: dict[str, int]
    distribution_points: int
    reports: dict[str, int]
    hotline: list[tuple[str, int, str]]
    milestones: list[tuple[str, date, str | None]]
    next_followup: datetime | None
    build_meeting: date | None
    trained_per_month: dict[str, dict[str, int]] = field(default_factory=dict)   # program → month → count
    reports_per_month: dict[str, int] = field(default_factory=dict)
    checkins: dict[int, dict[str, int]] = field(default_factory=dict)   # months → answer → how many
    waiting: int = 0   # registrations of the state waiting for a decision


def figures(session: Session, team: str, state: str, at: datetime | None = None) -> Figures:
    """A state coalition's figures, in this team's rows only, as of `at` (now if not given)."""
    by_program, by_audience, per_month = Counter(), Counter(), defaultdict(Counter)
    for program, audience, month, people in progress.trained_by_month(session, team, state):   # sums, by GROUP BY
        by_program[program] += people
        by_audience[audience] += people
        per_month[program][month] += people
    made_to, per_month_made = Counter(), Counter()
    for where, month, made in progress.reports_by_month(session, team, state):
        made_to[where] += made
        per_month_made[month] += made
    return Figures(
        state=state, by_sector=progress.stakeholders_by_sector(session, team, state),
        introductions=progress.introductions(session, team, state), trained=sum(by_program.values()),
        by_program=dict(by_program), by_audience=dict(by_audience),
        distribution_points=progress.distribution_points(session, team, state),
        reports=dict(made_to),
        hotline=[(h.period, h.count, h.source) for h in progress.hotline_figures(session, team, state)],
        milestones=[(m.kind, m.reached_on, m.note) for m in progress.milestones(session, team, state)],
        next_followup=coalitions.next_followup(session, team, state, at),
        build_meeting=coalitions.build_meeting_date(session, team, state),
        trained_per_month={p: dict(months) for p, months in per_month.items()},
        reports_per_month=dict(per_month_made),
        checkins=coalitions.checkin_answers(session, team, state),
        waiting=progress.waiting(session, team, state),
    )
