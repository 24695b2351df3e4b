"""resources: a state coalition's links and agreed pathways for TAT training and materials

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'resources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('default_key', sa.String(length=40), nullable=True),
        sa.Column('added_by', sa.String(length=32), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=32), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'state', 'default_key', name='uq_resources_default'),
    )
    op.create_index('ix_resources_team_state', 'resources', ['team_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_resources_team_state', 'resources')
    op.drop_table('resources')
