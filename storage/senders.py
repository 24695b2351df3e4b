"""Who sends the outbox: every sender process names itself with a random id, which its claims
carry, and beats a heartbeat into `senders`. Liveness is judged by the heartbeat alone: a host
name and a process id say nothing across containers that share a host name.

Functions take the session first and never commit.
"""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import SenderBeat

BEAT_EVERY = 5.0                       # seconds between heartbeats
SILENT_AFTER = timedelta(seconds=20)   # a sender not heard of for this long is taken for dead
FORGET_AFTER = timedelta(days=1)       # the rows of long-dead senders are removed


def new_id() -> str:
    return secrets.token_hex(16)


def beat(session: Session, sender: str, host: str, at: datetime) -> None:
    """This sender is alive at `at`."""
    insert = insert_for(session.get_bind().dialect.name)
    statement = insert(SenderBeat).values(id=sender, host=host[:120], started_at=at, seen_at=at)
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"seen_at": at}))


def leave(session: Session, sender: str) -> None:
    """A sender that stops cleanly says so (its claims were settled first)."""
    session.execute(delete(SenderBeat).where(SenderBeat.id == sender))


def silent(session: Session, at: datetime, among: list[str]) -> list[str]:
    """Which of these senders have not beaten for SILENT_AFTER (ids no sender row holds are not judged:
    a claim made by an older version, say, is left to lapse)."""
    if not among:
        return []
    return list(session.scalars(select(SenderBeat.id).where(SenderBeat.id.in_(among),
                                                            SenderBeat.seen_at < at - SILENT_AFTER)))


def forget_long_gone(session: Session, at: datetime) -> int:
    return session.execute(delete(SenderBeat).where(SenderBeat.seen_at < at - FORGET_AFTER)).rowcount
