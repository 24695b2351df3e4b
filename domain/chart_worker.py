"""Charts are drawn in one worker process of their own, never in the bot's process.

Drawing the progress chart costs some 650 ms of CPU, and matplotlib alone some 60 MB: in the
server's process it would hold the interpreter from the threads that acknowledge Slack, and stay
in its memory for good. So `draw(figures)` hands the figures to `python -m domain.chart_worker`,
started on the first chart, over a pipe (a length and a pickle each way: the worker is this
program's own child) and waits for the PNG. One chart is drawn at a time; whoever asks meanwhile
waits its turn, on a thread that answers nobody. A worker that died is started again once for the
chart it was drawing; `close()` ends it (the next chart starts another). The bot's process never
imports matplotlib.
"""
import logging
import pickle
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent   # where `python -m domain.chart_worker` finds the package
LENGTH = struct.Struct(">I")


class ChartUnavailable(Exception):
    """The worker could not draw the chart; the message says why."""


class ChartWorker:
    def __init__(self) -> None:
        self._turn = threading.Lock()        # one chart at a time over the pipe
        self._process: subprocess.Popen | None = None
        self._guard = threading.Lock()       # who may start or end the process
        self._closes = 0                     # how many times it was closed

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs (for operators and the tests)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def draw(self, figures) -> bytes:
        """The chart of `figures` as PNG bytes, drawn in the worker."""
        asked = self._closes
        with self._turn:
            for attempt in (1, 2):
                if asked != self._closes:   # closed since this chart was asked for: the bot is stopping
                    raise ChartUnavailable("the chart worker was closed")
                process, closes = self._running(), self._closes
                try:
                    _send(process.stdin, figures)
                    kind, value = _receive(process.stdout)
                except (OSError, EOFError, pickle.PickleError, struct.error, ValueError, TypeError):
                    self._end(process)
                    if attempt == 2 or closes != self._closes:   # the bot is stopping: not started again
                        raise ChartUnavailable("the chart worker stopped while drawing") from None
                    log.warning("the chart worker stopped while drawing; starting it again")
                    continue
                if kind != "png":
                    raise ChartUnavailable(value)
                return value
        raise AssertionError("unreachable")

    def start(self) -> None:
        """Start the worker now, so that the first chart does not wait for matplotlib to load."""
        self._running()

    def close(self, grace: float = 2) -> None:
        """End the worker: a chart being drawn may finish within `grace` seconds, then it is killed (that
        chart fails, and is not drawn again); the next chart asked for starts another worker."""
        with self._guard:
            process, self._process = self._process, None
            self._closes += 1
        if process is not None:
            _stop(process, grace, answers_too=False)   # its answer may still be read by the one waiting

    def _running(self) -> subprocess.Popen:
        with self._guard:
            if self._process is None or self._process.poll() is not None:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "domain.chart_worker"], cwd=ROOT, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=None, close_fds=True)
            return self._process

    def _end(self, process: subprocess.Popen) -> None:
        with self._guard:
            if self._process is process:
                self._process = None
        _stop(process)


def _stop(process: subprocess.Popen, grace: float = 1, answers_too: bool = True) -> None:
    """Close its input (it exits once it has answered what it was asked) and make sure it is gone
    within `grace` seconds."""
    for pipe in (process.stdin, process.stdout) if answers_too else (process.stdin,):
        try:
            pipe.close()
        except OSError:
            pass
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _send(pipe: IO[bytes], value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(LENGTH.pack(len(data)) + data)
    pipe.flush()


def _receive(pipe: IO[bytes]):
    head = _exactly(pipe, LENGTH.size)
    return pickle.loads(_exactly(pipe, LENGTH.unpack(head)[0]))


def _exactly(pipe: IO[bytes], size: int) -> bytes:
    data = pipe.read(size)
    if len(data) != size:
        raise EOFError("the other end closed the pipe")
    return data


WORKER = ChartWorker()


def draw(figures) -> bytes:
    """The progress chart of `figures` (domain.progress.Figures), as PNG bytes, drawn by the worker."""
    return WORKER.draw(figures)


def start() -> None:
    WORKER.start()


def close() -> None:
    WORKER.close()


def main() -> None:
    """The worker: read figures, answer ("png", bytes) or ("error", why), until its input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C at a terminal is the bot's to handle
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr                        # nothing but answers goes into the pipe
    from matplotlib.figure import Figure  # noqa: F401  (loaded now, before the first chart is asked for)

    from domain import chart

    while True:
        try:
            figures = _receive(requests)
        except EOFError:
            return
        try:
            answer = ("png", chart.draw(figures))
        except Exception as failed:   # a chart that cannot be drawn is said, and the worker goes on
            answer = ("error", f"the chart could not be drawn ({type(failed).__name__})")
        _send(answers, answer)


if __name__ == "__main__":
    main()
