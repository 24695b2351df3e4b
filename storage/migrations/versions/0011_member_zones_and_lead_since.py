"""member_zones: each person's Slack time zone, cached; coalitions.leads_since: when each lead was added

A person's "today" is their own time zone's day: the zone Slack has for them (users.info `tz`) is
kept here and refreshed now and then, so no command waits for Slack to learn it. A lead is told
only about follow-up posts that failed since they became a lead.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'member_zones',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'user_id'),
    )
    with op.batch_alter_table('coalitions') as batch:
        batch.add_column(sa.Column('leads_since', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('coalitions') as batch:
        batch.drop_column('leads_since')
    op.drop_table('member_zones')
