"""Every row belongs to a workspace: rows made before workspaces were told apart are given the one
workspace the bot served (named on the command line, or the token's, read with auth.test as the bot
starts), on SQLite and PostgreSQL; a Slack user id is unique only within its workspace."""
import json
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

import bot as tat_bot
from storage.db import engine_for, migrate, session_factory
from storage.workspaces import adopt
from tests.conftest import ADMIN, TEAM_ID, serving, settings_for
from tests.test_storage import alembic_config, fresh_database  # noqa: F401 (a fixture)

OLD_TEAM = "T0OLDTEAM01"
AN_HOUR_AGO = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S+00")
SHERIFF = "U0OLDSHRF01"


def database_before_workspaces(url: str) -> None:
    """A database at the migration before 0015 holding what one workspace's bot wrote: an approved sheriff
    covering Douglas County, a message owed to them, and the directory's revision."""
    engine = engine_for(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0014")
        connection.execute(text(
            "INSERT INTO stakeholders (slack_user_id, name, sector, organization, phone, email, state, "
            "statewide, status, revision, created_at, updated_at) VALUES (:user, 'Olive Oldtimer', "
            "'law_enforcement', 'Douglas County Sheriff''s Office', '(402) 444-6100', 'olive@sheriff.example', "
            "'NE', :no, 'approved', 1, :at, :at)"), {"user": SHERIFF, "no": False, "at": AN_HOUR_AGO})
        connection.execute(text("INSERT INTO coverage (stakeholder_id, county_fips) "
                                "SELECT id, '31055' FROM stakeholders"))
        connection.execute(text(
            "INSERT INTO outbox (key, method, channel, kind, text, created_at, not_before, due_at, attempts, "
            "in_doubt) VALUES ('old:1', 'chat.postMessage', :user, 'literal', 'Hello again', :at, :at, :at, 0, "
            ":no)"), {"user": SHERIFF, "no": False, "at": AN_HOUR_AGO})
        connection.execute(text("DELETE FROM directory_revision"))
        connection.execute(text("INSERT INTO directory_revision (id, revision) VALUES (1, 7)"))
    engine.dispose()


def teams_of(url: str) -> dict[str, set[str]]:
    engine = engine_for(url)
    with engine.connect() as connection:
        found = {table: set(connection.scalars(text(f"SELECT team_id FROM {table}")))
                 for table in ("stakeholders", "coverage", "outbox", "directory_revision")}
    engine.dispose()
    return found


def test_migrate_with_a_team_gives_every_existing_row_that_workspace(fresh_database, capsys):  # noqa: F811
    database_before_workspaces(fresh_database)
    settings = tat_bot.load_settings({"DATABASE_URL": fresh_database})
    assert tat_bot.run_verb("migrate", settings, ["--team", OLD_TEAM]) == 0
    assert "belong to workspace T0OLDTEAM01" in capsys.readouterr().out
    assert teams_of(fresh_database) == {table: {OLD_TEAM} for table in
                                        ("stakeholders", "coverage", "outbox", "directory_revision")}
    assert tat_bot.run_verb("migrate", settings, ["--team", "not a team"]) == 2


def test_a_slack_user_id_is_unique_within_its_workspace_only(fresh_database):  # noqa: F811
    database_before_workspaces(fresh_database)
    engine = engine_for(fresh_database)
    migrate(engine, OLD_TEAM)
    from storage import stakeholders

    with session_factory(engine).begin() as session:
        theirs, made = stakeholders.claim_user(session, "T0OTHERTEAM", SHERIFF)   # the same id, another workspace
        ours, made_ours = stakeholders.claim_user(session, OLD_TEAM, SHERIFF)
        assert made and theirs.team_id == "T0OTHERTEAM" and theirs.name == ""
        assert not made_ours and ours.id != theirs.id and ours.name == "Olive Oldtimer"
        assert stakeholders.by_id(session, "T0OTHERTEAM", ours.id) is None   # an id of another workspace is no one
        assert stakeholders.by_id(session, OLD_TEAM, ours.id) is ours
    engine.dispose()


def test_rows_made_before_workspaces_become_the_tokens_once_auth_test_names_it(fresh_database, slack):  # noqa: F811
    database_before_workspaces(fresh_database)
    with serving(tat_bot.build(settings_for(fresh_database, slack)).start(), slack, fresh_database) as running:
        assert teams_of(fresh_database) == {table: {TEAM_ID} for table in
                                            ("stakeholders", "coverage", "outbox", "directory_revision")}
        reply = json.loads(running.command(ADMIN, "contact Douglas, NE").body)
        assert "Olive Oldtimer" in reply["text"] + json.dumps(reply.get("blocks"))
        running.bot.sender.send_due()
        assert [c.params["text"] for c in slack.calls_to("chat.postMessage", channel=SHERIFF)] == ["Hello again"]
    engine = engine_for(fresh_database)
    assert adopt(engine, "T0SOMEONEELSE") == 0   # given once: a later workspace takes nothing
    engine.dispose()


def test_a_database_migrated_without_a_team_keeps_its_rows_unassigned_until_one_is_named(fresh_database):  # noqa: F811
    database_before_workspaces(fresh_database)
    engine = engine_for(fresh_database)
    migrate(engine)
    assert teams_of(fresh_database)["stakeholders"] == {""}
    assert adopt(engine, OLD_TEAM) == 4
    assert teams_of(fresh_database)["outbox"] == {OLD_TEAM}
    engine.dispose()

