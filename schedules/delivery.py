"""Delivering the outbox, on threads of its own: never in a thread that acknowledges Slack.

The sender wakes as soon as a transaction that queued a message commits, and on a short tick.
Each batch of due messages is claimed in one statement; another sender (a second instance, or
`python bot.py dispatch`) skips what is claimed. Slack's answers decide what happens next:

- taken: marked sent (in a batch);
- 429: tried again after its Retry-After, and the method is paused as long; nobody sleeps;
- 5xx, a timeout, a lost connection: backed off exponentially with jitter; Slack may have the
  message, so the next try first looks for its key in the conversation's recent history;
- a permanent error (`channel_not_found`, `invalid_blocks`, ...): a dead letter at once;
- owed for over 7 days: a dead letter. Admins see dead letters and can retry them.
"""
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.models import now

log = logging.getLogger(__name__)

METADATA_EVENT = "tat_outbox_message"
PERMANENT = frozenset({
    "channel_not_found", "invalid_blocks", "invalid_blocks_format", "not_in_channel", "account_inactive",
    "is_archived", "user_not_found", "user_disabled", "msg_too_long", "no_text", "invalid_arguments",
    "cannot_dm_bot", "message_not_found", "cant_update_message", "edit_window_closed", "invalid_metadata_format",
    "invalid_metadata_schema", "metadata_too_large", "restricted_action", "too_many_attachments",
})
RENEW_EVERY = 20.0   # seconds; claims last a minute


@dataclass(frozen=True)
class Sent:
    channel: str
    ts: str


@dataclass(frozen=True)
class Later:
    due_at: datetime
    error: str
    in_doubt: bool


@dataclass(frozen=True)
class Dead:
    error: str


