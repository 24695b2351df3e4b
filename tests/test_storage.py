"""Storage on whichever database the run uses: migrations match the models, times stay UTC."""
import os
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from storage.db import MIGRATION_LOCK, MIGRATIONS, engine_for, head_revision, migrate, session_factory
from storage.models import Base, Stakeholder
from tests.conftest import TEAM_ID


@pytest.fixture
def engine(empty_database):
    engine = engine_for(empty_database)
    migrate(engine)
    yield engine
    engine.dispose()


def test_the_migrations_build_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrating_again_changes_nothing(engine):
    migrate(engine)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_newest_migration_is_alembics_own_head():
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head() == sorted(
        p.name for p in (MIGRATIONS / "versions").glob("0*.py"))[-1][:4]


def test_a_database_at_the_newest_migration_starts_without_alembics_upgrade(engine, monkeypatch):
    for name in ("alembic.command", "alembic.config"):
        monkeypatch.setitem(sys.modules, name, None)  # importing any of them now raises ImportError
    migrate(engine)


@pytest.fixture
def fresh_database(tmp_path):
    """A database no migration has touched, of the run's kind: a SQLite file or a PostgreSQL schema."""
    postgres = os.environ.get("TEST_DATABASE_URL")
    if not postgres:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    schema, admin = f"tat_fresh_{uuid.uuid4().hex[:10]}", engine_for(postgres)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_instances_starting_at_once_on_a_fresh_database_migrate_it_to_the_newest(fresh_database, project_root):
    instances = [subprocess.Popen([sys.executable, "-c", STARTING_INSTANCE, fresh_database], cwd=project_root,
                                  text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(4)]
    try:
        assert [instance.stdout.readline() for instance in instances] == ["ready\n"] * len(instances)
        for instance in instances:  # all at once, now that each has imported what it needs
            instance.stdin.close()
        outcomes = [(instance.wait(timeout=60), instance.stdout.read()) for instance in instances]
    finally:
        for instance in instances:
            instance.kill()
            instance.stdout.close()
    assert outcomes == [(0, "")] * len(instances)
    engine = engine_for(fresh_database)
    assert _versions(engine) == [head_revision()]
    engine.dispose()


STARTING_INSTANCE = """
import sys
from alembic import command  # imported before the start, so that the instances race at migrating
from storage.db import engine_for, migrate
engine = engine_for(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
migrate(engine)
"""


def test_a_database_at_the_newest_migration_is_started_on_while_another_instance_holds_the_lock(engine):
    holder = engine_for(engine.url.render_as_string(hide_password=False))
    with holder.begin() as connection:  # what an instance that is migrating holds
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        else:
            connection.execute(text("UPDATE directory_revision SET revision = revision"))
        started = threading.Thread(target=migrate, args=(engine,), daemon=True)
        started.start()
        started.join(timeout=5)
        assert not started.is_alive()
    holder.dispose()


def test_a_database_some_migrations_behind_is_brought_to_the_newest(fresh_database):
    engine = engine_for(fresh_database)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    assert _versions(engine) == ["0004"]
    migrate(engine)
    assert _versions(engine) == [head_revision()]
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_site_names_stored_before_they_were_folded_are_folded_by_the_migration(fresh_database):
    engine = engine_for(fresh_database)
    folding = next(r for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()
                   if r.doc.startswith("stakeholders.site_key"))
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, folding.down_revision)
        connection.execute(text(
            "INSERT INTO stakeholders (slack_user_id, name, sector, organization, phone, email, state, statewide, "
            "site_name, status, revision, created_at, updated_at) VALUES ('U0OLPLAZA1', 'Kim', 'truck_stop', 'Kim', "
            "'(402) 555-0100', 'kim@x.example', 'NE', false, '  ÖL   Plaza ', 'approved', 1, :at, :at)"),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)})
    migrate(engine)
    with session_factory(engine)() as session:
        assert session.scalar(select(Stakeholder.site_key)) == "öl plaza"
    engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _versions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM alembic_version")))


def test_times_go_in_from_any_zone_and_come_back_as_utc(engine):
    omaha_noon = datetime(2026, 11, 28, 12, 0, tzinfo=timezone(timedelta(hours=-6)))
    with session_factory(engine).begin() as session:
        session.add(Stakeholder(team_id=TEAM_ID, slack_user_id="U0TIME0001", name="T", sector="tat", organization="TAT",
                                phone="(402) 555-0100", email="t@tat.example", state="NE",
                                decided_at=omaha_noon))
    with session_factory(engine)() as session:
        stored = session.scalar(select(Stakeholder.decided_at))
    assert stored == datetime(2026, 11, 28, 18, 0, tzinfo=UTC) and stored.tzinfo == UTC


