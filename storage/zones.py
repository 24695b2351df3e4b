"""People's time zones as Slack has them (users.info `tz`), kept. Session first, never commit."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import Coalition, MemberZone, Stakeholder


def kept(session: Session, team_id: str, user: str) -> MemberZone | None:
    return session.get(MemberZone, (team_id, user))


def keep(session: Session, team_id: str, user: str, time_zone: str | None, at: datetime) -> None:
    """Keep the zone Slack gave for this person (None: none we know), checked at `at`."""
    insert = insert_for(session.get_bind().dialect.name)(MemberZone).values(
        team_id=team_id, user_id=user, time_zone=time_zone, checked_at=at)
    session.execute(insert.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={"time_zone": insert.excluded.time_zone, "checked_at": insert.excluded.checked_at}))


def coalition_zone(session: Session, team_id: str, user: str) -> str | None:
    """The time zone of the coalition of this person's state, or of the workspace's only coalition."""
    state = session.scalar(select(Stakeholder.state).where(Stakeholder.team_id == team_id,
                                                           Stakeholder.slack_user_id == user))
    query = select(Coalition.time_zone).where(Coalition.team_id == team_id)
    if state:
        found = session.scalar(query.where(Coalition.state == state))
        if found:
            return found
    only = session.scalars(query.limit(2)).all()
    return only[0] if len(only) == 1 else None


def state_of(session: Session, user: str) -> str | None:
    return session.scalar(select(Stakeholder.state).where(Stakeholder.slack_user_id == user))