class Sender:
    """Sends what the outbox owes: `start()` for threads of its own, `send_due()` for one pass."""

    def __init__(self, sessions: sessionmaker[Session], client, render, *, threads: int = 2, tick: float = 5.0,
                 batch: int = 50, clock=now):
        """`render(session, claimed)` gives a claimed message's text and blocks, or None when it no
        longer applies (handlers/notices.py)."""
        self.sessions, self.client, self.render, self.clock = sessions, client, render, clock
        self._threads, self._tick, self._batch = threads, tick, batch
        self._wake, self._stop = threading.Event(), threading.Event()
        self._paused: dict[str, datetime] = {}   # method → when Slack will take it again
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        event.listen(sessions, "after_commit", self._after_commit)

    # -- running --------------------------------------------------------------------------------
    def start(self) -> "Sender":
        for number in range(self._threads):
            worker = threading.Thread(target=self._run, name=f"sender-{number}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 15) -> None:
        self._stop.set()
        self._wake.set()
        for worker in self._workers:
            worker.join(timeout)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("outbox_queued", False):
            self._wake.set()

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            try:
                self.send_due()
                wait = self._until_next_due()
            except Exception:   # the database is away, say: the next tick tries again
                log.exception("the sender could not read the outbox; trying again in %s s", self._tick)
                wait = self._tick

    def _until_next_due(self) -> float:
        with self.sessions.begin() as session:
            due = outbox.next_due(session, self.clock())
        seconds = (due - self.clock()).total_seconds() if due else self._tick
        return min(max(seconds, 0.05), self._tick)

    # -- sending --------------------------------------------------------------------------------
    def send_due(self, keys: list[str] | None = None) -> int:
        """Send every message due now (or just these keys); return how many Slack took."""
        taken = 0
        in_worker = threading.current_thread() in self._workers
        while not (in_worker and self._stop.is_set()):   # a worker stops between batches
            with self.sessions.begin() as session:
                claimed = outbox.claim_due(session, self.clock(), self._batch, keys)
                batch = self._rendered(session, claimed)
            if not claimed:
                return taken
            taken += self._send_batch(batch)
        return taken

    def _rendered(self, session: Session, claimed: list[outbox.Claimed]) -> list[tuple[outbox.Claimed, dict]]:
        """Each message's content as of now; those that no longer apply are dropped."""
        batch, dropped = [], []
        for message in claimed:
            try:
                shown = self.render(session, message)
            except Exception:
                log.exception("queued message %s (%s) could not be rendered", message.id, message.kind)
                shown = None
            if shown is None:
                dropped.append(message.id)
            else:
                batch.append((message, {"text": shown.text, **({"blocks": shown.blocks} if shown.blocks else {})}))
        outbox.cancel(session, dropped, self.clock())
        return batch

    def _send_batch(self, batch: list[tuple[outbox.Claimed, dict]]) -> int:
        sent: list[tuple[int, str, str]] = []
        renewed = time.monotonic()
        for position, (message, content) in enumerate(batch):
            if time.monotonic() - renewed > RENEW_EVERY:
                with self.sessions.begin() as session:
                    outbox.renew(session, [m.id for m, _ in batch[position:]], self.clock())
                renewed = time.monotonic()
            outcome = self._deliver(message, content)
            if isinstance(outcome, Sent):
                sent.append((message.id, outcome.channel, outcome.ts))
            else:
                self._record_failure(message, outcome)
        with self.sessions.begin() as session:
            outbox.mark_sent(session, sent, self.clock())
        return len(sent)

    def _record_failure(self, message: outbox.Claimed, outcome: Later | Dead) -> None:
        with self.sessions.begin() as session:
            if isinstance(outcome, Dead):
                log.error("message %s (%s) to %s refused by Slack for good: %s; kept as a dead letter",
                          message.id, message.key.split(":")[0], message.channel, outcome.error)
                outbox.bury(session, message.id, self.clock(), outcome.error)
            else:
                log.warning("message %s to %s not sent yet (%s); next try at %s", message.id, message.channel,
                            outcome.error, outcome.due_at.strftime("%H:%M:%S"))
                outbox.retry_later(session, message.id, outcome.due_at, outcome.error, outcome.in_doubt)

    def _deliver(self, message: outbox.Claimed, content: dict) -> Sent | Later | Dead:
        paused = self._paused_until(message.method)
        if paused:
            return Later(paused, "ratelimited", in_doubt=message.in_doubt)
        try:
            if message.in_doubt:
                found = self._find_earlier_send(message)
                if found:
                    log.info("message %s had reached Slack before; not sending it again", message.id)
                    return found
            return self._call(message, content)
        except SlackApiError as refused:
            return self._refused(message, refused)
        except (SlackClientError, OSError) as lost:   # timeouts and dropped connections: Slack may have it
            return Later(self._backoff(message), type(lost).__name__, in_doubt=message.method == "chat.postMessage")

    def _call(self, message: outbox.Claimed, content: dict) -> Sent:
        if message.method == "chat.update":
            reply = self.client.chat_update(channel=message.channel, ts=message.ts, **content)
        else:
            reply = self.client.chat_postMessage(
                channel=self._conversation(message),
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": message.key}}, **content)
        return Sent(reply["channel"], reply["ts"])

    def _refused(self, message: outbox.Claimed, refused: SlackApiError) -> Later | Dead:
        status = refused.response.status_code
        error = str(refused.response.get("error") or f"HTTP {status}")
        if status == 429:
            retry_after = _retry_after(refused.response.headers)
            self._pause(message.method, retry_after)
            return Later(self.clock() + timedelta(seconds=retry_after), "ratelimited", in_doubt=message.in_doubt)
        if status >= 500:
            return Later(self._backoff(message), error, in_doubt=message.method == "chat.postMessage")
        if error in PERMANENT:
            return Dead(error)
        return Later(self._backoff(message), error, in_doubt=False)

    def _find_earlier_send(self, message: outbox.Claimed) -> Sent | None:
        """An earlier try's outcome is unknown: look for its key in the conversation's history."""
        channel = self._conversation(message)
        if channel[:1] in ("U", "W"):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        oldest = f"{(message.not_before - timedelta(minutes=1)).timestamp():.6f}"
        cursor = None
        for _ in range(10):
            page = self.client.conversations_history(channel=channel, oldest=oldest, limit=200, cursor=cursor,
                                                     include_all_metadata=True)
            for seen in page.get("messages", []):
                metadata = seen.get("metadata") or {}
                if (metadata.get("event_type") == METADATA_EVENT
                        and (metadata.get("event_payload") or {}).get("key") == message.key):
                    return Sent(channel, seen["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None
        return None

    def _conversation(self, message: outbox.Claimed) -> str:
        """Where a message goes: its channel, or for several people (an introduction) the group DM
        Slack opens for them (the same one every time, so a retry finds an earlier send there)."""
        if message.channel != outbox.GROUP_DM:
            return message.channel
        users = ",".join((message.params or {}).get("users") or [])
        return self.client.conversations_open(users=users)["channel"]["id"]

    def _backoff(self, message: outbox.Claimed) -> datetime:
        seconds = min(2 ** max(message.attempts - 1, 0), 900) * random.uniform(0.5, 1.5)   # 1 s, 2 s, 4 s…
        return self.clock() + timedelta(seconds=seconds)

    def _pause(self, method: str, seconds: float) -> None:
        with self._lock:
            until = self.clock() + timedelta(seconds=seconds)
            self._paused[method] = max(self._paused.get(method, until), until)

    def _paused_until(self, method: str) -> datetime | None:
        with self._lock:
            until = self._paused.get(method)
        return until if until and until > self.clock() else None


def _retry_after(headers) -> float:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return min(max(float(value), 1.0), 3600.0)
    except (TypeError, ValueError):
        return 30.0


def bury_expired(services) -> int:
    """The clock's job: messages owed for over 7 days become dead letters, shown to admins."""
    with services.sessions.begin() as session:
        buried = outbox.bury_expired(session, services.clock())
    if buried:
        log.error("%s message(s) were owed for over 7 days and were given up; see /tat outbox", buried)
    return buried
