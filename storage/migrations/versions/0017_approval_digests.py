"""approval_digests: each approver's one message of waiting registrations, kept current

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'approval_digests',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('approver', sa.String(length=32), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('shown_version', sa.Integer(), nullable=False),
        sa.Column('owed_key', sa.String(length=200), nullable=True),
        sa.Column('updates', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'approver'),
    )


def downgrade() -> None:
    op.drop_table('approval_digests')
