"""Reading and writing stakeholders. Functions take the session first and never commit."""
from dataclasses import fields
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for, now_in
from storage.models import Coverage, Stakeholder


def by_slack_user(session: Session, team_id: str, user_id: str, for_update: bool = False) -> Stakeholder | None:
    query = select(Stakeholder).where(Stakeholder.team_id == team_id, Stakeholder.slack_user_id == user_id)
    return session.scalar(query.with_for_update() if for_update else query)


def pending(session: Session, team_id: str, excluding: str | None = None, offset: int = 0,
            limit: int | None = None) -> list[Stakeholder]:
    """The workspace's registrations waiting for an admin, oldest first (one page of them, with
    `limit`), never `excluding`'s own."""
    query = select(Stakeholder).where(*_waiting(team_id, excluding)).order_by(Stakeholder.created_at, Stakeholder.id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def pending_count(session: Session, team_id: str, excluding: str | None = None) -> int:
    return session.scalar(select(func.count()).select_from(Stakeholder).where(*_waiting(team_id, excluding)))


def _waiting(team_id: str, excluding: str | None) -> list:
    return [Stakeholder.team_id == team_id, Stakeholder.status == "pending",
            *([Stakeholder.slack_user_id != excluding] if excluding else [])]


def by_id(session: Session, team_id: str | None, stakeholder_id: int) -> Stakeholder | None:
    """One stakeholder of the workspace (None: of another, or none); read once per session (rendering
    three messages about one person reads it once). `team_id` None: whichever workspace's (the sender
    renders a message its own row's workspace owes)."""
    who = session.get(Stakeholder, stakeholder_id)
    return who if who is not None and (team_id is None or who.team_id == team_id) else None


def claim_user(session: Session, team_id: str, user_id: str) -> tuple[Stakeholder, bool]:
    """The workspace's Slack user's row, locked for this transaction, created if missing: (row, created).

    Two first submissions at once make one row: the second waits for the first and finds it."""
    who = _locked(session, team_id, user_id)
    if who is not None:
        return who, False
    created = session.execute(_insert_new(session.get_bind().dialect.name), {
        "team_id": team_id, "slack_user_id": user_id, "status": "pending", "revision": 1, "statewide": False,
        "name": "",
        "sector": "other", "organization": "", "phone": "", "email": "", "state": "",
        "created_at": now_in(session), "updated_at": now_in(session)}).first() is not None
    return _locked(session, team_id, user_id), created


def _locked(session: Session, team_id: str, user_id: str) -> Stakeholder | None:
    query = select(Stakeholder).where(Stakeholder.team_id == team_id,
                                      Stakeholder.slack_user_id == user_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    insert = insert_for(dialect)
    table = Stakeholder.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["team_id", "slack_user_id"]).returning(table.c.id)


def decide(session: Session, team_id: str, stakeholder_id: int, revision: int, status: str, admin: str) -> bool:
    """Record a decision on one pending revision of the workspace's, as a compare-and-set: False if it
    was not pending (or is another workspace's)."""
    changed = session.execute(
        update(Stakeholder)
        .where(Stakeholder.team_id == team_id, Stakeholder.id == stakeholder_id, Stakeholder.revision == revision,
               Stakeholder.status == "pending")
        .values(status=status, decided_by=admin, decided_at=now_in(session))
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def update_profile(session: Session, who: Stakeholder, profile) -> None:
    """Copy every field of a domain Profile onto the row, jurisdiction included."""
    for field in fields(profile):
        if field.name != "jurisdiction":
            setattr(who, field.name, getattr(profile, field.name))
    if who.jurisdiction != profile.jurisdiction:
        who.coverage = [Coverage(team_id=who.team_id, county_fips=fips) for fips in profile.jurisdiction]
    session.flush()
