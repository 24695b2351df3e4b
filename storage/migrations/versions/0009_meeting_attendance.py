"""meeting_attendance: who was trained at a state's build meeting, once each

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meeting_attendance',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('team_id', 'state', 'email'),
    )


def downgrade() -> None:
    op.drop_table('meeting_attendance')
