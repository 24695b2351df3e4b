"""When a coalition's follow-ups fall, and what each says: plain dates and words, no Slack, no database.

A follow-up is at the build meeting date plus N months (a month end stays a month end: Jan 31 + 1
month is the last day of February), at 10:00 in the coalition's time zone; one that falls on a
Saturday or Sunday moves to the Monday. zoneinfo makes 10:00 local right across daylight saving.
"""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import us
from dateutil.relativedelta import relativedelta

from domain import localtime
from domain.sectors import Sector

DEFAULT_OFFSETS = (1, 3, 6)
LOCAL_TIME = localtime.MORNING
REMIND_AFTER_WORKING_DAYS = 3
SNOOZE = timedelta(days=7)
LATE_LIMIT = timedelta(days=7)   # the outbox gives up on a message owed for longer: the follow-up is missed


def zones_of(state: str) -> list[str]:
    """The IANA time zones of a state, its capital's first (the default)."""
    found = us.states.lookup(state.strip().upper())
    if found is None:
        return []
    zones = list(found.time_zones or [found.capital_tz])
    main = found.capital_tz or zones[0]
    return [main, *[z for z in zones if z != main]]


def all_zones() -> list[str]:
    """Every time zone of the 50 states and DC, for the setup form's choice."""
    seen: dict[str, None] = {}
    for state in [*us.STATES, us.states.DC]:
        seen.update(dict.fromkeys(zones_of(state.abbr)))
    return sorted(seen)


def followup_day(meeting: date, months: int) -> date:
    """The day of the follow-up N months after the meeting, moved to Monday from a weekend."""
    return localtime.working_day_on_or_after(meeting + relativedelta(months=months))


def followup_at(meeting: date, months: int, zone: str) -> datetime:
    """The instant (UTC) of the follow-up: 10:00 on its day in the coalition's zone."""
    local = datetime.combine(followup_day(meeting, months), LOCAL_TIME, ZoneInfo(zone))
    return local.astimezone(UTC)


def working_days_after(at: datetime, days: int, zone: str) -> datetime:
    """The same local time `days` working days (Monday to Friday) later."""
    local = at.astimezone(ZoneInfo(zone))
    day = localtime.working_days(local.date() + timedelta(days=1), count=days)[-1].date()
    return datetime.combine(day, local.time().replace(tzinfo=None), ZoneInfo(zone)).astimezone(UTC)


def parse_offsets(text: str | None) -> list[int]:
    """'1, 3, 6' → [1, 3, 6]; blank gives the default. Raises ValueError with what is wrong."""
    if not (text or "").strip():
        return list(DEFAULT_OFFSETS)
    if len(text) > 40:
        raise ValueError("Write at most six follow-ups, like 1, 3, 6.")
    try:
        months = sorted({int(part) for part in text.replace(",", " ").split()})
    except ValueError:
        raise ValueError("Write the follow-ups as months after the meeting, like 1, 3, 6.") from None
    if not months or months[0] < 1 or months[-1] > 24 or len(months) > 6:
        raise ValueError("Between one and six follow-ups, each 1 to 24 months after the meeting, like 1, 3, 6.")
    return months


def stage_name(months: int) -> str:
    return f"{months}-month follow-up"


STAGES = (1, 3, 6)   # a follow-up at other months counts as the latest of these not after it (checklist, next step)


def nearest_stage(months: int) -> int:
    """The 1-, 3- or 6-month stage a follow-up at N months counts as (the latest not after it)."""
    return max(stage for stage in STAGES if stage <= months)


NEXT_STEP = {
    1: "Register anyone still missing and introduce every truck stop to its local officers.",
    3: "Log every training with `/tat trained` and note where materials are handed out.",
    6: "Review the six months together and plan the next year.",
}


def next_step(months: int) -> str:
    return NEXT_STEP[nearest_stage(min(months, 6))]


SECTOR_ASK = {
    Sector.TRUCKING_COMPANY: "Have your drivers taken TAT training? Are TAT materials in your cabs and terminals?",
    Sector.TRUCK_STOP: "Are TAT wallet cards, posters and decals out at your site, and has your staff trained?",
    Sector.BUS_COMPANY: "Have your drivers and staff taken BOTL (Busing on the Lookout) training?",
    Sector.PUPIL_TRANSPORTATION: "Have your school bus drivers taken BOTL (Busing on the Lookout) training?",
    Sector.BUS_TERMINAL: "Are BOTL materials out at your terminal, and has your staff trained?",
    Sector.LAW_ENFORCEMENT: "Has your agency taken TAT's law enforcement training, and do your officers hand out "
                            "TAT materials at stops and weigh stations?",
    Sector.ATTORNEY_GENERAL: "How is the statewide campaign going: trainings, materials, the executive order?",
    Sector.ASSOCIATION: "Have your members trained and started handing out TAT/BOTL materials?",
    Sector.VICTIM_SERVICES: "Have you connected with the coalition's law enforcement and industry contacts?",
}


def sector_ask(sector: str) -> str:
    """The check-in's question, worded for the stakeholder's sector."""
    known = next((s for s in Sector if s.value == sector), Sector.OTHER)
    return SECTOR_ASK.get(known, "How is your part of the coalition's work going: trainings, materials?")
