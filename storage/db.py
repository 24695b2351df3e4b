"""Connecting to the database and bringing its schema up to date."""
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# Connections kept open: one for each thread that may hold one at once (8 answering Slack, 8 for
# the work after acknowledgements, the sender's and the clock's), so that none is opened and
# closed per request under load; a burst beyond that opens a few more for the while.
POOL = {"pool_size": 20, "max_overflow": 10}
MIGRATION_LOCK = 7_248_001  # PostgreSQL advisory lock key: one instance migrates at a time
LOCK_WAIT_SECONDS = 15      # how long work after the acknowledgement, the sender and the verbs wait for a lock
REQUEST_LOCK_WAIT_SECONDS = 1   # how long a thread that answers Slack waits, then answers "busy"
REQUEST_TURNS = 2   # ...and, times this, for its turn among this process's own SQLite writers

log = logging.getLogger("tat")


# What PostgreSQL answers when it is up but will never let this URL in: reported at once, not waited out.
REFUSED_FOR_GOOD = ("does not exist", "password authentication failed", "no pg_hba.conf entry",
                    "authentication failed")


class DatabaseUnavailable(Exception):
    """The database did not answer within the wait allowed at start-up; the message says why."""


def insert_for(dialect: str):
    """The INSERT construct with ON CONFLICT for this database ("postgresql" or "sqlite")."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def lower_as(dialect: str, text: str) -> str:
    """Text lower-cased as this database's lower() does it: SQLite folds only ASCII letters (so "Öl"
    stays "Öl"), PostgreSQL every letter. Compare lower(column) with this, never with text.lower()."""
    if dialect == "sqlite":
        return "".join(c.lower() if c.isascii() else c for c in text)
    return text.lower()


def engine_for(url: str) -> Engine:
    """An engine for sqlite:/// or postgres(ql):// URLs, with the pragmas each needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() in ("postgres", "postgresql") and parsed.drivername in (
        "postgres",
        "postgresql",
    ):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": LOCK_WAIT_SECONDS}, hide_parameters=True, **POOL)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True, **POOL)  # no personal data in errors
    event.listen(engine, "handle_error", _without_failing_row)
    event.listen(engine, "begin", _postgresql_lock_wait)
    return engine


def _without_failing_row(context) -> None:
    """PostgreSQL's DETAIL line repeats the failing row (a name, a phone, an e-mail): drop it."""
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and error.args and "\nDETAIL:" in str(error.args[0]):
            error.args = (str(error.args[0]).split("\nDETAIL:")[0], *error.args[1:])


