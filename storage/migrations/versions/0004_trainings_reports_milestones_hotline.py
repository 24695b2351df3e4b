"""trainings, distribution points, reports, milestones, hotline figures

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('celebration_opt_outs',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('organization', sa.String(length=160), nullable=False),
    sa.Column('by', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'state', 'organization')
    )
    op.create_table('hotline_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('recorded_by', sa.String(length=32), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'state', 'period')
    )
    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('recorded_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_team_state', ['team_id', 'state'], unique=False)

    op.create_table('distribution_points',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('stakeholder_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'stakeholder_id')
    )
    with op.batch_alter_table('distribution_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_points_state'), ['state'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('stakeholder_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('made_to', sa.String(length=16), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_team_state', ['team_id', 'state'], unique=False)

    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('stakeholder_id', sa.Integer(), nullable=True),
    sa.Column('logged_by', sa.String(length=32), nullable=False),
    sa.Column('organization', sa.String(length=160), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('program', sa.String(length=16), nullable=False),
    sa.Column('trained_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholders.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index('ix_trainings_team_state', ['team_id', 'state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_trainings_team_state')

    op.drop_table('trainings')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_team_state')

    op.drop_table('reports')
    with op.batch_alter_table('distribution_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_points_state'))

    op.drop_table('distribution_points')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_team_state')

    op.drop_table('milestones')
    op.drop_table('hotline_figures')
    op.drop_table('celebration_opt_outs')
