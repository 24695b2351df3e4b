"""Slack calls a listener makes after Slack has its acknowledgement (views.open, a private reply).

They run on a few threads of their own, never in the thread that answers Slack's request, and
the queue is bounded: under a flood, work that cannot be queued is dropped and logged rather
than piling up. Messages the bot owes go through the outbox instead; these are best effort.
"""
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class Later:
    def __init__(self, threads: int = 8, max_pending: int = 256):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="later")
        self._room = threading.BoundedSemaphore(max_pending)
        self._idle = threading.Condition()
        self._running = 0

    def __call__(self, work: Callable[[], object]) -> bool:
        """Run `work` soon; False (and a warning) when too much is already waiting."""
        if not self._room.acquire(blocking=False):
            log.warning("too much Slack work is waiting; dropped %s", getattr(work, "__name__", "a call"))
            return False
        with self._idle:
            self._running += 1
        self._pool.submit(self._run, work)
        return True

    def _run(self, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:
            log.exception("a Slack call after the acknowledgement failed")
        finally:
            self._room.release()
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until nothing is queued or running (the shell and the tests read the result)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
