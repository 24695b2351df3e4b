"""Delivering the outbox: each queued message sent once, retried until Slack takes it."""
import logging

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.models import now

log = logging.getLogger(__name__)


def deliver(sessions: sessionmaker[Session], client, keys: list[str] | None = None) -> int:
    """Send the queued messages with these keys (or every one that is due); return how many went."""
    with sessions.begin() as session:
        ids = outbox.due_ids(session, now(), keys)
    return sum(_send(sessions, client, message_id) for message_id in ids)


def _send(sessions: sessionmaker[Session], client, message_id: int) -> int:
    """Claim, send, record: no Slack call happens inside a transaction."""
    with sessions.begin() as session:
        message = outbox.claim(session, message_id, now())
        if message is None:
            return 0
        channel, content = message.channel, {"text": message.text, "blocks": message.blocks}
        last_try = message.attempts >= outbox.MAX_ATTEMPTS
    try:
        reply = client.chat_postMessage(channel=channel, **{k: v for k, v in content.items() if v})
    except (SlackApiError, SlackClientError, OSError) as failure:
        if last_try:
            log.error("gave up on queued message %s to %s after %s tries: %s",
                      message_id, channel, outbox.MAX_ATTEMPTS, failure)
        else:
            log.warning("could not send queued message %s to %s (will retry): %s", message_id, channel, failure)
        with sessions.begin() as session:
            outbox.release(session, message_id, str(failure))
        return 0
    with sessions.begin() as session:
        outbox.mark_sent(session, message_id, now(), reply["channel"], reply["ts"])
    return 1


def deliver_due(services, client) -> int:
    """The clock's job: whatever is still owed, from any instance."""
    return deliver(services.sessions, client)
