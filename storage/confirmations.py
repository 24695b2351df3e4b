"""Contacts' yearly confirmations: who is due a question, who left one unanswered, and the answers.

A contact's details were last known good at their *baseline*: when they last confirmed them, or
when they were approved, whichever is later. A question is open while it was asked after the
baseline. Every query filters by the workspace (team_id). Session first, never commit.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session, lazyload

from storage.db import insert_for
from storage.directory import OFFICERS, VICTIM_SERVICES
from storage.models import ContactConfirmation, Stakeholder

CONTACTS = (*OFFICERS, VICTIM_SERVICES)
_C = ContactConfirmation
_APPROVED_AT = func.coalesce(Stakeholder.decided_at, Stakeholder.created_at)
BASELINE = case((_C.confirmed_at > _APPROVED_AT, _C.confirmed_at), else_=_APPROVED_AT)
OPEN = and_(_C.asked_at.is_not(None), _C.asked_at > BASELINE)


@dataclass(frozen=True)
class Standing:
    """A contact, when their details were last known good, and the latest question's round."""

    who: Stakeholder
    baseline: datetime
    round: int


def _contacts(team: str, state: str):
    joined = and_(_C.team_id == team, _C.stakeholder_id == Stakeholder.id)
    return (select(Stakeholder, BASELINE, func.coalesce(_C.round, 0)).options(lazyload(Stakeholder.coverage))
            .outerjoin(_C, joined)
            .where(Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.sector.in_(CONTACTS),
                   Stakeholder.status == "approved"))


def due_questions(session: Session, team: str, state: str, known_since: datetime) -> list[Standing]:
    """The state's approved contacts whose details were last known good before `known_since` and
    who have not been asked since."""
    query = _contacts(team, state).where(BASELINE <= known_since, ~OPEN)
    return [Standing(*row) for row in session.execute(query.order_by(Stakeholder.id))]


def unanswered(session: Session, team: str, state: str, asked_before: datetime, untold: bool = False) -> list[Standing]:
    """The state's contacts whose open question was asked before `asked_before`; `untold`: only
    those the leads have not been told of."""
    query = _contacts(team, state).where(OPEN, _C.asked_at <= asked_before)
    if untold:
        query = query.where(_C.told_round < _C.round)
    return [Standing(*row) for row in session.execute(query.order_by(Stakeholder.name, Stakeholder.id))]


def unconfirmed_since(session: Session, team: str, ids: list[int], asked_before: datetime) -> dict[int, datetime]:
    """Of these contacts, those whose open question was asked before `asked_before`: when their
    details were last known good."""
    if not ids:
        return {}
    rows = session.execute(select(Stakeholder.id, BASELINE).join(_C, _C.stakeholder_id == Stakeholder.id).where(
        _C.team_id == team, Stakeholder.team_id == team, Stakeholder.id.in_(ids), OPEN, _C.asked_at <= asked_before))
    return {stakeholder_id: since for stakeholder_id, since in rows}


def ask(session: Session, team: str, stakeholder_id: int, baseline: datetime, at: datetime) -> int | None:
    """Record a question asked at `at`, once (a compare-and-set: of two clocks at once one asks);
    its round, or None when it was asked already."""
    _ensure(session, team, stakeholder_id)
    asked = session.execute(update(_C).where(
        _C.team_id == team, _C.stakeholder_id == stakeholder_id,
        (_C.asked_at.is_(None)) | (_C.asked_at <= baseline),
    ).values(asked_at=at, round=_C.round + 1).returning(_C.round).execution_options(synchronize_session=False))
    return asked.scalar()


def confirm(session: Session, team: str, stakeholder_id: int, at: datetime) -> None:
    """The contact says their details hold, as of `at`."""
    _ensure(session, team, stakeholder_id)
    session.execute(update(_C).where(_C.team_id == team, _C.stakeholder_id == stakeholder_id)
                    .values(confirmed_at=at).execution_options(synchronize_session=False))


def mark_told(session: Session, team: str, told: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The leads are told of these (contact, round) pairs; those not told already."""
    newly = []
    for stakeholder_id, round_ in told:
        changed = session.execute(update(_C).where(
            _C.team_id == team, _C.stakeholder_id == stakeholder_id, _C.told_round < round_,
        ).values(told_round=round_).execution_options(synchronize_session=False))
        if changed.rowcount == 1:
            newly.append((stakeholder_id, round_))
    return newly


def question(session: Session, team: str, stakeholder_id: int) -> tuple[int, bool, datetime] | None:
    """The contact's latest question: its round, whether it is still open, and when their details
    were last known good; None if they were never asked."""
    row = session.execute(select(_C.round, _C.asked_at, BASELINE).join(
        Stakeholder, Stakeholder.id == _C.stakeholder_id).where(
        _C.team_id == team, Stakeholder.team_id == team, _C.stakeholder_id == stakeholder_id,
        _C.round > 0)).one_or_none()
    return (row[0], row[1] > row[2], row[2]) if row else None


def _ensure(session: Session, team: str, stakeholder_id: int) -> None:
    session.execute(_insert_missing(session.get_bind().dialect.name),
                    {"team_id": team, "stakeholder_id": stakeholder_id, "round": 0, "told_round": 0})


@lru_cache(maxsize=2)
def _insert_missing(dialect: str):
    return insert_for(dialect)(_C.__table__).on_conflict_do_nothing(index_elements=["team_id", "stakeholder_id"])
