"""coalitions (a state's follow-up plan) and check-in answers

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'coalitions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('meeting_date', sa.Date(), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('leads', sa.JSON(), nullable=False),
        sa.Column('lead_agencies', sa.String(length=500), nullable=True),
        sa.Column('offsets', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'state', name='uq_coalitions_team_state'),
    )
    op.create_table(
        'checkin_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('coalition_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=False),
        sa.Column('stakeholder_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=32), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'coalition_id', 'stage', 'stakeholder_id', name='uq_checkin_answers_one_each'),
    )


def downgrade() -> None:
    op.drop_table('checkin_answers')
    op.drop_table('coalitions')
