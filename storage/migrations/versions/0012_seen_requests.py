"""seen_requests: the commands and forms the bot acted on (a replay is done once) and the forms it opened

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'seen_requests',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'key'),
    )
    op.create_index('ix_seen_requests_at', 'seen_requests', ['at'])


def downgrade() -> None:
    op.drop_index('ix_seen_requests_at', table_name='seen_requests')
    op.drop_table('seen_requests')
