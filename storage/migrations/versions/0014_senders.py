"""senders: each outbox sender's random id and heartbeat; liveness is judged by the heartbeat

Claims carried "host:pid", and a sender took for dead a process of its own host name that it could
not see: two containers sharing a host name freed each other's live claims.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'senders',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('host', sa.String(length=120), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('senders')
