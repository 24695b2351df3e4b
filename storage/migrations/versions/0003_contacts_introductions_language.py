"""contacts: introductions, language notes and settings, contact-change audit, directory index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_stakeholders_state_sector_status', 'stakeholders', ['state', 'sector', 'status'])
    op.create_table(
        'introductions',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('introduced_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['stakeholders.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['officer_id'], ['stakeholders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('team_id', 'site_id', 'officer_id'),
    )
    op.create_index('ix_introductions_officer_id', 'introductions', ['officer_id'])
    op.create_table(
        'language_notes',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('term', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'user_id', 'term', 'day'),
    )
    op.create_table(
        'language_settings',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('changed_by', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'channel_id'),
    )
    op.create_table(
        'contact_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('stakeholder_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('old_value', sa.String(length=254), nullable=False),
        sa.Column('new_value', sa.String(length=254), nullable=False),
        sa.Column('changed_by', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contact_changes_team_id', 'contact_changes', ['team_id'])
    op.create_index('ix_contact_changes_stakeholder_id', 'contact_changes', ['stakeholder_id'])


def downgrade() -> None:
    op.drop_table('contact_changes')
    op.drop_table('language_settings')
    op.drop_table('language_notes')
    op.drop_index('ix_introductions_officer_id', table_name='introductions')
    op.drop_table('introductions')
    op.drop_index('ix_stakeholders_state_sector_status', table_name='stakeholders')
