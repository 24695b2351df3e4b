"""Reading and writing stakeholders. Functions take the session first and never commit."""
from dataclasses import fields
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for, now_in
from storage.models import Coverage, Stakeholder


def by_slack_user(session: Session, user_id: str, for_update: bool = False) -> Stakeholder | None:
    query = select(Stakeholder).where(Stakeholder.slack_user_id == user_id)
    return session.scalar(query.with_for_update() if for_update else query)


def pending(session: Session, excluding: str | None = None, offset: int = 0,
            limit: int | None = None) -> list[Stakeholder]:
    """Registrations waiting for an admin, oldest first (one page of them, with `limit`), never
    `excluding`'s own."""
    query = select(Stakeholder).where(*_waiting(excluding)).order_by(Stakeholder.created_at, Stakeholder.id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def pending_count(session: Session, excluding: str | None = None) -> int:
    return session.scalar(select(func.count()).select_from(Stakeholder).where(*_waiting(excluding)))


def _waiting(excluding: str | None) -> list:
    return [Stakeholder.status == "pending", *([Stakeholder.slack_user_id != excluding] if excluding else [])]


def by_id(session: Session, stakeholder_id: int) -> Stakeholder | None:
    """One stakeholder; read once per session (rendering three messages about one person reads it once)."""
    return session.get(Stakeholder, stakeholder_id)


def claim_user(session: Session, user_id: str) -> tuple[Stakeholder, bool]:
    """The Slack user's row, locked for this transaction, created if missing: (row, created).

    Two first submissions at once make one row: the second waits for the first and finds it."""
    who = _locked(session, user_id)
    if who is not None:
        return who, False
    created = session.execute(_insert_new(session.get_bind().dialect.name), {
        "slack_user_id": user_id, "status": "pending", "revision": 1, "statewide": False, "name": "",
        "sector": "other", "organization": "", "phone": "", "email": "", "state": "",
        "created_at": now_in(session), "updated_at": now_in(session)}).first() is not None
    return _locked(session, user_id), created


def _locked(session: Session, user_id: str) -> Stakeholder | None:
    query = select(Stakeholder).where(Stakeholder.slack_user_id == user_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    insert = insert_for(dialect)
    table = Stakeholder.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["slack_user_id"]).returning(table.c.id)


def decide(session: Session, stakeholder_id: int, revision: int, status: str, admin: str) -> bool:
    """Record a decision on one pending revision, as a compare-and-set: False if it was not pending."""
    changed = session.execute(
        update(Stakeholder)
        .where(Stakeholder.id == stakeholder_id, Stakeholder.revision == revision, Stakeholder.status == "pending")
        .values(status=status, decided_by=admin, decided_at=now_in(session))
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def update_profile(session: Session, who: Stakeholder, profile) -> None:
    """Copy every field of a domain Profile onto the row, jurisdiction included."""
    for field in fields(profile):
        if field.name != "jurisdiction":
            setattr(who, field.name, getattr(profile, field.name))
    if who.jurisdiction != profile.jurisdiction:
        who.coverage = [Coverage(county_fips=fips) for fips in profile.jurisdiction]
    session.flush()
