"""PostgreSQL tells each bot process when the directory changes, so that a lookup need not ask.

Every transaction that changes stakeholders or their coverage sends `NOTIFY tat_directory` as it
commits (see `storage.directory`). A watch LISTENs on a connection of its own and counts what it
hears: while it listens, `token()` is a number that changes whenever the directory may have
changed, and what a lookup remembered under one number is good while the number stands. A change
made by this process moves the number before its commit returns; another process's, as soon as
its notification arrives (milliseconds). When the watch is not listening (starting, or its
connection lost), `token()` is None and lookups read the directory's revision from the database
as before; each reconnection moves the number, since notifications may have been missed.
"""
import itertools
import logging
import threading
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

log = logging.getLogger(__name__)
CHANNEL = "tat_directory"
WAIT = 1.0   # seconds between looks at whether to stop

_WATCHES: "WeakKeyDictionary[object, DirectoryWatch]" = WeakKeyDictionary()


class DirectoryWatch:
    def __init__(self, engine: Engine):
        self._engine = engine
        self._counter = itertools.count(1)
        self._token = 0
        self._listening = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="directory-watch", daemon=True)

    def token(self) -> int | None:
        """A number that changes whenever the directory may have changed; None when not listening."""
        return self._token if self._listening else None

    def changed(self) -> None:
        """The directory changed (heard, or committed by this process)."""
        self._token = next(self._counter)

    def stop(self) -> None:
        """Stop listening; the thread lets go of its connection within a second."""
        self._listening = False
        self._stop.set()

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                self._listen()
                pause = 1.0
            except Exception as lost:   # any driver error: listen again after a pause
                if not self._stop.is_set():
                    log.warning("lost the directory's notifications (%s); lookups ask the database until "
                                "they are back", type(lost).__name__)
            self._listening = False
            self.changed()
            self._stop.wait(pause)
            pause = min(pause * 2, 30.0)

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        connection = raw.driver_connection
        raw.detach()   # a connection of its own, held for as long as it listens
        try:
            connection.rollback()   # the pool's check-out may have begun a transaction (its ping)
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self.changed()          # whatever happened before now was not heard
            self._listening = True
            while not self._stop.is_set():
                for _ in connection.notifies(timeout=WAIT):
                    self.changed()
        finally:
            connection.close()


def start_watching(engine: Engine) -> DirectoryWatch | None:
    """Listen for the directory's changes (PostgreSQL only: SQLite lookups read the revision)."""
    if engine.dialect.name != "postgresql":
        return None
    watch = _WATCHES.get(engine.pool)
    if watch is None:
        watch = _WATCHES[engine.pool] = DirectoryWatch(engine)
        watch._thread.start()
    return watch


def stop_watching(engine: Engine) -> None:
    watch = _WATCHES.pop(engine.pool, None)
    if watch is not None:
        watch.stop()


def watch_of(engine: Engine) -> DirectoryWatch | None:
    """The engine's watch, if it has one (an engine and its read-only form share it)."""
    return _WATCHES.get(engine.pool)
