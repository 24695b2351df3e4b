"""Storage on whichever database the run uses: migrations match the models, times stay UTC."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from storage.db import engine_for, migrate, session_factory
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
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0001"


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
