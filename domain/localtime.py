"""Local time: a person's day in their own time zone, and the coalition's working mornings.

Plain rules on aware datetimes and IANA zone names, no Slack and no database. A person's "today"
is the day where they are (the zone Slack has for them, else their coalition's); what the bot
sends a person later (a check-in reminder, a late check-in, a snoozed one) lands at 10:00 in the
coalition's zone on a working day, Monday to Friday (dateutil's rrule counts the working days).
zoneinfo keeps 10:00 at 10:00 across daylight saving.
"""
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule

MORNING = time(10, 0)   # when what the coalition owes its members arrives, in the coalition's zone
WORKING_DAYS = (MO, TU, WE, TH, FR)
FALLBACK_ZONE = "UTC"


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name, or None for a name that is blank, too long or unknown."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def first_known(*names: str | None) -> str:
    """The first of these zone names that is a real zone (UTC if none is)."""
    return next((name for name in names if zone(name) is not None), FALLBACK_ZONE)


def day_in(at: datetime, zone_name: str) -> date:
    """The calendar day of a moment in a zone: "today" for someone there."""
    return at.astimezone(zone(zone_name) or UTC).date()


def working_days(start: date, count: int | None = None, until: date | None = None) -> rrule:
    """The working days (Monday to Friday) from `start`, itself included if it is one."""
    return rrule(DAILY, dtstart=datetime.combine(start, time()), byweekday=WORKING_DAYS, count=count,
                 until=datetime.combine(until, time()) if until else None)


def morning_of(day: date, zone_name: str) -> datetime:
    """10:00 on this day in the zone, as a UTC instant."""
    return datetime.combine(day, MORNING, zone(zone_name) or UTC).astimezone(UTC)


def working_day_on_or_after(day: date) -> date:
    return working_days(day, count=1)[0].date()


def next_morning(at: datetime, zone_name: str) -> datetime:
    """The first 10:00 in the zone on a working day at or after `at`."""
    local_day = day_in(at, zone_name)
    for day in working_days(local_day, count=2):
        moment = morning_of(day.date(), zone_name)
        if moment >= at:
            return moment
    raise AssertionError("two working days always hold a morning after any moment of the first")


def working_days_later(at: datetime, days: int, zone_name: str) -> datetime:
    """10:00 in the zone on the `days`-th working day after the local day of `at`."""
    after = day_in(at, zone_name) + timedelta(days=1)
    return morning_of(working_days(after, count=days)[-1].date(), zone_name)


def days_later(at: datetime, days: int, zone_name: str) -> datetime:
    """10:00 in the zone `days` calendar days after the local day of `at`, moved on to a working day
    (a week after a Saturday's "Not now" is the Monday after)."""
    return morning_of(working_day_on_or_after(day_in(at, zone_name) + timedelta(days=days)), zone_name)


def landing(due: datetime, at: datetime, zone_name: str) -> datetime:
    """When a message planned for `due` goes out if it is only queued at `at`: at `due` while that
    is still its own day where the coalition is, else at the next working morning."""
    if at <= due or day_in(at, zone_name) == day_in(due, zone_name):
        return due
    return next_morning(at, zone_name)
