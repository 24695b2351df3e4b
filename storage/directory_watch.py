"""PostgreSQL tells each bot process when the directory changes, so that a lookup need not ask.

Every transaction that changes stakeholders or their coverage sends `NOTIFY tat_directory` as it
commits (see `storage.directory`). A watch LISTENs on a connection of its own and counts what it
hears: while it listens, `token()` is a number that changes whenever the directory may have
changed, and what a lookup remembered under one number is good while the number stands. A change
made by this process moves the number before its commit returns; another process's, as soon as
its notification arrives (milliseconds). When the watch is not listening (starting, or its
connection lost), `token()` is None and lookups read the directory's revision from the database
as before; each reconnection moves the number, since notifications may have been missed.

A notification names the schema whose directory changed and the watch that sent it (`payload`).
Only news of its own schema's directory moves the number, and not the echo of a change it sent
itself (that one moved the number as it committed), nor another process's probe: processes of
other deployments (or test runs) in other schemas of the database, or starting up, leave what a
lookup remembered alone. A notification without a payload moves the number.
"""
import itertools
import logging
import os
import threading
import time
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
CHANNEL = "tat_directory"
WAIT = 1.0   # seconds between looks at whether to stop
PROBE_WAIT = 5.0   # seconds a notification of its own may take to arrive when it starts listening

_WATCHES: "WeakKeyDictionary[object, DirectoryWatch]" = WeakKeyDictionary()


class DirectoryWatch:
    def __init__(self, engine: Engine, probe_wait: float = PROBE_WAIT):
        self._engine = engine
        self._probe_wait = probe_wait
        self._counter = itertools.count(1)
        self._token = 0
        self._listening = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="directory-watch", daemon=True)
        self.sender = f"{os.getpid()}.{id(self)}"   # names this watch in the notifications it sends
        self._schema: str | None = None             # the schema whose directory it watches, once listening

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
            except Exception as lost:   # any driver error, or not heard: listen again after a pause
                if not self._stop.is_set():
                    log.warning("not hearing the directory's notifications (%s: %s); lookups ask the database "
                                "until they are back", type(lost).__name__, lost if isinstance(lost, NotHeard) else "")
            self._listening = False
            self.changed()
            self._stop.wait(pause)
            pause = min(pause * 2, 30.0)

    def hears(self, connection) -> bool:
        """Send a notification through the pool and wait for it here: behind a pooler that hands
        each transaction another server connection, LISTEN is accepted and nothing ever arrives."""
        probe = _probe_payload()
        with self._engine.begin() as sending:
            sending.execute(text("SELECT pg_notify(:channel, :probe)"), {"channel": CHANNEL, "probe": probe})
        deadline = time.monotonic() + self._probe_wait
        while (left := deadline - time.monotonic()) > 0:
            for note in connection.notifies(timeout=left):
                if note.payload == probe:
                    return True
        return False

    def news(self, payload: str) -> bool:
        """Whether a notification heard may mean this schema's directory changed since the number last moved."""
        if payload.startswith("probe:"):
            return False
        schema, _, sender = payload.partition(" ")
        return not payload or (schema == self._schema and sender != self.sender)

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        connection = raw.driver_connection
        raw.detach()   # a connection of its own, held for as long as it listens
        try:
            connection.rollback()   # the pool's check-out may have begun a transaction (its ping)
            connection.autocommit = True
            self._schema = connection.execute("SELECT current_schema()").fetchone()[0]
            connection.execute(f"LISTEN {CHANNEL}")
            if not self.hears(connection):
                raise NotHeard("its own notification did not arrive (a pooler in transaction mode?)")
            self.changed()          # whatever happened before now was not heard
            self._listening = True
            while not self._stop.is_set():
                for note in connection.notifies(timeout=WAIT):
                    if self.news(note.payload):
                        self.changed()
        finally:
            connection.close()


class NotHeard(Exception):
    """LISTEN was accepted, but notifications do not arrive on this connection."""


def _probe_payload() -> str:
    return f"probe:{os.getpid()}:{threading.get_ident()}:{time.monotonic_ns()}"


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


def payload(watch: DirectoryWatch | None) -> str:
    """SQL for a notification's payload: the schema written to, and the watch of the process that wrote."""
    return f"current_schema() || ' ' || '{watch.sender if watch else ''}'"


def watch_of(engine: Engine) -> DirectoryWatch | None:
    """The engine's watch, if it has one (an engine and its read-only form share it)."""
    return _WATCHES.get(engine.pool)