def test_a_naive_time_is_refused_rather_than_guessed(engine):
    with pytest.raises(Exception, match="naive datetime"):
        with session_factory(engine).begin() as session:
            session.add(Stakeholder(team_id=TEAM_ID, slack_user_id="U0TIME0002", name="T", sector="tat",
                                    organization="TAT",
                                    phone="(402) 555-0100", email="t@tat.example", state="NE",
                                    decided_at=datetime(2026, 1, 1)))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_a_message_claimed_by_a_sender_that_crashed_is_sent_again_later_and_looked_for_first(engine):
    from storage import outbox

    sessions = session_factory(engine)
    with sessions.begin() as session:
        assert outbox.enqueue(session, "saved:1:a", "U0SAM00001", "Thanks", team_id=TEAM_ID)
        # a key is queued once
        assert not outbox.enqueue(session, "saved:1:a", "U0SAM00001", "Thanks", team_id=TEAM_ID)
    start = datetime.now(UTC)
    with sessions.begin() as session:
        (claimed,) = outbox.claim_due(session, start, keys=["saved:1:a"])          # ...and then the sender dies
        assert not claimed.in_doubt
    with sessions.begin() as session:
        assert outbox.claim_due(session, start + timedelta(seconds=30)) == []      # still held
    with sessions.begin() as session:
        (again,) = outbox.claim_due(session, start + outbox.CLAIM_FOR + timedelta(seconds=1))
    assert again.id == claimed.id and again.in_doubt and again.attempts == 2


def test_a_message_queued_for_later_is_not_due_before_its_time(engine):
    from storage import outbox

    sessions = session_factory(engine)
    later = datetime.now(UTC) + timedelta(days=90)
    with sessions.begin() as session:
        outbox.enqueue(session, "followup:1", "C0COALITN", "Three months on", not_before=later, team_id=TEAM_ID)
    with sessions.begin() as session:
        assert outbox.claim_due(session, later - timedelta(minutes=1)) == []
        assert outbox.next_due(session, later - timedelta(minutes=1)) == later
    with sessions.begin() as session:
        assert [c.key for c in outbox.claim_due(session, later)] == ["followup:1"]


def test_a_message_nobody_could_deliver_for_a_week_is_given_up_and_kept_as_a_dead_letter(engine):
    from storage import outbox

    sessions = session_factory(engine)
    with sessions.begin() as session:
        outbox.enqueue(session, "saved:2:a", "U0SAM00001", "Thanks", team_id=TEAM_ID)
    week_later = datetime.now(UTC) + timedelta(days=8)
    with sessions.begin() as session:
        assert outbox.bury_expired(session, week_later) == 1
        assert outbox.claim_due(session, week_later) == []
        (dead,) = outbox.dead_letters(session, TEAM_ID)
        assert dead.key == "saved:2:a" and "7 days" in dead.last_error
    with sessions.begin() as session:
        assert outbox.revive(session, TEAM_ID, dead.id, week_later)
        assert [c.key for c in outbox.claim_due(session, week_later)] == ["saved:2:a"]


def test_messages_are_found_by_key_prefix_exactly_and_through_an_index_on_postgresql(engine):
    from sqlalchemy import text

    from storage import outbox

    sessions = session_factory(engine)
    with sessions.begin() as session:
        for key in ("approval:1:r1:U0ADMIN001", "approval:12:r1:U0ADMIN001", "approval_1:r1:U0X"):
            outbox.enqueue(session, key, "U0ADMIN001", "Please approve", team_id=TEAM_ID)
        outbox.cancel_unsent(session, "approval:1:", datetime.now(UTC))
    with sessions.begin() as session:
        cancelled = session.execute(text("SELECT key FROM outbox WHERE cancelled_at IS NOT NULL")).scalars().all()
    assert cancelled == ["approval:1:r1:U0ADMIN001"]
    if engine.dialect.name == "postgresql":
        query = "EXPLAIN SELECT sent_ts FROM outbox WHERE key LIKE 'approval:12:' || '%' AND sent_at IS NOT NULL"
        with engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(connection.execute(text(query)).scalars())
        assert "ix_outbox_key_prefix" in plan


def test_two_instances_queuing_the_same_message_at_once_queue_it_once(engine):
    import threading

    from storage import outbox

    sessions, start, results = session_factory(engine), threading.Barrier(2), []

    def queue_it():
        start.wait(10)
        with sessions.begin() as session:
            results.append(outbox.enqueue(session, "decided:7:r1", "U0SAM00001", "Approved", team_id=TEAM_ID))

    threads = [threading.Thread(target=queue_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
