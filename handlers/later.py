"""Slack calls a listener makes after Slack has its acknowledgement (views.open, a private reply),
and the slow work some commands do then (a chart, an export).

They run on threads of their own, never in the thread that answers Slack's request, in two lanes
that never wait for each other: the quick lane (`later(work)`: a form to open, Home to publish, a
reply) and the slow lane (`later.slow(work)`: a chart drawn by the chart worker, an export built
and uploaded). However many charts and exports are waiting, a form opens at once. Each lane's
queue is bounded: work that finds no room is not queued, the call says so (False), and the caller
tells the person to try again rather than leaving them waiting for nothing. On shutdown, work not
started yet is dropped (it was best effort; messages the bot owes are in the outbox and stay owed)
and what is running is let finish, so SIGTERM takes seconds, not the length of the queue.
"""
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)
STOPPING = threading.Event()   # set when the process stops: long work (an export) gives up and says so


class _Lane:
    def __init__(self, name: str, threads: int, max_pending: int, idle: threading.Condition):
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._room = threading.BoundedSemaphore(max_pending)
        self._idle = idle
        self.waiting = 0   # queued or running

    def submit(self, work: Callable[[], object]) -> bool:
        if not self._room.acquire(blocking=False):
            log.warning("too much %s work is waiting; not queued: %s", self.name, getattr(work, "__name__", "a call"))
            return False
        with self._idle:
            self.waiting += 1
        try:
            future = self._pool.submit(_run, work)
        except RuntimeError:   # shut down already
            self._done(None)
            return False
        future.add_done_callback(self._done)   # run, failed or cancelled: the room is free again
        return True

    def _done(self, future: Future | None) -> None:
        self._room.release()
        with self._idle:
            self.waiting -= 1
            self._idle.notify_all()

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _run(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:
        log.exception("a Slack call after the acknowledgement failed")


class Later:
    def __init__(self, threads: int = 8, max_pending: int = 1024, slow_threads: int = 2, max_slow: int = 64):
        self._idle = threading.Condition()
        self._quick = _Lane("later", threads, max_pending, self._idle)
        self._slow = _Lane("later-slow", slow_threads, max_slow, self._idle)

    def __call__(self, work: Callable[[], object]) -> bool:
        """Run quick `work` (a Slack call or two) soon; False (and a warning) when too much is already waiting."""
        return self._quick.submit(work)

    def slow(self, work: Callable[[], object]) -> bool:
        """Run slow `work` (a chart, an export) soon, never ahead of quick work's threads; False when full."""
        return self._slow.submit(work)

    def waiting(self) -> int:
        """Calls queued or running, in both lanes."""
        with self._idle:
            return self._quick.waiting + self._slow.waiting

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until nothing is queued or running (the shell and the tests read the result)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._quick.waiting == 0 and self._slow.waiting == 0, timeout)

    def drop_waiting(self) -> None:
        """Take no more work, drop what has not started (at once), and tell long work to give up."""
        STOPPING.set()
        self._slow.shutdown(wait=False)
        self._quick.shutdown(wait=False)

    def shutdown(self) -> None:
        """Drop what has not started; let what runs finish."""
        self._slow.shutdown()
        self._quick.shutdown()
