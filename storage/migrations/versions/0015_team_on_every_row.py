"""team_id on stakeholders (unique per workspace and Slack user), coverage, the outbox and the
directory's revision: every row belongs to a workspace.

Rows made before this migration belonged to the one workspace the bot served. They are given its
team when it is known as this runs (`bot.py migrate --team T…`, or the token's team read with
auth.test at start-up); otherwise they are marked '' (unassigned) and `storage.workspaces.adopt`
gives them the token's team as soon as auth.test names it. A fresh database has no rows to give.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from alembic import context, op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The unnamed UNIQUE(slack_user_id) of 0001, named so that SQLite's batch mode can drop it.
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
TABLES = ('stakeholders', 'coverage', 'outbox', 'directory_revision')


def upgrade() -> None:
    team = context.config.attributes.get("team_id") or ""
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    for table in TABLES:
        op.add_column(table, sa.Column('team_id', sa.String(length=32), nullable=False, server_default=team))
        if team:
            connection.execute(sa.text(f"UPDATE {table} SET team_id = :team"), {"team": team})
    if postgres:
        # The one revision row was written with id 1 by hand: the sequence must not hand out 1 again.
        connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('directory_revision', 'id'), "
                                   "COALESCE((SELECT MAX(id) FROM directory_revision), 0) + 1, false)"))
        op.drop_constraint('stakeholders_slack_user_id_key', 'stakeholders', type_='unique')
        op.create_unique_constraint('uq_stakeholders_team_user', 'stakeholders', ['team_id', 'slack_user_id'])
        op.create_unique_constraint('uq_directory_revision_team_id', 'directory_revision', ['team_id'])
    else:
        with op.batch_alter_table('stakeholders', naming_convention=CONVENTION) as batch:
            batch.drop_constraint('uq_stakeholders_slack_user_id', type_='unique')
            batch.create_unique_constraint('uq_stakeholders_team_user', ['team_id', 'slack_user_id'])
        with op.batch_alter_table('directory_revision') as batch:
            batch.create_unique_constraint('uq_directory_revision_team_id', ['team_id'])
    for table in TABLES:   # no default from now on: every new row names its workspace
        with op.batch_alter_table(table) as batch:
            batch.alter_column('team_id', server_default=None)
    op.create_index('ix_coverage_team_county', 'coverage', ['team_id', 'county_fips'])
    op.create_index('ix_outbox_team_id', 'outbox', ['team_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_team_id', 'outbox')
    op.drop_index('ix_coverage_team_county', 'coverage')
    with op.batch_alter_table('directory_revision') as batch:
        batch.drop_constraint('uq_directory_revision_team_id', type_='unique')
    postgres = op.get_bind().dialect.name == "postgresql"   # the name each gives UNIQUE(slack_user_id)
    with op.batch_alter_table('stakeholders') as batch:
        batch.drop_constraint('uq_stakeholders_team_user', type_='unique')
        batch.create_unique_constraint('stakeholders_slack_user_id_key' if postgres else 'uq_stakeholders_slack_user_id',
                                       ['slack_user_id'])
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('team_id')
