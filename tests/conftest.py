"""Fixtures: a database (SQLite, or PostgreSQL from TEST_DATABASE_URL), the Slack stand-in,
and the bot served by its real HTTP server."""
import os
import threading
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

import bot as tat_bot
from config import load_settings
from localslack import payloads
from localslack.standin import SlackStandIn
from storage.db import engine_for
from storage.models import Base

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN = "U0ADMIN001"
SECOND_ADMIN = "U0ADMIN002"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh, migrated-on-first-use database for this run; PostgreSQL when TEST_DATABASE_URL is set."""
    postgres = os.environ.get("TEST_DATABASE_URL")
    if not postgres:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tat-test.db'}"
        return
    schema = f"tat_test_{uuid.uuid4().hex[:10]}"
    admin = engine_for(postgres)
    with admin.begin() as connection:  # fails the run, never skips, when PostgreSQL is not there
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in postgres else "?"
    yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def empty_database(database_url):
    """The run's database, emptied of rows after the test."""
    yield database_url
    engine = engine_for(database_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@dataclass
class Response:
    status: int
    body: str


@dataclass
class RunningBot:
    """The bot behind its real HTTP server, and a way to send it Slack's signed requests."""

    url: str
    slack: SlackStandIn
    bot: tat_bot.Bot
    database_url: str
    clock: "Clock | None" = None

    def post(self, body: str, headers: dict) -> Response:
        request = urllib.request.Request(self.url + "/slack/events", data=body.encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Response(reply.status, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode())

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as reply:
                return Response(reply.status, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode())

    def send(self, body: str, json_body: bool = False) -> Response:
        return self.post(body, payloads.signed_headers(SECRET, body, json_body=json_body))

    def command(self, user: str, text: str) -> Response:
        return self.send(payloads.slash_command(user, text, self.slack.response_url(user)))


def settings_for(database_url: str, slack: SlackStandIn, **overrides):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url, "DATABASE_URL": database_url,
        "TAT_ADMINS": f"{ADMIN},{SECOND_ADMIN}",
    }
    return replace(load_settings(env), **overrides)


class Clock:
    """The time as the bot sees it: real time, moved forward by the tests."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def advance(self, **delta) -> None:
        self.ahead += timedelta(**delta)


@contextmanager
def serving(built: tat_bot.Bot, slack: SlackStandIn, database_url: str, clock: Clock | None = None):
    """A built bot behind its real HTTP server on 127.0.0.1, for as long as the block runs."""
    server = tat_bot.http_server(built, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield RunningBot(f"http://127.0.0.1:{server.effective_port}", slack, built, database_url, clock)
    finally:
        try:
            stop_server(server)
            thread.join(timeout=5)
            server.task_dispatcher.shutdown()
        finally:   # the bot's sender must stop even if the server's did not: it would send for later tests
            built.close()


def stop_server(server) -> None:
    """Ask the server's loop to close it. The loop may run the request before this thread's write to
    the trigger (it was already awake, flushing a response) and close the trigger first: then the
    write fails with EBADF, and the server is closed as asked."""
    try:
        server.trigger.pull_trigger(server.close)
    except OSError:
        if not server.trigger._closed:
            raise


@pytest.fixture
def running(empty_database, slack):
    clock = Clock()
    with serving(tat_bot.build(settings_for(empty_database, slack), clock=clock).start(), slack, empty_database,
                 clock) as bot:
        yield bot


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def count_rows(database_url: str, table: str, where: str = "1 = 1") -> int:
    engine = engine_for(database_url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
    engine.dispose()
    return count
