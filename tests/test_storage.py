"""Storage on whichever database the run uses: migrations match the models, times stay UTC."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from storage.db import MIGRATIONS, engine_for, migrate, session_factory
from storage.models import Base, Stakeholder


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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == ScriptDirectory.from_config(config).get_current_head()


def test_times_go_in_from_any_zone_and_come_back_as_utc(engine):
    omaha_noon = datetime(2026, 11, 28, 12, 0, tzinfo=timezone(timedelta(hours=-6)))
    with session_factory(engine).begin() as session:
        session.add(Stakeholder(slack_user_id="U0TIME0001", name="T", sector="tat", organization="TAT",
                                phone="(402) 555-0100", email="t@tat.example", state="NE",
                                decided_at=omaha_noon))
    with session_factory(engine)() as session:
        stored = session.scalar(select(Stakeholder.decided_at))
    assert stored == datetime(2026, 11, 28, 18, 0, tzinfo=UTC) and stored.tzinfo == UTC


def test_a_naive_time_is_refused_rather_than_guessed(engine):
    with pytest.raises(Exception, match="naive datetime"):
        with session_factory(engine).begin() as session:
            session.add(Stakeholder(slack_user_id="U0TIME0002", name="T", sector="tat", organization="TAT",
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
        assert outbox.enqueue(session, "saved:1:a", "U0SAM00001", "Thanks")
        assert not outbox.enqueue(session, "saved:1:a", "U0SAM00001", "Thanks")   # a key is queued once
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
        outbox.enqueue(session, "followup:1", "C0COALITN", "Three months on", not_before=later)
    with sessions.begin() as session:
        assert outbox.claim_due(session, later - timedelta(minutes=1)) == []
        assert outbox.next_due(session, later - timedelta(minutes=1)) == later
    with sessions.begin() as session:
        assert [c.key for c in outbox.claim_due(session, later)] == ["followup:1"]


def test_a_message_nobody_could_deliver_for_a_week_is_given_up_and_kept_as_a_dead_letter(engine):
    from storage import outbox

    sessions = session_factory(engine)
    with sessions.begin() as session:
        outbox.enqueue(session, "saved:2:a", "U0SAM00001", "Thanks")
    week_later = datetime.now(UTC) + timedelta(days=8)
    with sessions.begin() as session:
        assert outbox.bury_expired(session, week_later) == 1
        assert outbox.claim_due(session, week_later) == []
        (dead,) = outbox.dead_letters(session)
        assert dead.key == "saved:2:a" and "7 days" in dead.last_error
    with sessions.begin() as session:
        assert outbox.revive(session, dead.id, week_later)
        assert [c.key for c in outbox.claim_due(session, week_later)] == ["saved:2:a"]


def test_messages_are_found_by_key_prefix_exactly_and_through_an_index_on_postgresql(engine):
    from sqlalchemy import text

    from storage import outbox

    sessions = session_factory(engine)
    with sessions.begin() as session:
        for key in ("approval:1:r1:U0ADMIN001", "approval:12:r1:U0ADMIN001", "approval_1:r1:U0X"):
            outbox.enqueue(session, key, "U0ADMIN001", "Please approve")
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
            results.append(outbox.enqueue(session, "decided:7:r1", "U0SAM00001", "Approved"))

    threads = [threading.Thread(target=queue_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
