"""Who needs materials: a state's leads are told once a week, on Monday at 10:00 in the coalition's
time zone, who answered a check-in "We need materials" in the week before (organization and
person), and only when someone did. The outbox key is the coalition, the week and the lead: once."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain import followups, notices
from domain.notices import MaterialsDigest
from storage import coalitions
from storage import resources as store


def owe_digests(session: Session, at: datetime) -> int:
    """Owe each lead the digest of the week that ended last Monday at 10:00, where someone asked; how
    many were queued (a digest already owed is not owed again)."""
    queued = 0
    for coalition in coalitions.every(session):
        until = week_end(at, coalition.time_zone)
        since = week_end(until - timedelta(seconds=1), coalition.time_zone)
        if not store.materials_asked(session, coalition.team_id, coalition.id, since, until):
            continue
        owed = [MaterialsDigest(coalition.id, since.isoformat(), until.isoformat(), lead) for lead in coalition.leads]
        queued += notices.queue_all(session, coalition.team_id, owed, not_before=until)
    return queued


def week_end(at: datetime, zone: str) -> datetime:
    """The latest Monday 10:00 in the zone at or before `at`."""
    local = at.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    end = datetime.combine(monday, followups.LOCAL_TIME, ZoneInfo(zone))
    if end > at:
        end = datetime.combine(monday - timedelta(days=7), followups.LOCAL_TIME, ZoneInfo(zone))
    return end.astimezone(UTC)
