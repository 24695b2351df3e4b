"""Delivering the outbox, on threads of its own: never in a thread that acknowledges Slack.

The sender wakes as soon as a transaction that queued a message commits, and on a short tick.
Each batch of due messages is claimed in one statement; another sender (a second instance, or
`python bot.py dispatch`) skips what is claimed. Slack's answers decide what happens next:

- taken: marked sent (in a batch);
- 429: tried again after its Retry-After, and the method is paused as long; nobody sleeps;
- 5xx, a timeout, a lost connection: backed off exponentially with jitter; Slack may have the
  message, so the next try first looks for its key in the conversation's recent history (a post's
  picture, which follows it into its thread once it is sent: in that thread, schedules/pictures.py);
- a permanent error (`channel_not_found`, `invalid_blocks`, ...): a dead letter at once;
- owed for over 7 days: a dead letter, never sent late (looked for before each pass). Admins see
  dead letters and can retry them.
"""
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

import metrics
from schedules import pictures
from schedules.pace import Pace
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
IN_DOUBT = frozenset({"chat.postMessage", pictures.METHOD})   # a lost answer may hide a send: look before repeating


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


@dataclass(frozen=True)
class Gone:
    """Slack says the person the message is for is deactivated: it is not sent (see `Recipients`)."""


@dataclass(frozen=True)
class Recipients:
    """Messages of these kinds go to a person only while Slack has them: `users.info` is asked first
    (Slack takes a message to a deactivated person as if they were there), and `gone(session,
    claimed, at)` is told of one who is not, in the transaction that records the outcome."""

    checked: frozenset[str] = frozenset()
    gone: Callable[[Session, "outbox.Claimed", datetime], object] = lambda session, claimed, at: None