def _sqlite_pragmas(dbapi_connection, record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
    record.info[BUSY_MS] = LOCK_WAIT_SECONDS * 1000
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself


def _sqlite_begin_immediate(connection) -> None:
    """Every SQLite transaction takes the write lock when it starts, so a read-then-write
    transaction can never act on what another has changed since: SQLite has no row locks,
    and `with_for_update()` does nothing there. A `reading` session only reads, and need not."""
    options = connection.get_execution_options()
    if options.get(ONE_READ):
        return   # one SELECT is a transaction of its own: no BEGIN, and nothing to wait for in WAL mode
    wait = _lock_wait.get()
    busy_ms = int((LOCK_WAIT_SECONDS if wait is None else wait) * 1000)
    if connection.info.get(BUSY_MS) != busy_ms:   # a thread that answers Slack waits less than the others
        connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        connection.info[BUSY_MS] = busy_ms
    reading = bool(options.get(READ_ONLY))
    if connection.info.get(QUERY_ONLY, False) != reading:   # a read-only transaction cannot write by mistake
        connection.exec_driver_sql(f"PRAGMA query_only={int(reading)}")
        connection.info[QUERY_ONLY] = reading
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _postgresql_lock_wait(connection) -> None:
    """In a thread that answers Slack, a transaction waits at most a second for a lock (then "busy")."""
    wait = _lock_wait.get()
    if wait is not None and connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'")


READ_ONLY = "tat_read_only"
ONE_READ = "tat_one_read"   # a connection that runs a single SELECT: it needs no BEGIN on SQLite
BUSY_MS, QUERY_ONLY = "tat_busy_ms", "tat_query_only"   # a SQLite connection's settings, as last set
_lock_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar("lock_wait", default=None)


class DatabaseBusy(Exception):
    """This process's own transactions held SQLite's write lock longer than a request may wait."""


@contextmanager
def answering_slack(seconds: float = REQUEST_LOCK_WAIT_SECONDS) -> Iterator[None]:
    """While Slack waits for this thread's answer, its transactions wait at most `seconds` for a lock
    another process (or connection) holds: SQLite's write lock, a PostgreSQL row or table lock; then
    they fail as busy (`is_busy`), rolled back whole. Threads of this process take turns at SQLite's
    write lock, each for one short transaction: a request waits its turn for twice as long, so that
    the two waits together stay within Slack's three seconds."""
    token = _lock_wait.set(seconds)
    try:
        yield
    finally:
        _lock_wait.reset(token)


def is_busy(error: BaseException) -> bool:
    """Whether `error` is the database being locked by another writer beyond the wait allowed."""
    if isinstance(error, DatabaseBusy):
        return True
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == "55P03":   # PostgreSQL: lock_not_available (lock_timeout)
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(original)


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for a transaction that only reads (a lookup): on SQLite it does not wait for, or
    hold, the write lock; whatever it might write is rolled back. It begins only if it is used."""
    with sessions(bind=read_only(sessions.kw["bind"])) as session:
        try:
            yield session
        finally:
            session.rollback()


def read_only(engine: Engine) -> Engine:
    """The engine, for connections that only read (see `reading`): a write through it fails."""
    found = engine.get_execution_options().get(READ_ONLY) and engine
    options = {READ_ONLY: True, **({"postgresql_readonly": True} if engine.dialect.name == "postgresql" else {})}
    return found or _READ_ONLY.setdefault(engine, engine.execution_options(**options))


_READ_ONLY: "WeakKeyDictionary[Engine, Engine]" = WeakKeyDictionary()


def one_read(engine: Engine) -> Connection:
    """A connection for a single SELECT, which is a transaction of its own: no BEGIN and no
    ROLLBACK around it (on PostgreSQL, one round trip instead of three)."""
    options = {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {ONE_READ: True}
    return read_only(engine).connect().execution_options(**options)


def now_in(session: Session):
    """What time it is for the bot this session works for: its one injected clock (the tests' and
    the shell's move), else the real time."""
    from storage.models import now

    return (session.info.get("clock") or now)()


def keep_clock(sessions: sessionmaker[Session], clock) -> None:
    """Every session of this factory asks `clock` what time it is (`now_in`), and so do the times the
    models stamp by default (created_at, updated_at, …) on the rows it writes."""
    sessions.configure(info={"clock": clock})
    from storage.models import Base

    for name, stamp in (("before_insert", _stamp_new), ("before_update", _stamp_changed)):
        if not event.contains(Base, name, stamp):
            event.listen(Base, name, stamp, propagate=True)


def _clock_of(target):
    from sqlalchemy.orm import object_session

    session = object_session(target)
    return session.info.get("clock") if session is not None else None


def _stamped_columns(mapper, on_update: bool):
    from storage.models import UTCDateTime

    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, UTCDateTime) and (column.onupdate if on_update else column.default) is not None:
            yield prop.key


def _stamp_new(mapper, connection, target) -> None:
    """A row being inserted: its default times from the session's clock, not the machine's (only the rows
    written, so nothing grows with what the session has loaded)."""
    clock = _clock_of(target)
    if clock is not None:
        at = clock()
        for key in _stamped_columns(mapper, on_update=False):
            if getattr(target, key) is None:
                setattr(target, key, at)


def _stamp_changed(mapper, connection, target) -> None:
    """A row being updated: its on-update times from the session's clock, unless the code set them."""
    from sqlalchemy import inspect

    clock = _clock_of(target)
    if clock is not None:
        state, at = inspect(target), clock()
        for key in _stamped_columns(mapper, on_update=True):
            if not state.attrs[key].history.has_changes():
                setattr(target, key, at)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from storage.directory import watch_changes  # it reads through this module's engines

    sessions = (_TakingTurns if engine.dialect.name == "sqlite" else sessionmaker)(engine, expire_on_commit=False)
    watch_changes(sessions)
    return sessions


class _TakingTurns(sessionmaker):
    """SQLite has one writer at a time, and a thread that finds the database busy sleeps in SQLite's
    busy handler (1 ms, 2 ms, 5 ms … 100 ms). Threads of one process take turns at `begin()` on a
    lock instead, so they wait exactly as long as the transaction ahead of them; other processes
    still meet the busy timeout."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._turn = threading.RLock()

    @contextmanager
    def begin(self):
        wait = _lock_wait.get()   # a thread that answers Slack waits its turn two seconds at most
        if not self._turn.acquire(timeout=-1 if wait is None else wait * REQUEST_TURNS):
            raise DatabaseBusy("other transactions of this process held the database too long")
        try:
            with super().begin() as session:
                yield session
        finally:
            self._turn.release()


def migrate(engine: Engine, team_id: str | None = None) -> None:
    """Apply every Alembic migration not yet applied (safe with several instances at once). A database
    already at the newest migration costs one query: Alembic's upgrade is imported only when there is work.
    `team_id`: the workspace rows made before workspaces were told apart belong to (migration 0015)."""
    head = head_revision()
    with read_only(engine).connect() as connection:
        if applied_revisions(connection) == {head}:
            return
    with engine.connect() as connection, _foreign_keys_off(connection), connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        if applied_revisions(connection) != {head}:  # another instance may have migrated while this one waited
            _upgrade(connection, team_id)


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite changes a constraint by copying its table and dropping the old one, and dropping a table
    deletes its rows first, which would cascade to every row that refers to them (coverage,
    introductions, answers...): its foreign keys are off while it migrates (a pragma that only takes
    effect outside a transaction), and on again after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def applied_revisions(connection: Connection) -> set[str]:
    """The revisions the database is at: none when Alembic has never run on it."""
    try:
        with connection.begin_nested():  # a missing table must not spoil PostgreSQL's transaction
            return set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except (OperationalError, ProgrammingError):
        return set()


def _upgrade(connection: Connection, team_id: str | None = None) -> None:
    from alembic import command  # here, not at the top: Alembic takes some 60 ms to import
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["team_id"] = team_id
    command.upgrade(config, "head")


def head_revision() -> str:
    """The newest migration, as Alembic finds it (one head, or Alembic says why not); read once."""
    return _revisions()[1]


@functools.cache
def _revisions() -> tuple[frozenset[str], str]:
    """Every revision in the version files, and the newest, read once with Alembic's ScriptDirectory
    (imported here, not at the top: it takes some 60 ms, paid only by processes that migrate or check)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return frozenset(r.revision for r in script.walk_revisions()), script.get_current_head()


def schema_state(engine: Engine) -> str:
    """Where the database stands against this code's newest migration: "current"; "behind" (no schema,
    or an older one: migrating brings it up); "ahead" (migrated by a newer release); or "unreachable"."""
    try:
        with read_only(engine).connect() as connection:
            applied = applied_revisions(connection)
    except DBAPIError:
        return "unreachable"
    head = head_revision()
    if applied == {head}:
        return "current"
    return "behind" if len(applied) <= 1 and applied <= _revisions()[0] else "ahead"


class SchemaWatch:
    """Whether the database holds the schema this code needs, asked by the health check and the clock;
    a schema found missing or behind (a database dropped and created again, restored from an old
    backup) is migrated again on a thread of its own, one attempt at a time."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._migrating = threading.Lock()

    def is_current(self) -> bool:
        state = schema_state(self.engine)
        if state == "behind" and self._migrating.acquire(blocking=False):
            threading.Thread(target=self._migrate, name="migrate-again", daemon=True).start()
        return state == "current"

    def _migrate(self) -> None:
        try:
            migrate(self.engine)
            log.warning("the database's schema was missing or behind: it is migrated to the newest again")
        except DBAPIError as error:
            log.warning("the database's schema is missing or behind, and cannot be migrated yet: %s",
                        first_line(error))
        finally:
            self._migrating.release()


def wait_until_reachable(engine: Engine, seconds: float) -> None:
    """Return once the database answers; raise DatabaseUnavailable after `seconds` of trying."""
    deadline, warned = time.monotonic() + seconds, False
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except DBAPIError as error:
            reason = first_line(error)
            if any(words in reason for words in REFUSED_FOR_GOOD):   # waiting would not help
                raise DatabaseUnavailable(f"the database at {engine.url} refused the connection: {reason}. "
                                          "Create the database, or correct DATABASE_URL.") from None
            if time.monotonic() >= deadline:
                raise DatabaseUnavailable(
                    f"the database at {engine.url} did not answer within {seconds:g} s: {reason}") from None
            if not warned:
                log.warning("waiting up to %g s for the database to answer", seconds)
                warned = True
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def first_line(error: DBAPIError) -> str:
    lines = str(error.orig or error).strip().splitlines()
    return lines[0] if lines else type(error.orig or error).__name__
