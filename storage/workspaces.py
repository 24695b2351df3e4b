"""Which workspace rows belong to. Every row carries its workspace's `team_id`; rows made before
workspaces were told apart (migration 0015) were given '' when the workspace was not known as the
database migrated, and are given the bot token's workspace as soon as auth.test names it."""
import logging

from sqlalchemy import Engine, text

log = logging.getLogger("tat")

UNASSIGNED = ""


def adopt(engine: Engine, team_id: str) -> int:
    """Give rows that belong to no workspace yet to `team_id` (the one workspace the bot served
    before); how many rows. Safe to repeat: once given, nothing is left to give."""
    if not team_id:
        return 0
    given = 0
    with engine.begin() as connection:
        if not connection.scalar(text("SELECT 1 FROM stakeholders WHERE team_id = '' UNION ALL "
                                      "SELECT 1 FROM outbox WHERE team_id = '' UNION ALL "
                                      "SELECT 1 FROM directory_revision WHERE team_id = '' LIMIT 1")):
            return 0
        connection.execute(text("DELETE FROM directory_revision WHERE team_id = '' AND EXISTS "
                                "(SELECT 1 FROM directory_revision AS d WHERE d.team_id = :team)"), {"team": team_id})
        given += connection.execute(text(   # a user who registered anew meanwhile keeps the new row
            "UPDATE stakeholders SET team_id = :team WHERE team_id = '' AND NOT EXISTS (SELECT 1 FROM "
            "stakeholders AS s WHERE s.team_id = :team AND s.slack_user_id = stakeholders.slack_user_id)"),
            {"team": team_id}).rowcount
        given += connection.execute(text("UPDATE coverage SET team_id = (SELECT s.team_id FROM stakeholders AS s "
                                         "WHERE s.id = coverage.stakeholder_id) WHERE team_id = ''")).rowcount
        for table in ("outbox", "directory_revision"):
            given += connection.execute(text(f"UPDATE {table} SET team_id = :team WHERE team_id = ''"),
                                        {"team": team_id}).rowcount
    if given:
        log.info("%s rows made before workspaces were told apart now belong to team %s", given, team_id)
    return given
