"""The audit of contacts' phone and e-mail changes. Session first, never commit."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import now_in
from storage.models import ContactChange


def record(session: Session, team_id: str, stakeholder_id: int, field: str, old: str, new: str,
           by: str) -> ContactChange:
    change = ContactChange(team_id=team_id, stakeholder_id=stakeholder_id, field=field, old_value=old,
                           new_value=new, changed_by=by, changed_at=now_in(session))
    session.add(change)
    session.flush()
    return change


def by_ids(session: Session, ids: list[int]) -> list[ContactChange]:
    return list(session.scalars(select(ContactChange).where(ContactChange.id.in_(ids)).order_by(ContactChange.id)))


def of_team(session: Session, team_id: str) -> list[ContactChange]:
    return list(session.scalars(select(ContactChange).where(ContactChange.team_id == team_id)
                                .order_by(ContactChange.id)))
