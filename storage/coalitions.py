"""Reading and writing coalitions, check-in answers, and the follow-ups' outbox rows.

Functions take the session first and never commit. Every query on a coalition's rows filters by
the workspace (team_id) it came from; the clock's job reads every workspace's coalitions.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import CheckinAnswer, Coalition, OutboxMessage, Stakeholder


def by_state(session: Session, team_id: str, state: str, for_update: bool = False) -> Coalition | None:
    query = select(Coalition).where(Coalition.team_id == team_id, Coalition.state == state)
    return session.scalar(query.with_for_update() if for_update else query)


def create_if_missing(session: Session, values: dict) -> bool:
    """Insert a state's coalition at revision 0 unless the workspace has one (on PostgreSQL, one being
    inserted at this moment is waited for); True when this call made it."""
    return len(session.execute(_insert_new(session.get_bind().dialect.name), [{**values, "revision": 0}]).all()) == 1


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    table = Coalition.__table__
    return insert_for(dialect)(table).on_conflict_do_nothing(index_elements=["team_id", "state"]).returning(table.c.id)


def by_id(session: Session, coalition_id: int, team_id: str | None = None) -> Coalition | None:
    """One coalition; with a team, only if it is that workspace's."""
    found = session.get(Coalition, coalition_id)
    return found if found is not None and team_id in (None, found.team_id) else None


def of_team(session: Session, team_id: str) -> list[Coalition]:
    return list(session.scalars(select(Coalition).where(Coalition.team_id == team_id).order_by(Coalition.state)))


def every(session: Session) -> list[Coalition]:
    """Every workspace's coalitions (the clock's job looks for what fell due in all of them)."""
    return list(session.scalars(select(Coalition).order_by(Coalition.id)))


def posting_in(session: Session, team_id: str, channel: str) -> list[Coalition]:
    """The workspace's coalitions whose follow-ups are posted in this channel."""
    return list(session.scalars(select(Coalition).where(Coalition.team_id == team_id, Coalition.channel_id == channel)
                                .order_by(Coalition.id)))


def leads_of(session: Session, team_id: str | None, state: str) -> list[str]:
    """The Slack user ids leading a state's coalition in a workspace (none without a workspace)."""
    if not team_id:
        return []
    found = by_state(session, team_id, state)
    return list(found.leads) if found else []


def approved_in(session: Session, team_id: str, state: str) -> list[Stakeholder]:
    return list(session.scalars(select(Stakeholder).where(Stakeholder.team_id == team_id, Stakeholder.state == state,
                                                          Stakeholder.status == "approved").order_by(Stakeholder.id)))


def save_answer(session: Session, team_id: str, coalition_id: int, stage: int, stakeholder_id: int, answer: str,
                at: datetime) -> None:
    """One answer per stakeholder per stage: the first press stores it, a later press replaces it."""
    session.execute(_upsert_answer(session.get_bind().dialect.name), {
        "team_id": team_id, "coalition_id": coalition_id, "stage": stage, "stakeholder_id": stakeholder_id,
        "answer": answer, "answered_at": at})


@lru_cache(maxsize=2)
def _upsert_answer(dialect: str):
    insert = insert_for(dialect)(CheckinAnswer.__table__)
    return insert.on_conflict_do_update(
        index_elements=["team_id", "coalition_id", "stage", "stakeholder_id"],
        set_={"answer": insert.excluded.answer, "answered_at": insert.excluded.answered_at})


def answer_of(session: Session, team_id: str, coalition_id: int, stage: int, stakeholder_id: int) -> str | None:
    return session.scalar(select(CheckinAnswer.answer).where(
        CheckinAnswer.team_id == team_id, CheckinAnswer.coalition_id == coalition_id,
        CheckinAnswer.stage == stage, CheckinAnswer.stakeholder_id == stakeholder_id))


def answers_by_stage(session: Session, team_id: str, coalition_id: int) -> dict[int, dict[str, int]]:
    """{stage: {answer: how many}} for a coalition."""
    rows = session.execute(select(CheckinAnswer.stage, CheckinAnswer.answer, func.count()).where(
        CheckinAnswer.team_id == team_id, CheckinAnswer.coalition_id == coalition_id,
    ).group_by(CheckinAnswer.stage, CheckinAnswer.answer))
    found: dict[int, dict[str, int]] = {}
    for stage, answer, count in rows:
        found.setdefault(stage, {})[answer] = count
    return found


@dataclass(frozen=True)
class Row:
    """What became of one queued follow-up message."""

    id: int
    key: str
    not_before: datetime
    sent_at: datetime | None
    dead_at: datetime | None
    cancelled_at: datetime | None
    last_error: str | None
    claimed_until: datetime | None = None
    in_doubt: bool = False
    team_id: str = ""
    token: str | None = None   # what messages about it are keyed by (its id is reused on SQLite)


def outbox_rows(session: Session, key_prefix: str, dead_only: bool = False) -> list[Row]:
    """The outbox rows under a key prefix (found through the key's pattern index)."""
    query = select(OutboxMessage.id, OutboxMessage.key, OutboxMessage.not_before, OutboxMessage.sent_at,
                   OutboxMessage.dead_at, OutboxMessage.cancelled_at, OutboxMessage.last_error,
                   OutboxMessage.claimed_until, OutboxMessage.in_doubt, OutboxMessage.team_id,
                   OutboxMessage.token).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True)).order_by(OutboxMessage.id)
    if dead_only:
        query = query.where(OutboxMessage.dead_at.is_not(None))
    return [Row(*row) for row in session.execute(query)]


def was_sent(session: Session, key: str) -> bool:
    """Whether the message under this key went out (or may have: its send is in doubt)."""
    return session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.key == key, (OutboxMessage.sent_at.is_not(None)) | OutboxMessage.in_doubt.is_(True))) is not None


def keys_among(session: Session, keys: list[str]) -> set[str]:
    """Which of these outbox keys are queued already (sent or not)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys[start:start + 500]))))
    return found


def postpone(session: Session, key: str, at: datetime) -> bool:
    """Move a message not yet sent to `at`; False when there is none pending under that key."""
    moved = session.execute(update(OutboxMessage).where(
        OutboxMessage.key == key, OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled_at.is_(None),
        OutboxMessage.dead_at.is_(None)).values(not_before=at, due_at=at, claimed_until=None)
        .execution_options(synchronize_session=False))
    return moved.rowcount == 1
