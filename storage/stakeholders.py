"""Reading and writing stakeholders. Functions take the session first and never commit."""
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Coverage, Stakeholder


def by_slack_user(session: Session, user_id: str) -> Stakeholder | None:
    return session.scalar(select(Stakeholder).where(Stakeholder.slack_user_id == user_id))


def by_id(session: Session, stakeholder_id: int, for_update: bool = False) -> Stakeholder | None:
    query = select(Stakeholder).where(Stakeholder.id == stakeholder_id)
    return session.scalar(query.with_for_update() if for_update else query)


def add(session: Session, user_id: str) -> Stakeholder:
    """A new, empty registration for a Slack user; the caller fills in the profile."""
    who = Stakeholder(slack_user_id=user_id, status="pending", revision=1, statewide=False)
    session.add(who)
    return who


def update_profile(session: Session, who: Stakeholder, profile) -> None:
    """Copy every field of a domain Profile onto the row, jurisdiction included."""
    for field in fields(profile):
        if field.name != "jurisdiction":
            setattr(who, field.name, getattr(profile, field.name))
    if who.jurisdiction != profile.jurisdiction:
        who.coverage = [Coverage(county_fips=fips) for fips in profile.jurisdiction]
    session.flush()
