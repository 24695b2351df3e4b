"""How fast Slack lets each Web API method go, learnt from its answers: nobody sleeps on a 429.

A 429 pauses the method for its Retry-After (messages due meanwhile are rescheduled, not waited
for) and teaches a pace: the rate Slack took in the seconds before it refused. From then on sends
are spread out at that pace, so that the sender keeps to the limit instead of bursting into it and
waiting a whole Retry-After each time; the pace eases up again while no 429 comes.
"""
import threading
import time
from collections import deque
from datetime import datetime, timedelta

WINDOW = 10.0        # seconds of sends a refusal is measured against
EASE_EVERY = 30.0    # seconds without a 429 after which the pace rises
EASE_BY = 1.1
MAX_WAIT = 2.0       # a paced sender waits at most this long for its turn


class Pace:
    def __init__(self, clock):
        self.clock = clock
        self._lock = threading.Lock()
        self._paused: dict[str, datetime] = {}
        self._rate: dict[str, float] = {}          # messages a second, once learnt
        self._next_turn: dict[str, float] = {}
        self._sent: dict[str, deque[float]] = {}
        self._refused_at: dict[str, float] = {}

    def paused_until(self, method: str) -> datetime | None:
        with self._lock:
            until = self._paused.get(method)
        return until if until and until > self.clock() else None

    def take_turn(self, method: str, stop: threading.Event) -> None:
        """Wait (briefly, in the sender's own thread) for this method's next turn at its pace."""
        with self._lock:
            rate = self._ease(method)
            if not rate:
                return
            now = time.monotonic()
            turn = max(now, self._next_turn.get(method, now))
            self._next_turn[method] = turn + 1 / rate
        if turn > now:
            stop.wait(min(turn - now, MAX_WAIT))

    def sent(self, method: str) -> None:
        with self._lock:
            sent = self._sent.setdefault(method, deque())
            now = time.monotonic()
            sent.append(now)
            while sent and sent[0] < now - WINDOW:
                sent.popleft()

    def refused(self, method: str, retry_after: float) -> datetime:
        """Slack said 429: pause the method, learn its pace; when to try again."""
        with self._lock:
            now = time.monotonic()
            sent = [t for t in self._sent.get(method, ()) if t >= now - WINDOW]
            if len(sent) >= 2:
                took = len(sent) / max(now - sent[0], 1.0)
                self._rate[method] = min(self._rate.get(method, took), took) * 0.97
            self._refused_at[method] = now
            until = self.clock() + timedelta(seconds=retry_after)
            self._paused[method] = max(self._paused.get(method, until), until)
            return self._paused[method]

    def _ease(self, method: str) -> float | None:
        rate = self._rate.get(method)
        if rate and time.monotonic() - self._refused_at.get(method, 0) > EASE_EVERY:
            rate = self._rate[method] = rate * EASE_BY
            self._refused_at[method] = time.monotonic()
        return rate
