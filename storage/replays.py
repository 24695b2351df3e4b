"""Requests the bot has acted on, and forms it opened, by key: a replay is recognised by its key.

`first_time` is a compare-and-set: of any number of transactions inserting the same key at once,
one is told True; the others (on PostgreSQL, once that one commits) are told False."""
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import SeenRequest

KEPT_FOR = timedelta(days=1)   # far longer than a signed request stays valid (five minutes)
KEY_LENGTH = 200


def first_time(session: Session, team_id: str, key: str, at: datetime) -> bool:
    """Note this key in the caller's transaction; False when it was noted before (a replay)."""
    row = {"team_id": team_id[:32], "key": key[:KEY_LENGTH], "at": at}
    return len(session.execute(_insert_new(session.get_bind().dialect.name), [row]).all()) == 1


def seen(session: Session, team_id: str, key: str) -> bool:
    return session.scalar(select(SeenRequest.at).where(SeenRequest.team_id == team_id[:32],
                                                       SeenRequest.key == key[:KEY_LENGTH])) is not None


def forget_old(session: Session, at: datetime) -> int:
    """Let go of keys older than KEPT_FOR; how many."""
    return session.execute(delete(SeenRequest).where(SeenRequest.at < at - KEPT_FOR)).rowcount


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    table = SeenRequest.__table__
    return insert_for(dialect)(table).on_conflict_do_nothing(index_elements=["team_id", "key"]).returning(table.c.key)
