"""`python bot.py check` against the Slack stand-in: all well gives exit 0; each fault is one FAIL
line with its next step, and exit 1."""
import io
import sqlite3
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from config import load_settings
from localslack.standin import BOT_USER, TEAM
from storage import outbox
from storage.db import engine_for, migrate, session_factory
from storage.models import Coalition, now
from tests.conftest import ADMIN, SECOND_ADMIN, SECRET, TEAM_ID
from tests.test_running import closed_port

CHANNEL = "C0COALITION"


@pytest.fixture
def workspace(slack, empty_database):
    """A workspace where all is well: the admins are people, the coalition channel has the bot."""
    for admin in (ADMIN, SECOND_ADMIN):
        slack.users[admin] = {"id": admin, "name": admin.lower(), "deleted": False, "is_bot": False}
    slack.channels[CHANNEL] = {"name": "ne-coalition", "is_member": True}
    engine = engine_for(empty_database)
    migrate(engine)
    with session_factory(engine).begin() as session:
        session.execute(insert(Coalition), [{
            "team_id": TEAM, "state": "NE", "meeting_date": date(2026, 9, 1), "channel_id": CHANNEL,
            "time_zone": "America/Chicago", "leads": [], "offsets": [1, 3, 6], "updated_by": ADMIN,
            "updated_at": now()}])
    engine.dispose()
    return empty_database


def check(slack, database_url, **settings) -> tuple[int, str]:
    import preflight

    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
           "DATABASE_URL": database_url, "TAT_ADMINS": f"{ADMIN},{SECOND_ADMIN}", **settings}
    out = io.StringIO()
    status = preflight.run(load_settings({k: v for k, v in env.items() if v is not None}), out)
    return status, out.getvalue()


def test_all_well_is_exit_zero_and_says_so(slack, workspace):
    status, said = check(slack, workspace)
    assert status == 0, said
    assert "FAIL" not in said and said.rstrip().endswith("All is well.")
    assert f"the bot is tat ({BOT_USER})" in said and "has the bot" in said and "every scope" in said


@contextmanager
def session_of(url: str):
    engine = engine_for(url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def dead_letter(url: str) -> None:
    with session_of(url) as session:
        outbox.enqueue(session, "check:dead", CHANNEL, "hello", team_id=TEAM_ID)
        (claimed,) = outbox.claim_due(session, now(), 1, None, "test:1")
        outbox.bury(session, claimed.id, now(), "channel_not_found")


def owed_long(url: str) -> None:
    with session_of(url) as session:
        outbox.enqueue(session, "check:owed", CHANNEL, "hello", not_before=now() - timedelta(hours=2), team_id=TEAM_ID)


FAULTS = {
    "no signing secret": (lambda slack, url: {"SLACK_SIGNING_SECRET": None}, "SLACK_SIGNING_SECRET is not set"),
    "token refused": (lambda slack, url: slack.fail("auth.test", error="invalid_auth"),
                      "Slack refused SLACK_BOT_TOKEN (invalid_auth)"),
    "slack unreachable": (lambda slack, url: {"SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"},
                          "Slack cannot be reached"),
    "fewer scopes": (lambda slack, url: slack.scopes.remove("files:write"), "lacks the scope(s) files:write"),
    "admin unknown": (lambda slack, url: slack.strangers.add(SECOND_ADMIN),
                      f"admin {SECOND_ADMIN} is not a user of this workspace (user_not_found)"),
    "admin deactivated": (lambda slack, url: slack.users[ADMIN].update(deleted=True), "has been deactivated"),
    "admin a bot": (lambda slack, url: slack.users[ADMIN].update(is_bot=True), "is a bot, not a person"),
    "no admins": (lambda slack, url: {"TAT_ADMINS": ""}, "TAT_ADMINS is empty"),
    "channel gone": (lambda slack, url: slack.channels.clear(), "cannot be seen by the bot (channel_not_found)"),
    "bot not in channel": (lambda slack, url: slack.channels[CHANNEL].update(is_member=False),
                           "the bot is not a member of NE's coalition channel"),
    "channel archived": (lambda slack, url: slack.channels[CHANNEL].update(is_archived=True), "is archived"),
    "database unreachable": (lambda slack, url: {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed_port()}/x"},
                             "does not answer"),
    "database not created": (lambda slack, url: {"DATABASE_URL": "sqlite:///never.db"}, "does not exist yet"),
    "database empty": (lambda slack, url: sqlite3.connect("empty.db").close() or
                       {"DATABASE_URL": "sqlite:///empty.db"}, "has no tables yet"),
    "dead letter": (lambda slack, url: dead_letter(url), "1 message(s) Slack refused for good"),
    "owed too long": (lambda slack, url: owed_long(url), "1 message(s) owed, the oldest since"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_one_failure_with_its_next_step(slack, workspace, fault, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # a relative SQLite file lands here
    make, expected = FAULTS[fault]
    settings = make(slack, workspace) or {}
    status, said = check(slack, workspace, **settings)
    failures = [line for line in said.splitlines() if line.strip().startswith("FAIL")]
    assert status == 1
    assert len(failures) == 1 and expected in failures[0], said
    following = said.splitlines()[said.splitlines().index(failures[0]) + 1]
    assert following.strip().startswith("→ ") and len(following) > 20
    assert "Traceback" not in said
