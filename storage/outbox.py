"""The outbox: messages owed, queued in the same transaction as the change that caused them.

Functions take the session first and never commit.
"""
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

CLAIM_FOR = timedelta(minutes=2)   # another instance may retry a send that has not finished by then
MAX_ATTEMPTS = 20
GIVE_UP_AFTER = timedelta(days=7)


def enqueue(session: Session, key: str, channel: str, text: str, blocks: list | None = None) -> bool:
    """Queue a message once per key; False when that key was already queued."""
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    session.add(OutboxMessage(key=key, channel=channel, text=text, blocks=blocks or None, attempts=0))
    session.flush()
    return True


def due_ids(session: Session, at: datetime, keys: list[str] | None = None, limit: int = 200) -> list[int]:
    """Messages not yet sent, given up or being sent by someone else: these keys, or all of them."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled_at.is_(None),
        OutboxMessage.attempts < MAX_ATTEMPTS, OutboxMessage.created_at > at - GIVE_UP_AFTER,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at),
    )
    if keys is not None:
        query = query.where(OutboxMessage.key.in_(keys))
    return list(session.scalars(query.order_by(OutboxMessage.id).limit(limit)))


def claim(session: Session, message_id: int, at: datetime) -> OutboxMessage | None:
    """Take the message for sending, unless it was sent or another sender holds it."""
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
               OutboxMessage.cancelled_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at))
        .values(claimed_until=at + CLAIM_FOR, attempts=OutboxMessage.attempts + 1)
    )
    return session.get(OutboxMessage, message_id) if claimed.rowcount == 1 else None


def mark_sent(session: Session, message_id: int, at: datetime, channel: str, ts: str) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        sent_at=at, sent_channel=channel, sent_ts=ts, claimed_until=None, last_error=None))


def release(session: Session, message_id: int, error: str) -> None:
    """A send failed: let the next round try again."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        claimed_until=None, last_error=error[:200]))


def cancel_unsent(session: Session, key_prefix: str, at: datetime) -> None:
    """Messages no longer worth sending (an approval request already decided, say)."""
    session.execute(update(OutboxMessage).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True), OutboxMessage.sent_at.is_(None),
    ).values(cancelled_at=at))


def sent_messages(session: Session, key_prefix: str) -> list[tuple[str, str]]:
    """(channel, ts) of the messages sent under keys starting with this prefix."""
    rows = session.execute(select(OutboxMessage.sent_channel, OutboxMessage.sent_ts).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True), OutboxMessage.sent_at.is_not(None)))
    return [(channel, ts) for channel, ts in rows]
