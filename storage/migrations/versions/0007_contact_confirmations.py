"""contact_confirmations: each contact's yearly question and when they last confirmed their details

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'contact_confirmations',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('stakeholder_id', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('told_round', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('team_id', 'stakeholder_id'),
    )
    op.create_index('ix_contact_confirmations_stakeholder_id', 'contact_confirmations', ['stakeholder_id'])


def downgrade() -> None:
    op.drop_index('ix_contact_confirmations_stakeholder_id', 'contact_confirmations')
    op.drop_table('contact_confirmations')
