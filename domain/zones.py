"""Whose time zone a day is read in: a person's own (the zone Slack has for them, kept), else their
coalition's, else their state's main zone. Asking Slack (users.info) is the handlers' part, after
the acknowledgement; this module only reads and keeps what it said."""
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from domain import followups, localtime
from storage import zones

FRESH_FOR = timedelta(days=1)   # a kept zone older than this is asked again (a person who travelled)


def zone_of(session: Session, team_id: str, user: str) -> str:
    """The IANA zone a person's "today" is read in."""
    found = zones.kept(session, team_id, user) if team_id else None
    if found is not None and localtime.zone(found.time_zone) is not None:
        return found.time_zone
    state = zones.state_of(session, user)
    main = followups.zones_of(state)[0] if state and followups.zones_of(state) else None
    return localtime.first_known(zones.coalition_zone(session, team_id, user), main)


def today_of(session: Session, team_id: str, user: str, at: datetime) -> date:
    """A person's "today" at this moment."""
    return localtime.day_in(at, zone_of(session, team_id, user))


def wants_asking(session: Session, team_id: str, user: str, at: datetime) -> bool:
    """Whether Slack should be asked this person's zone: never asked, or not for a day."""
    found = zones.kept(session, team_id, user)
    return found is None or found.checked_at <= at - FRESH_FOR


def keep(session: Session, team_id: str, user: str, slack_tz: object, at: datetime) -> None:
    """Keep the zone Slack said (users.info's `tz`); one it names that is no zone is kept as none."""
    name = slack_tz if isinstance(slack_tz, str) and localtime.zone(slack_tz) is not None else None
    zones.keep(session, team_id, user, name, at)
