"""The outbox: messages owed, queued in the same transaction as the change that caused them.

A row is pending until it is sent, cancelled (no longer worth sending) or dead (Slack refused it
for good, or it was owed for longer than GIVE_UP_AFTER). Functions take the session first and
never commit.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import OutboxMessage, now

GROUP_DM = "@group"   # the channel of a message to several people (params["users"]): opened when sent
CLAIM_FOR = timedelta(seconds=60)  # longer than any one send can take; renewed while a batch is sent
GIVE_UP_AFTER = timedelta(days=7)  # counted from when the message was owed, not from the tries


@dataclass(frozen=True)
class Claimed:
    """A message taken for sending: all the sender needs, detached from any session."""

    id: int
    key: str
    method: str
    channel: str
    ts: str | None
    kind: str
    params: dict | None
    text: str | None
    blocks: list | None
    not_before: datetime
    attempts: int
    in_doubt: bool   # an earlier try may have reached Slack: look before sending again
    team_id: str = ""   # the workspace that owes it: its token sends it


def enqueue(session: Session, key: str, channel: str, text: str | None = None, blocks: list | None = None, *,
            team_id: str, kind: str = "literal", params: dict | None = None, not_before: datetime | None = None,
            method: str = "chat.postMessage", ts: str | None = None) -> bool:
    """Queue a message once per key (on every database, even from two instances at once);
    False when that key was already queued. A `literal` message is sent as its text and blocks;
    any other kind is rendered from its params when it is sent."""
    return enqueue_many(session, [row(key, channel, text, blocks, team_id=team_id, kind=kind, params=params,
                                      not_before=not_before,
                                      method=method, ts=ts)]) == 1


def row(key: str, channel: str, text: str | None = None, blocks: list | None = None, *, team_id: str,
        kind: str = "literal", params: dict | None = None, not_before: datetime | None = None,
        method: str = "chat.postMessage", ts: str | None = None) -> dict:
    """One message to queue with `enqueue_many`, owed in the workspace `team_id` (its token sends it)."""
    at, queued = not_before or now(), now()
    return {"team_id": team_id, "key": key, "method": method, "channel": channel, "ts": ts, "kind": kind,
            "params": params,
            "text": text, "blocks": blocks or None, "created_at": queued, "not_before": at, "due_at": at,
            "attempts": 0, "in_doubt": False, "token": secrets.token_hex(8)}


def enqueue_many(session: Session, rows: list[dict]) -> int:
    """Queue several messages in one statement, each once per key; how many were new."""
    if not rows:
        return 0
    added = session.execute(_insert_new(session.get_bind().dialect.name), rows)
    session.info["outbox_queued"] = True   # the sender is woken once this transaction commits
    return len(added.all())


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    insert = insert_for(dialect)
    table = OutboxMessage.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)


def _pending():
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled_at.is_(None), OutboxMessage.dead_at.is_(None))


def claim_due(session: Session, at: datetime, limit: int = 50, keys: list[str] | None = None,
              claimer: str | None = None, teams: frozenset[str] | None = None) -> list[Claimed]:
    """Take up to `limit` due messages for sending, oldest first; another sender skips them. `teams`:
    only the messages of these workspaces (those the sender holds a token for; None: any)."""
    query = select(OutboxMessage.id).where(
        *_pending(), OutboxMessage.due_at <= at, OutboxMessage.not_before >= at - GIVE_UP_AFTER,   # else missed
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at),
    ).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if keys is not None:
        query = query.where(OutboxMessage.key.in_(keys))
    if teams is not None:
        query = query.where(OutboxMessage.team_id.in_(sorted(teams)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(query.scalar_subquery()))
        .values(claimed_until=at + CLAIM_FOR, claimed_by=claimer, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.key, OutboxMessage.method, OutboxMessage.channel,
                   OutboxMessage.ts, OutboxMessage.kind, OutboxMessage.params, OutboxMessage.text,
                   OutboxMessage.blocks, OutboxMessage.not_before,
                   OutboxMessage.attempts, OutboxMessage.in_doubt, OutboxMessage.team_id)
        .execution_options(synchronize_session=False))
    claimed = sorted((Claimed(*row) for row in rows), key=lambda c: (c.not_before, c.id))
    _mark_in_doubt(session, [c.id for c in claimed if c.method == "chat.postMessage"])
    return claimed


def claimers(session: Session, at: datetime) -> list[str]:
    """Who holds claims that have not lapsed."""
    return list(session.scalars(select(OutboxMessage.claimed_by).distinct().where(
        *_pending(), OutboxMessage.claimed_until >= at, OutboxMessage.claimed_by.is_not(None))))


def release_claims_of(session: Session, gone: list[str]) -> int:
    """Claims held by senders known to be dead are free at once (their sends are in doubt, and
    looked for before they are repeated)."""
    if not gone:
        return 0
    return session.execute(update(OutboxMessage).where(*_pending(), OutboxMessage.claimed_by.in_(gone))
                           .values(claimed_until=None).execution_options(synchronize_session=False)).rowcount


def next_due(session: Session, at: datetime, teams: frozenset[str] | None = None) -> datetime | None:
    """When the soonest pending message (of these workspaces) can next be claimed: when it is due, or
    its claim lapses."""
    free_at = case((OutboxMessage.claimed_until > at, OutboxMessage.claimed_until), else_=OutboxMessage.due_at)
    query = select(func.min(free_at)).where(*_pending())
    return session.scalar(query.where(OutboxMessage.team_id.in_(sorted(teams))) if teams is not None else query)


def still_held(session: Session, message: "Claimed", claimer: str | None, at: datetime) -> bool:
    """Immediately before a send: whether this claim is still this sender's, extending it if so (a
    compare-and-set on the claim). Every claim counts an attempt, so a message claimed again since,
    by anyone (another thread of this process too), no longer matches and is not sent from here."""
    return renew(session, [message], claimer, at) == 1


def renew(session: Session, messages: list["Claimed"], claimer: str | None, at: datetime) -> int:
    """Keep holding messages still being sent, those this claim still holds only; how many."""
    if not messages:
        return 0
    renewed = session.connection().execute(_renew(), [
        {"message_id": m.id, "attempt": m.attempts, "claimer": claimer, "until": at + CLAIM_FOR} for m in messages])
    return renewed.rowcount


@lru_cache(maxsize=1)
def _renew():
    table = OutboxMessage.__table__
    return update(table).where(
        table.c.id == bindparam("message_id"), table.c.attempts == bindparam("attempt"),
        table.c.claimed_by == bindparam("claimer"), table.c.sent_at.is_(None), table.c.cancelled_at.is_(None),
        table.c.dead_at.is_(None),
    ).values(claimed_until=bindparam("until"))


def _mark_in_doubt(session: Session, ids: list[int]) -> None:
    """These are about to be sent: if nothing is heard of them again, Slack may have them."""
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                        .values(in_doubt=True).execution_options(synchronize_session=False))


def mark_sent(session: Session, sent: list[tuple[int, str, str]], at: datetime) -> None:
    """Record messages Slack has taken, in one statement: (id, channel, ts) each."""
    if sent:
        session.connection().execute(_mark_sent(), [
            {"message_id": message_id, "sent_channel": channel, "sent_ts": ts, "sent_at": at}
            for message_id, channel, ts in sent])


@lru_cache(maxsize=1)
def _mark_sent():
    table = OutboxMessage.__table__
    return update(table).where(table.c.id == bindparam("message_id")).values(
        sent_at=bindparam("sent_at"), sent_channel=bindparam("sent_channel"), sent_ts=bindparam("sent_ts"),
        claimed_until=None, last_error=None, in_doubt=False)


def _claim_of(message_id: int, attempt: int | None):
    """The message, as long as no one claimed it again since this attempt (when one is given)."""
    return (OutboxMessage.id == message_id,
            *((OutboxMessage.attempts == attempt, OutboxMessage.sent_at.is_(None)) if attempt is not None else ()))


def retry_later(session: Session, message_id: int, due_at: datetime, error: str, in_doubt: bool,
                attempt: int | None = None) -> None:
    """A send failed for now: try again at `due_at`."""
    session.execute(update(OutboxMessage).where(*_claim_of(message_id, attempt)).values(
        claimed_until=None, due_at=due_at, last_error=error[:200], in_doubt=in_doubt,
    ).execution_options(synchronize_session=False))


def bury(session: Session, message_id: int, at: datetime, error: str, attempt: int | None = None,
         in_doubt: bool = False) -> None:
    """Slack refused the message for good (or it cannot be rendered here, `in_doubt` as it was before this
    try): keep it as a dead letter, shown to admins."""
    session.execute(update(OutboxMessage).where(*_claim_of(message_id, attempt)).values(
        claimed_until=None, dead_at=at, last_error=error[:200], in_doubt=in_doubt,
    ).execution_options(synchronize_session=False))


def bury_expired(session: Session, at: datetime) -> int:
    """Messages owed for longer than GIVE_UP_AFTER are given up: dead, with the reason."""
    expired = session.execute(update(OutboxMessage).where(
        *_pending(), OutboxMessage.not_before < at - GIVE_UP_AFTER,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at),
    ).values(dead_at=at, claimed_until=None, last_error=func.substr(
        literal("gave up after 7 days; last error: ") + func.coalesce(OutboxMessage.last_error, "none"), 1, 200),
    ).execution_options(synchronize_session=False))
    return expired.rowcount


CANNOT_RENDER = "cannot render: "   # the reason of a dead letter the running code could not render
UNKNOWN_KIND = CANNOT_RENDER + "a kind this version does not know"


def revive_renderable(session: Session, kinds: frozenset[str], at: datetime, also_failed: bool = False) -> int:
    """Dead letters that a version not knowing their kind could not render, of kinds known here (and,
    `also_failed`, those whose renderer raised): owed again. Their 7 days still count from when they
    were first owed."""
    reasons = [OutboxMessage.last_error.startswith(UNKNOWN_KIND, autoescape=True)]
    if also_failed:
        reasons.append(OutboxMessage.last_error.startswith(CANNOT_RENDER, autoescape=True))
    revived = session.execute(update(OutboxMessage).where(
        OutboxMessage.dead_at.is_not(None), OutboxMessage.kind.in_(sorted(kinds)), or_(*reasons),
    ).values(dead_at=None, due_at=at, claimed_until=None).execution_options(synchronize_session=False))
    if revived.rowcount:
        session.info["outbox_queued"] = True
    return revived.rowcount


def dead_letters(session: Session, team_id: str, limit: int = 20, offset: int = 0) -> list[OutboxMessage]:
    """The workspace's messages given up on, newest first (one page of them)."""
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.team_id == team_id,
                                                            OutboxMessage.dead_at.is_not(None))
                                .order_by(OutboxMessage.dead_at.desc(), OutboxMessage.id.desc())
                                .offset(offset).limit(limit)))


