"""The database's state is told honestly: /healthz says 503 while the database is unreachable or its
schema is missing or behind, the bot migrates it again as soon as it can, and during an outage every
button and event is answered 200 with the same apology a command gets."""
import json
import os
import uuid

import pytest
from sqlalchemy import inspect, make_url, text

import bot as tat_bot
from localslack import payloads
from storage.db import MIGRATIONS, engine_for, head_revision
from storage.models import Base
from tests.conftest import ADMIN, count_rows, serving, settings_for
from tests.test_http import break_the_database
from tests.test_malformed_payloads import event, home_press, press, send
from tests.test_registration import MANAGER, TRUCK_STOP, open_form, wait_until

SORRY = "Sorry, something went wrong on our side and nothing was saved"


def health(bot) -> int:
    return bot.get("/healthz").status


def registers(bot, database_url: str) -> bool:
    """A registration is stored, and its requests reach the admins: everything works."""
    view = open_form(bot, MANAGER)
    answered = bot.send(payloads.view_submission(MANAGER, view, TRUCK_STOP))
    return answered.status == 200 and answered.body == "" and count_rows(database_url, "stakeholders") == 1


def drop_everything(database_url: str) -> None:
    """The database emptied of every table the bot made, as if dropped and created again."""
    engine = engine_for(database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        else:
            Base.metadata.drop_all(connection)
            for table in inspect(connection).get_table_names():
                connection.execute(text(f"DROP TABLE {table}"))
    engine.dispose()


def step_back_one_migration(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = engine_for(database_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    engine.dispose()


def versions(database_url: str) -> list[str]:
    engine = engine_for(database_url)
    with engine.connect() as connection:
        found = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return found


@pytest.mark.parametrize("spoil", [drop_everything, step_back_one_migration], ids=["dropped", "one migration behind"])
def test_a_schema_missing_or_behind_is_unhealthy_until_the_bot_migrates_it_again(running, empty_database, spoil):
    assert health(running) == 200
    spoil(empty_database)
    assert health(running) == 503
    wait_until(lambda: health(running) == 200, timeout=30)
    assert versions(empty_database) == [head_revision()]
    assert registers(running, empty_database)


def test_during_an_outage_buttons_and_events_are_answered_200_with_the_apology(running, caplog):
    slack = running.slack
    mend = break_the_database(running)
    try:
        pressed = send(running, press("approve_registration", "1:1", respond=slack.response_url(ADMIN)))
        in_home = send(running, home_press("open_registration"))
        opened = send(running, event("app_home_opened", user=MANAGER, channel="D0DIRECT01", tab="home"))
        told = slack.wait_for("response_url")[-1].params
        dm = slack.wait_for("chat.postMessage", channel=MANAGER)[-1].params
    finally:
        mend()
    assert (pressed.status, pressed.body, in_home.status, in_home.body, opened.status) == (200, "", 200, "", 200)
    assert SORRY in told["text"] and told["response_type"] == "ephemeral" and SORRY in dm["text"]
    assert slack.calls_to("views.publish") == [] and slack.calls_to("views.open") == []
    assert any(r.exc_info for r in caplog.records if r.name == "tat")   # logged once, with its traceback


@pytest.fixture
def own_postgres_database(database_url):
    """A PostgreSQL database of the test's own, which it may rename and drop (never the shared one)."""
    if not os.environ.get("TEST_DATABASE_URL"):  # SQLite's run: its own case is the test above
        pytest.skip("renaming and dropping a whole database is PostgreSQL's (TEST_DATABASE_URL)")
    server = make_url(database_url).set(database="postgres", query={})
    name = f"tat_outage_{uuid.uuid4().hex[:10]}"
    admin = engine_for(server.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield admin, name, server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        for existing in (name, f"{name}_away"):
            connection.execute(text(f"DROP DATABASE IF EXISTS {existing} WITH (FORCE)"))
    admin.dispose()


def shut_out(admin, name: str, *statements: str) -> None:
    """Close every connection to the database and keep new ones out while `statements` run."""
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                           {"name": name})
        for statement in statements:
            connection.execute(text(statement))


def test_a_postgres_database_renamed_then_dropped_and_created_empty_is_told_and_mended(own_postgres_database, slack):
    admin, name, url = own_postgres_database
    with serving(tat_bot.build(settings_for(url, slack)).start(), slack, url) as bot:
        assert health(bot) == 200
        shut_out(admin, name, f"ALTER DATABASE {name} RENAME TO {name}_away",
                 f"ALTER DATABASE {name}_away ALLOW_CONNECTIONS true")
        assert health(bot) == 503
        pressed = send(bot, press("checkin_trained", "1:1", MANAGER, slack.response_url(MANAGER)))
        opened = send(bot, event("app_home_opened", user=MANAGER, channel="D0DIRECT01", tab="home"))
        assert (pressed.status, opened.status) == (200, 200)
        assert SORRY in slack.wait_for("response_url")[-1].params["text"]
        assert SORRY in json.loads(bot.command(MANAGER, "contact").body)["text"]
        shut_out(admin, f"{name}_away", f"ALTER DATABASE {name}_away RENAME TO {name}",
                 f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        wait_until(lambda: health(bot) == 200, timeout=30)
        shut_out(admin, name, f"DROP DATABASE {name}", f"CREATE DATABASE {name}")
        assert health(bot) == 503
        wait_until(lambda: health(bot) == 200, timeout=30)
        assert registers(bot, url)
