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
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

import metrics
from domain.notices import UnknownKind
from schedules import pictures
from schedules.pace import Pace
from storage import outbox, senders
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
REVIVE_EVERY = 60.0  # seconds between looks for dead letters another version could not render
IN_DOUBT = frozenset({"chat.postMessage", pictures.METHOD})   # a lost answer may hide a send: look before repeating
MAX_DOUBLINGS = 10   # of the back-off: 2 ** 10 s is past its 15-minute cap


class _Spread(Jitter):
    """A back-off spread by half either way, so that messages refused together are not retried together."""

    def recalculate(self, duration: float) -> float:
        return min(duration, 900.0) * random.uniform(0.5, 1.5)


BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=1.0, jitter=_Spread())   # 1 s, 2 s, 4 s…


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
class Lost:
    """The claim lapsed and another sender (or thread) took the message: it is theirs to send."""


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
                 batch: int = 50, clock=now, recipients: Recipients | None = None,
                 kinds: frozenset[str] = frozenset({"literal"}), teams=lambda: None):
        """`render(session, claimed)` gives a claimed message's text and blocks, or None when it no
        longer applies; it raises for a kind it does not know (handlers/notices.py). `kinds`: the
        kinds it knows (dead letters of these that another version could not render are tried again).
        `teams()`: the workspaces whose messages this sender sends (those its client's token belongs
        to; None: every one's, as before auth.test has named it)."""
        self.sessions, self.client, self.render, self.clock = sessions, client, render, clock
        self.teams = teams
        self.recipients = recipients or Recipients()
        self._threads, self._tick, self._batch = threads, tick, batch
        self._wake, self._stop = threading.Event(), threading.Event()
        self.pace = Pace(clock)
        self.claimer = senders.new_id()   # what its claims carry; alive while its heartbeat is (storage/senders.py)
        self._beaten_at: float | None = None
        self._beat_lock = threading.Lock()
        self._heart: threading.Thread | None = None
        self.kinds = kinds
        self._revived_at: float | None = None
        self._looked_for_silent_at: float | None = None
        self._workers: list[threading.Thread] = []
        event.listen(sessions, "after_commit", self._after_commit)

    # -- running --------------------------------------------------------------------------------
    def start(self) -> "Sender":
        self._start_heart()
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
        if self._heart is not None:
            self._heart.join(timeout)
        if self._beaten_at is not None and not any(w.is_alive() for w in self._workers):
            try:
                with self.sessions.begin() as session:
                    senders.leave(session, self.claimer)   # its claims are settled: nobody need wait for it
            except Exception:   # the database is away: the row is judged by its heartbeat, and forgotten
                log.warning("could not sign this sender off; it is taken for dead %s s after its last heartbeat",
                            senders.SILENT_AFTER.seconds)

    # -- heartbeat ------------------------------------------------------------------------------
    def _start_heart(self) -> None:
        with self._beat_lock:
            if self._heart is None and not self._stop.is_set():
                self._heart = threading.Thread(target=self._beat_on, name="sender-heartbeat", daemon=True)
                self._heart.start()

    def _beat_on(self) -> None:
        while not self._stop.is_set():
            try:
                self._beat(force=True)
            except Exception:   # the database is away: the next beat tries again
                log.debug("heartbeat not recorded", exc_info=True)
            self._stop.wait(senders.BEAT_EVERY)

    def _beat(self, force: bool = False) -> None:
        """Say this sender is alive (at most every BEAT_EVERY seconds unless `force`)."""
        with self._beat_lock:
            if not force and self._beaten_at is not None and time.monotonic() - self._beaten_at < senders.BEAT_EVERY:
                return
            self._beaten_at = time.monotonic()
        with self.sessions.begin() as session:
            senders.beat(session, self.claimer, socket.gethostname(), self.clock())

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
        self._beat()               # before any claim: a claim is never its sender's before its heartbeat is
        self._start_heart()        # `dispatch`: beating on while it sends, however long that takes
        self._free_claims_of_silent_senders()
        self._revive_renderable()
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

    def _free_claims_of_silent_senders(self) -> None:
        """A sender whose heartbeat stopped (killed mid-batch, or frozen) would hold its claims for a minute:
        free them now (looked for every few seconds). Its sends are in doubt, looked for before they are
        repeated; and should it wake, it finds its claims taken before it sends (`_still_mine`)."""
        last = self._looked_for_silent_at
        if last is not None and time.monotonic() - last < senders.BEAT_EVERY:
            return
        self._looked_for_silent_at = time.monotonic()
        with self.sessions.begin() as session:
            at = self.clock()
            gone = senders.silent(session, at, [c for c in outbox.claimers(session, at) if c != self.claimer])
            freed = outbox.release_claims_of(session, gone)
            senders.forget_long_gone(session, at)
        if freed:
            log.info("took over %s message(s) claimed by a sender whose heartbeat stopped (%s)", freed,
                     ", ".join(gone))

    def _revive_renderable(self) -> None:
        """Dead letters another version could not render, of kinds this one knows, are owed again: once a
        minute those of a kind it did not know (a rolling deploy), and at start those whose renderer raised
        (this may be the version that fixed it)."""
        first = self._revived_at is None
        if not first and time.monotonic() - self._revived_at < REVIVE_EVERY:
            return
        self._revived_at = time.monotonic()
        with self.sessions.begin() as session:
            revived = outbox.revive_renderable(session, self.kinds, self.clock(), also_failed=first)
        if revived:
            log.info("%s message(s) another version could not render are owed again", revived)

    def _give_up_expired(self) -> None:
        """What was owed for over 7 days (the bot was down, say) is missed, never sent late."""
        with self.sessions.begin() as session:
            buried = outbox.bury_expired(session, self.clock())
        metrics.DEAD.labels("expired").inc(buried)
        if buried:
            log.error("%s message(s) were owed for over 7 days and were given up; see /tat outbox", buried)

    def _rendered(self, session: Session, claimed: list[outbox.Claimed]) -> list[tuple[outbox.Claimed, dict]]:
        """Each message's content as of now; those that no longer apply are dropped, and those this code
        cannot render are dead letters with the reason (never dropped: a newer version may render them)."""
        batch, dropped = [], []
        for message in claimed:
            try:
                shown = self.render(session, message)
            except UnknownKind:
                log.error("queued message %s is of a kind this version cannot render (%s); kept as a dead letter",
                          message.id, message.kind)
                self._bury_unrenderable(session, message, outbox.UNKNOWN_KIND + f" ({message.kind})")
                continue
            except Exception as failed:
                log.exception("queued message %s (%s) could not be rendered; kept as a dead letter", message.id,
                              message.kind)
                self._bury_unrenderable(session, message, f"{outbox.CANNOT_RENDER}{type(failed).__name__} in its "
                                                          "renderer")
                continue
            if shown is None:
                dropped.append(message.id)
            else:
                batch.append((message, {"text": shown.text, **({"blocks": shown.blocks} if shown.blocks else {}),
                                        **({"picture": shown.picture} if shown.picture else {})}))
        outbox.cancel(session, dropped, self.clock())
        return batch

    def _bury_unrenderable(self, session: Session, message: outbox.Claimed, reason: str) -> None:
        outbox.bury(session, message.id, self.clock(), reason, message.attempts, in_doubt=message.in_doubt)
        metrics.DEAD.labels(message.kind).inc()

    def _send_batch(self, batch: list[tuple[outbox.Claimed, dict]]) -> int:
        """Send each message, then record every outcome in one transaction."""
        sent: list[tuple[int, str, str]] = []
        owed: list[dict] = []   # what a message sent brings with it: its picture, into its thread
        failed: list[tuple[outbox.Claimed, Later | Dead | Gone]] = []
        renewed = time.monotonic()
        for position, (message, content) in enumerate(batch):
            if time.monotonic() - renewed > RENEW_EVERY:
                with self.sessions.begin() as session:
                    outbox.renew(session, [m for m, _ in batch[position:]], self.claimer, self.clock())
                renewed = time.monotonic()
            outcome = self._deliver(message, content)
            if isinstance(outcome, Lost):
                log.info("message %s was claimed by another sender while this one waited; not sending it", message.id)
            elif isinstance(outcome, Sent):
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
            outbox.bury(session, message.id, self.clock(), outcome.error, message.attempts)
            metrics.DEAD.labels(message.kind).inc()
            return
        metrics.RETRIED.labels(message.kind).inc()
        quiet = outcome.error == "ratelimited"    # expected under load: the method is paused, not failing
        log.log(logging.DEBUG if quiet else logging.WARNING, "message %s to %s not sent yet (%s); next try at %s",
                message.id, message.channel, outcome.error, outcome.due_at.strftime("%H:%M:%S"))
        outbox.retry_later(session, message.id, outcome.due_at, outcome.error, outcome.in_doubt, message.attempts)

    def _deliver(self, message: outbox.Claimed, content: dict) -> Sent | Later | Dead | Gone | Lost:
        paused = max(filter(None, map(self.pace.paused_until, _methods(message))), default=None)
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
            if not self._still_mine(message):
                return Lost()
            return self._call(message, content)
        except SlackApiError as refused:
            return self._refused(message, refused)
        except (SlackClientError, OSError) as lost:   # timeouts and dropped connections: Slack may have it
            return Later(self._backoff(message), type(lost).__name__, in_doubt=message.method in IN_DOUBT)

    def _still_mine(self, message: outbox.Claimed) -> bool:
        """Immediately before the send: the claim is still this one's (and now lasts another minute)."""
        with self.sessions.begin() as session:
            return outbox.still_held(session, message, self.claimer, self.clock())

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
        if status == 429:   # only the method Slack refused is paused (a lookup's 429 does not stop posting)
            method = _method_of(refused.response) or message.method
            metrics.RATE_LIMITED.labels(method).inc()
            until = self.pace.refused(method, _retry_after(refused.response.headers))
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
        """1 s, 2 s, 4 s… up to 15 minutes, each spread by half either way (slack_sdk's own calculator)."""
        seconds = BACKOFF.calculate_sleep_duration(min(max(message.attempts - 1, 0), MAX_DOUBLINGS))
        return self.clock() + timedelta(seconds=seconds)


def _methods(message: outbox.Claimed) -> tuple[str, ...]:
    """The Web API methods sending this message calls (a pause of any of them holds it back)."""
    if message.method == pictures.METHOD:
        return pictures.METHODS + (("conversations.replies",) if message.in_doubt else ())
    return (message.method, *(("conversations.history",) if message.in_doubt else ()))


def _method_of(response) -> str | None:
    """The Web API method a response answers ('.../api/conversations.history' → 'conversations.history')."""
    url = str(getattr(response, "api_url", "") or "")
    return url.rpartition("/")[2].partition("?")[0] or None


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
