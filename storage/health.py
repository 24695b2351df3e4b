"""What `python bot.py check` reads: the migrations applied, the coalitions' channels, and what the
outbox still owes. Each opens its own short connection, and only reads."""
from datetime import datetime

from sqlalchemy import Engine, func, select

from storage.db import applied_revisions, read_only
from storage.models import Coalition, OutboxMessage, now


def applied_migrations(engine: Engine) -> set[str]:
    with read_only(engine).connect() as connection:
        return applied_revisions(connection)


def coalition_channels(engine: Engine, team: str) -> list[tuple[str, str]]:
    """(state, channel id) of each coalition of the workspace."""
    query = select(Coalition.state, Coalition.channel_id).where(Coalition.team_id == team).order_by(Coalition.state)
    with read_only(engine).connect() as connection:
        return [(state, channel) for state, channel in connection.execute(query)]


def outbox_state(engine: Engine, at: datetime | None = None) -> tuple[int, int, datetime | None]:
    """Dead letters; messages owed by now (unsent, not given up) and since when the oldest is owed."""
    o = OutboxMessage
    owed = (o.sent_at.is_(None), o.cancelled_at.is_(None), o.dead_at.is_(None), o.not_before <= (at or now()))
    with read_only(engine).connect() as connection:
        dead = connection.scalar(select(func.count()).where(o.dead_at.is_not(None)))
        count, oldest = connection.execute(select(func.count(), func.min(o.not_before)).where(*owed)).one()
    if oldest is not None and oldest.tzinfo is None:   # SQLite keeps the text of a UTC time
        oldest = o.not_before.type.process_result_value(oldest, None)
    return dead, count, oldest


def outbox_figures(engine: Engine) -> tuple[int, int, int, int]:
    """For /metrics: messages owed now, dead letters, follow-up posts sent and missed (given up)."""
    dead, owed, _ = outbox_state(engine)
    o, followup = OutboxMessage, OutboxMessage.key.like("followup:%")
    query = select(func.count(o.sent_at), func.count(o.dead_at).filter(o.last_error.like("gave up%")))
    with read_only(engine).connect() as connection:
        sent, missed = connection.execute(query.where(followup)).one()
    return owed, dead, sent, missed
