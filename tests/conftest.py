"""Fixtures: a database (SQLite, or PostgreSQL from TEST_DATABASE_URL), the Slack stand-in,
the bot served by its real HTTP server, a run-wide check that no log line holds personal data,
and checks of every test's Slack calls: no contact detail reaches a channel, and nothing the bot
sent is what real Slack would refuse."""
import json
import logging
import os
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

import bot as tat_bot
from domain import chart_worker
from handlers.slack_token import check_token
from localslack.client import SECRET, BotClient, Response, stop_server  # noqa: F401 (tests import them from here)
from localslack.client import settings_for as client_settings
from localslack.standin import SlackStandIn
from storage.db import engine_for
from storage.models import Base, Stakeholder

TEAM_ID = "T0COALITION"   # localslack.payloads.TEAM: the workspace of every request the tests make
ADMIN = "U0ADMIN001"
SECOND_ADMIN = "U0ADMIN002"
HOTLINE = "888-373-7888"   # the public National Human Trafficking Hotline, in help texts: not personal
PERSONAL = {
    "a phone number": re.compile(r"\(?\b\d{3}\)?[ .-]?\d{3}[.-]\d{4}\b"),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.example\b"),
    "a token or the signing secret": re.compile(rf"xox[bp]-|xapp-|{SECRET}"),
}


class LogCollector(logging.Handler):
    """Every log record of the run as the bot's log would show it, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.name, self.format(record)))

    def leaks(self) -> list[str]:
        """Which logger logged what kind of personal data or secret (never the data itself)."""
        return [f"{name} logged {kind}" for name, line in self.lines for kind, pattern in PERSONAL.items()
                if pattern.search(line.replace(HOTLINE, ""))]


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs():
    """Collect the whole run's logs at the bot's level (INFO); fail the run if any holds personal data."""
    collector, root = LogCollector(), logging.getLogger()
    previous = root.level
    root.addHandler(collector)
    root.setLevel(logging.INFO)
    yield collector
    root.removeHandler(collector)
    root.setLevel(previous)
    if leaks := collector.leaks():
        pytest.fail("personal data or secrets reached the log: " + "; ".join(sorted(set(leaks))), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def chart_worker_started():
    """The chart worker starts with the run, as it starts with `python bot.py`: matplotlib loads in it
    meanwhile, not while the first test that asks for a chart waits."""
    chart_worker.start()
    yield
    chart_worker.close()


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


@dataclass
class Watch:
    """What one test showed Slack, and the law enforcement contact details it registered."""

    standins: list = field(default_factory=list)
    secrets: set = field(default_factory=set)


_watch = Watch()
OFFICERS = ("law_enforcement", "attorney_general")


@pytest.fixture(autouse=True)
def no_contact_details_where_others_see_them():
    """Every test: no message the bot posts in a channel (where others can read it: a C… id, or a
    reply made public with in_channel) carries a registered law enforcement phone or e-mail.
    Ephemeral replies and DMs, group DMs included, are private."""
    global _watch
    _watch = Watch()
    yield
    for standin in _watch.standins:
        for call in standin.calls:
            public = (call.method in ("chat.postMessage", "chat.update")
                      and str(call.params.get("channel", "")).startswith("C")) or \
                call.params.get("response_type") == "in_channel"
            if public:
                said = json.dumps(call.params)
                leaked = [s for s in _watch.secrets if s in said]
                assert not leaked, f"{call.method} to {call.params.get('channel')} shows {leaked}"


@pytest.fixture(autouse=True)
def nothing_slack_would_refuse():
    """Every test: the bot sent nothing that real Slack refuses (or warns of) by its documented rules
    (localslack/rules.py): each payload is named with the rule it breaks. Refusals a test scripts
    with `slack.fail(...)` are Slack's answers, not the bot's mistakes, and are not counted."""
    yield
    found = [f"{describe(call)}: {breach}" for standin in _watch.standins for call, breaches in standin.breaches
             for breach in breaches]
    if found:
        pytest.fail("the bot sent what real Slack would refuse:\n  " + "\n  ".join(found), pytrace=False)


def describe(call) -> str:
    """A payload, named: its method, where it went, and the start of its text or title."""
    params = call.params or {}
    view = params.get("view") if isinstance(params.get("view"), dict) else {}
    said = params.get("text") or (view.get("title") or {}).get("text") or params.get("response_action") or ""
    where = params.get("channel") or view.get("callback_id") or ""
    return f"{call.method} {where} {str(said)[:60]!r}".replace("  ", " ")


@pytest.fixture
def empty_database(database_url):
    """The run's database, emptied of rows after the test (noting its officers' contact details first)."""
    yield database_url
    engine = engine_for(database_url)
    with engine.begin() as connection:
        for phone, email in connection.execute(select(Stakeholder.phone, Stakeholder.email)
                                               .where(Stakeholder.sector.in_(OFFICERS))):
            digits = "".join(c for c in phone.partition(" x")[0] if c.isdigit())[-10:]
            _watch.secrets |= {phone, email, f"+1{digits}"} - {"", "+1"}
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    _watch.standins.append(standin)
    yield standin
    standin.stop()


@dataclass
class RunningBot(BotClient):
    """The bot behind its real HTTP server, and a way to send it Slack's signed requests."""

    bot: tat_bot.Bot | None = None
    database_url: str = ""
    clock: "Clock | None" = None


def settings_for(database_url: str, slack: SlackStandIn, **overrides):
    return replace(client_settings(database_url, slack, (ADMIN, SECOND_ADMIN)), **overrides)


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
    learn_who_the_bot_is(built, slack)
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield RunningBot(f"http://127.0.0.1:{server.effective_port}", slack, built, database_url, clock)
    finally:
        try:
            stop_server(server, thread)
        finally:   # the bot's sender must stop even if the server's did not: it would send for later tests
            built.close()


def learn_who_the_bot_is(built: tat_bot.Bot, slack: SlackStandIn) -> None:
    """What `serve` does after start-up: auth.test tells the bot its own workspace (any other is a
    stranger). The call is then forgotten, so that a test counts only the calls it caused."""
    if check_token(built.app.client, built.identity):
        with slack._changed:
            slack.calls[:] = [call for call in slack.calls if call.method != "auth.test"]


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
