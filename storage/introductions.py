"""Which truck stops and terminals were introduced to which officers. Session first, never commit."""
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from storage.db import insert_for, now_in
from storage.models import Introduction, Stakeholder


def take_turn(session: Session, team_id: str, state: str) -> None:
    """Approvals in one state introduce one after another: a site and its officer approved at the
    same moment each see the other approved, not both pending. (PostgreSQL reads what others have
    committed; SQLite transactions already take turns.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"intro:{team_id}:{state}"})


def record(session: Session, team_id: str, site_id: int, officer_ids: list[int]) -> list[int]:
    """Record each pair once (on every database, from any number of instances); the officers whose
    pair with this site is new."""
    insert = insert_for(session.get_bind().dialect.name)
    new = []
    for officer_id in officer_ids:
        added = session.execute(insert(Introduction).values(
            team_id=team_id, site_id=site_id, officer_id=officer_id, introduced_at=now_in(session),
        ).on_conflict_do_nothing().returning(Introduction.officer_id))
        if added.scalar() is not None:
            new.append(officer_id)
    return new


def pairs_of(session: Session, team_id: str, stakeholder_id: int) -> list[tuple[int, int]]:
    """(site, officer) pairs this stakeholder is in, either side."""
    rows = session.execute(select(Introduction.site_id, Introduction.officer_id).where(
        Introduction.team_id == team_id,
        or_(Introduction.site_id == stakeholder_id, Introduction.officer_id == stakeholder_id),
    ).order_by(Introduction.site_id, Introduction.officer_id))
    return [(site, officer) for site, officer in rows]


def count(session: Session, team_id: str) -> int:
    """Introductions made in this workspace (for progress)."""
    return session.scalar(select(func.count()).select_from(Introduction).where(Introduction.team_id == team_id))


def count_in_state(session: Session, team_id: str, state: str) -> int:
    """Site–officer pairs introduced in a state (by the site's state), for progress."""
    return session.scalar(select(func.count()).select_from(Introduction).join(
        Stakeholder, Stakeholder.id == Introduction.site_id).where(
        Introduction.team_id == team_id, Stakeholder.team_id == team_id, Stakeholder.state == state))
