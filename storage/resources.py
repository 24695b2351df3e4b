"""A state coalition's resources (`/tat resources`), and who asked for materials in a check-in.

Every query filters by the workspace (team_id). Session first, never commit.
"""
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import CheckinAnswer, Resource, Stakeholder

KIND_ORDER = ("training", "materials", "pathway", "link")


def items(session: Session, team: str, state: str) -> list[Resource]:
    """The state's items not removed, by kind, then in the order they were added."""
    rows = session.scalars(select(Resource).where(Resource.team_id == team, Resource.state == state,
                                                  Resource.removed_at.is_(None)).order_by(Resource.id))
    return sorted(rows, key=lambda r: KIND_ORDER.index(r.kind) if r.kind in KIND_ORDER else len(KIND_ORDER))


def is_kept(session: Session, team: str, state: str) -> bool:
    """Whether the state's list is kept here (its leads have edited it), removed items included."""
    return session.scalar(select(func.count()).select_from(Resource).where(
        Resource.team_id == team, Resource.state == state)) > 0


def count(session: Session, team: str, state: str) -> int:
    return session.scalar(select(func.count()).select_from(Resource).where(
        Resource.team_id == team, Resource.state == state, Resource.removed_at.is_(None)))


def copy_defaults(session: Session, team: str, state: str, defaults: list[dict], by: str, at: datetime) -> None:
    """Copy TAT's default items in, once (a second copy, from another press at once, adds nothing)."""
    if defaults:
        session.execute(_insert_default(session.get_bind().dialect.name), [
            {**d, "team_id": team, "state": state, "added_by": by, "added_at": at} for d in defaults])


@lru_cache(maxsize=2)
def _insert_default(dialect: str):
    return insert_for(dialect)(Resource.__table__).on_conflict_do_nothing(
        index_elements=["team_id", "state", "default_key"])


def add(session: Session, team: str, state: str, values: dict, by: str, at: datetime) -> Resource:
    item = Resource(team_id=team, state=state, added_by=by, added_at=at, **values)
    session.add(item)
    session.flush()
    return item


def get(session: Session, team: str, state: str, resource_id: int) -> Resource | None:
    return session.scalar(select(Resource).where(*_one(team, state, resource_id)))


def by_default(session: Session, team: str, state: str, key: str) -> Resource | None:
    """The copy of one of TAT's defaults in the state's list, unless removed."""
    return session.scalar(select(Resource).where(Resource.team_id == team, Resource.state == state,
                                                 Resource.default_key == key, Resource.removed_at.is_(None)))


def _one(team: str, state: str, resource_id: int) -> tuple:
    return (Resource.team_id == team, Resource.state == state, Resource.id == resource_id,
            Resource.removed_at.is_(None))


def change(session: Session, team: str, state: str, resource_id: int, values: dict, by: str,
           at: datetime) -> bool:
    """Edit one of the state's items not removed; False when it was removed meanwhile."""
    changed = session.execute(update(Resource).where(*_one(team, state, resource_id))
                              .values(**values, updated_by=by, updated_at=at)
                              .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def remove(session: Session, team: str, state: str, resource_id: int, by: str, at: datetime) -> bool:
    """Remove one of the state's items, once (a compare-and-set); False when it was removed already."""
    removed = session.execute(update(Resource).where(*_one(team, state, resource_id))
                              .values(removed_at=at, updated_by=by, updated_at=at)
                              .execution_options(synchronize_session=False))
    return removed.rowcount == 1


def materials_asked(session: Session, team: str, coalition_id: int, since: datetime,
                    until: datetime) -> list[Stakeholder]:
    """Who answered a check-in "We need materials" in [since, until) (their latest answer), by organization."""
    return list(session.scalars(
        select(Stakeholder).join(CheckinAnswer, CheckinAnswer.stakeholder_id == Stakeholder.id).where(
            CheckinAnswer.team_id == team, CheckinAnswer.coalition_id == coalition_id,
            CheckinAnswer.answer == "need_materials", CheckinAnswer.answered_at >= since,
            CheckinAnswer.answered_at < until, Stakeholder.team_id == team, Stakeholder.status == "approved",
        ).distinct().order_by(Stakeholder.organization, Stakeholder.name)))