def dead_count(session: Session, team_id: str) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.team_id == team_id, OutboxMessage.dead_at.is_not(None)))


def revive(session: Session, team_id: str, message_id: int, at: datetime) -> bool:
    """Try one of the workspace's dead letters again, from now on."""
    revived = session.execute(update(OutboxMessage).where(
        OutboxMessage.team_id == team_id, OutboxMessage.id == message_id, OutboxMessage.dead_at.is_not(None)).values(
        dead_at=None, not_before=at, due_at=at, claimed_until=None,
    ).execution_options(synchronize_session=False))
    session.info["outbox_queued"] = True
    return revived.rowcount == 1


def cancel(session: Session, ids: list[int], at: datetime) -> None:
    """Claimed messages that no longer apply (the request they ask about was decided, say)."""
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
            cancelled_at=at, claimed_until=None, in_doubt=False).execution_options(synchronize_session=False))


def cancel_unsent(session: Session, key_prefix: str, at: datetime) -> None:
    """Messages no longer worth sending (an approval request already decided, say)."""
    session.execute(update(OutboxMessage).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True), *_pending(),
    ).values(cancelled_at=at).execution_options(synchronize_session=False))


def sent_messages(session: Session, key_prefix: str) -> list[tuple[str, str]]:
    """(channel, ts) of the messages sent under keys starting with this prefix."""
    rows = session.execute(select(OutboxMessage.sent_channel, OutboxMessage.sent_ts).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True), OutboxMessage.sent_at.is_not(None)))
    return [(channel, ts) for channel, ts in rows]


def keys_with_prefix(session: Session, key_prefix: str) -> set[str]:
    return set(session.scalars(select(OutboxMessage.key).where(
        OutboxMessage.key.startswith(key_prefix, autoescape=True))))
