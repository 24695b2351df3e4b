"""Approvers' digests and what waits for each approver. Functions take the session first and never commit."""
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import ApprovalDigest, Coalition, OutboxMessage, Stakeholder


def locked(session: Session, team_id: str, approver: str, at: datetime) -> tuple[ApprovalDigest, bool]:
    """The approver's digest row in a workspace, locked for this transaction, made if missing:
    (row, made). Changes and renders of one approver's message take turns on it."""
    made = session.execute(
        insert_for(session.get_bind().dialect.name)(ApprovalDigest.__table__)
        .on_conflict_do_nothing(index_elements=["team_id", "approver"])
        .returning(ApprovalDigest.__table__.c.approver),
        {"team_id": team_id, "approver": approver, "generation": 1, "started_at": at, "version": 1,
         "shown_version": 0, "owed_key": None, "updates": 0},
    ).first() is not None
    query = (select(ApprovalDigest).where(ApprovalDigest.team_id == team_id, ApprovalDigest.approver == approver)
             .with_for_update().execution_options(populate_existing=True))
    return session.scalar(query), made


def existing(session: Session, team_id: str, approver: str) -> ApprovalDigest | None:
    """The approver's digest row, locked, or None when they never had one."""
    query = (select(ApprovalDigest).where(ApprovalDigest.team_id == team_id, ApprovalDigest.approver == approver)
             .with_for_update().execution_options(populate_existing=True))
    return session.scalar(query)


def has_any(session: Session, team_id: str, approver: str) -> bool:
    """Whether the approver ever had a message of the workspace's waiting registrations."""
    return session.scalar(select(func.count()).select_from(ApprovalDigest).where(
        ApprovalDigest.team_id == team_id, ApprovalDigest.approver == approver)) > 0


def message_state(session: Session, key: str) -> tuple[str, str | None, str | None]:
    """Where an owed message stands: ("pending" | "sent" | "gone" | "missing", channel, ts)."""
    row = session.execute(select(OutboxMessage.sent_at, OutboxMessage.sent_channel, OutboxMessage.sent_ts,
                                 OutboxMessage.cancelled_at, OutboxMessage.dead_at)
                          .where(OutboxMessage.key == key)).first()
    if row is None:
        return "missing", None, None
    sent_at, channel, ts, cancelled_at, dead_at = row
    if sent_at is not None:
        return "sent", channel, ts
    return ("gone" if cancelled_at is not None or dead_at is not None else "pending"), None, None


def led_states(session: Session, team_id: str, lead: str) -> list[str]:
    """The states whose coalition this person leads in the workspace."""
    rows = session.execute(select(Coalition.state, Coalition.leads).where(Coalition.team_id == team_id))
    return sorted(state for state, leads in rows if lead in (leads or []))


def _waiting(team_id: str, excluding: str, states: list[str] | None) -> list:
    where = [Stakeholder.team_id == team_id, Stakeholder.status == "pending", Stakeholder.slack_user_id != excluding]
    return where if states is None else [*where, Stakeholder.state.in_(states)]


def waiting(session: Session, team_id: str, excluding: str, states: list[str] | None, limit: int) -> list[Stakeholder]:
    """The workspace's oldest registrations waiting (in these states; None: all), never `excluding`'s own."""
    return list(session.scalars(select(Stakeholder).where(*_waiting(team_id, excluding, states))
                                .order_by(Stakeholder.created_at, Stakeholder.id).limit(limit)))


def waiting_by_state(session: Session, team_id: str, excluding: str, states: list[str] | None) -> dict[str, int]:
    """How many of the workspace's registrations wait in each state (these states; None: all), never
    `excluding`'s own."""
    rows = session.execute(select(Stakeholder.state, func.count()).where(*_waiting(team_id, excluding, states))
                           .group_by(Stakeholder.state))
    return {state: count for state, count in rows}


def decided_since(session: Session, team_id: str, excluding: str, states: list[str] | None, since: datetime,
                  limit: int) -> list[Stakeholder]:
    """The workspace's registrations decided since `since` (newest first), in these states (None: all)."""
    where = [Stakeholder.team_id == team_id, Stakeholder.status.in_(("approved", "declined")),
             Stakeholder.decided_at >= since, Stakeholder.slack_user_id != excluding]
    if states is not None:
        where.append(Stakeholder.state.in_(states))
    return list(session.scalars(select(Stakeholder).where(*where)
                                .order_by(Stakeholder.decided_at.desc(), Stakeholder.id.desc()).limit(limit)))