class Sender:
    """Sends what the outbox owes: `start()` for threads of its own, `send_due()` for one pass."""

    def __init__(self, sessions: sessionmaker[Session], client, render, *, threads: int = 2, tick: float = 5.0,
                 batch: int = 50, clock=now, recipients: Recipients | None = None, teams=lambda: None):
        """`render(session, claimed)` gives a claimed message's text and blocks, or None when it no
        longer applies (handlers/notices.py). `teams()`: the workspaces whose messages this sender sends
        (those its client's token belongs to; None: every one's, as before auth.test has named it)."""
        self.sessions, self.client, self.render, self.clock = sessions, client, render, clock
        self.teams = teams
        self.recipients = recipients or Recipients()
        self._threads, self._tick, self._batch = threads, tick, batch
        self._wake, self._stop = threading.Event(), threading.Event()
        self.pace = Pace(clock)
        self.claimer = f"{socket.gethostname()}:{os.getpid()}"
        self._freed_the_dead = False
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
            due = outbox.next_due(session, self.clock(), self.teams())
        seconds = (due - self.clock()).total_seconds() if due else self._tick
        return min(max(seconds, 0.05), self._tick)

    # -- sending --------------------------------------------------------------------------------
    def send_due(self, keys: list[str] | None = None) -> int:
        """Send every message due now (or just these keys); return how many Slack took."""
        taken = 0
        if not self._freed_the_dead:
            self._free_claims_of_dead_senders()
        self._give_up_expired()
        in_worker = threading.current_thread() in self._workers
        while not (in_worker and self._stop.is_set()):   # a worker stops between batches
            with self.sessions.begin() as session:
                claimed = outbox.claim_due(session, self.clock(), self._batch, keys, self.claimer, self.teams())
                batch = self._rendered(session, claimed)
            if not claimed:
                return taken
            taken += self._send_batch(batch)
        return taken

    def _free_claims_of_dead_senders(self) -> None:
        """A sender of this host that was killed mid-batch holds claims for a minute: free them now."""
        with self.sessions.begin() as session:
            gone = [c for c in outbox.claimers(session, self.clock()) if _dead_here(c, self.claimer)]
            freed = outbox.release_claims_of(session, gone)
        if freed:
            log.info("took over %s message(s) claimed by a sender that died (%s)", freed, ", ".join(gone))
        self._freed_the_dead = True

    def _give_up_expired(self) -> None:
        """What was owed for over 7 days (the bot was down, say) is missed, never sent late."""
        with self.sessions.begin() as session:
            buried = outbox.bury_expired(session, self.clock())
        metrics.DEAD.labels("expired").inc(buried)
        if buried:
            log.error("%s message(s) were owed for over 7 days and were given up; see /tat outbox", buried)

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
                batch.append((message, {"text": shown.text, **({"blocks": shown.blocks} if shown.blocks else {}),
                                        **({"picture": shown.picture} if shown.picture else {})}))
        outbox.cancel(session, dropped, self.clock())
        return batch

    def _send_batch(self, batch: list[tuple[outbox.Claimed, dict]]) -> int:
        """Send each message, then record every outcome in one transaction."""
        sent: list[tuple[int, str, str]] = []
        owed: list[dict] = []   # what a message sent brings with it: its picture, into its thread
        failed: list[tuple[outbox.Claimed, Later | Dead | Gone]] = []
        renewed = time.monotonic()
        for position, (message, content) in enumerate(batch):
            if time.monotonic() - renewed > RENEW_EVERY:
                with self.sessions.begin() as session:
                    outbox.renew(session, [m.id for m, _ in batch[position:]], self.clock())
                renewed = time.monotonic()
            outcome = self._deliver(message, content)
            if isinstance(outcome, Sent):
                sent.append((message.id, outcome.channel, outcome.ts))
                metrics.SENT.labels(message.kind).inc()
                owed += filter(None, [pictures.owed(message, content, outcome.channel, outcome.ts, self.clock())])
            else:
                failed.append((message, outcome))
        with self.sessions.begin() as session:
            outbox.mark_sent(session, sent, self.clock())
            outbox.enqueue_many(session, owed)
            for message, outcome in failed:
                self._record_failure(session, message, outcome)
        return len(sent)

    def _record_failure(self, session: Session, message: outbox.Claimed, outcome: Later | Dead | Gone) -> None:
        if isinstance(outcome, Gone):
            log.info("message %s (%s) not sent: its recipient is deactivated in Slack", message.id, message.kind)
            outbox.cancel(session, [message.id], self.clock())
            self.recipients.gone(session, message, self.clock())
            return
        if isinstance(outcome, Dead):
            log.error("message %s (%s) to %s refused by Slack for good: %s; kept as a dead letter",
                      message.id, message.kind, message.channel, outcome.error)
            outbox.bury(session, message.id, self.clock(), outcome.error)
            metrics.DEAD.labels(message.kind).inc()
            return
        metrics.RETRIED.labels(message.kind).inc()
        quiet = outcome.error == "ratelimited"    # expected under load: the method is paused, not failing
        log.log(logging.DEBUG if quiet else logging.WARNING, "message %s to %s not sent yet (%s); next try at %s",
                message.id, message.channel, outcome.error, outcome.due_at.strftime("%H:%M:%S"))
        outbox.retry_later(session, message.id, outcome.due_at, outcome.error, outcome.in_doubt)

    def _deliver(self, message: outbox.Claimed, content: dict) -> Sent | Later | Dead | Gone:
        paused = self.pace.paused_until(message.method)
        if paused:
            return Later(paused, "ratelimited", in_doubt=message.in_doubt)
        if message.kind in self.recipients.checked and self._deactivated(message.channel):
            return Gone()
        self.pace.take_turn(message.method, self._stop)
        try:
            if message.in_doubt:
                found = self._find_earlier_send(message, content)
                if found:
                    log.info("message %s had reached Slack before; not sending it again", message.id)
                    return found
            return self._call(message, content)
        except SlackApiError as refused:
            return self._refused(message, refused)
        except (SlackClientError, OSError) as lost:   # timeouts and dropped connections: Slack may have it
            return Later(self._backoff(message), type(lost).__name__, in_doubt=message.method in IN_DOUBT)

    def _deactivated(self, user: str) -> bool:
        """Whether Slack says this person is deactivated (or was never here). Any other answer, or
        none, sends the message: the question only keeps a message from someone who left."""
        try:
            return bool(self.client.users_info(user=user)["user"].get("deleted"))
        except SlackApiError as refused:
            return refused.response.get("error") == "user_not_found"
        except (SlackClientError, OSError, KeyError, TypeError, AttributeError):
            return False

    def _call(self, message: outbox.Claimed, content: dict) -> Sent:
        content = dict(content)
        picture = content.pop("picture", None)
        if message.method == pictures.METHOD:
            pictures.upload(self.client, message, picture)
            reply = {"channel": message.channel, "ts": message.ts or ""}
        elif message.method == "chat.update":
            reply = self.client.chat_update(channel=message.channel, ts=message.ts, **content)
        else:
            reply = self._post(message, content)   # a picture follows, into the post's thread (pictures.owed)
        self.pace.sent(message.method)
        return Sent(reply["channel"], reply["ts"])

    def _post(self, message: outbox.Claimed, content: dict):
        return self.client.chat_postMessage(
            channel=self._conversation(message),
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": message.key}}, **content)

    def _refused(self, message: outbox.Claimed, refused: SlackApiError) -> Later | Dead:
        status = refused.response.status_code
        error = str(refused.response.get("error") or f"HTTP {status}")
        if status == 429:
            metrics.RATE_LIMITED.labels(message.method).inc()
            until = self.pace.refused(message.method, _retry_after(refused.response.headers))
            return Later(until, "ratelimited", in_doubt=message.in_doubt)
        if status >= 500:
            return Later(self._backoff(message), error, in_doubt=message.method in IN_DOUBT)
        if error in PERMANENT:
            return Dead(error)
        return Later(self._backoff(message), error, in_doubt=False)

    def _find_earlier_send(self, message: outbox.Claimed, content: dict) -> Sent | None:
        """An earlier try's outcome is unknown: look for its key in the conversation's history (a
        picture: in its post's thread)."""
        if message.method == pictures.METHOD:
            shared = pictures.shared_before(self.client, message, content.get("picture"))
            return Sent(message.channel, message.ts or "") if shared else None
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


def _dead_here(claimer: str, me: str) -> bool:
    """True for a sender of this host whose process is gone."""
    host, _, pid = claimer.rpartition(":")
    if claimer == me or host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:   # alive, but not ours to signal
        return False
    return False


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
    metrics.DEAD.labels("expired").inc(buried)
    if buried:
        log.error("%s message(s) were owed for over 7 days and were given up; see /tat outbox", buried)
    return buried
