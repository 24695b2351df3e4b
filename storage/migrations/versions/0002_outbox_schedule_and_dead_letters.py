"""outbox: notices rendered when sent, send later, chat.update, dead letters, sends in doubt

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PENDING = "sent_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('method', sa.String(length=32), nullable=False, server_default='chat.postMessage'))
        batch.add_column(sa.Column('ts', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('kind', sa.String(length=40), nullable=False, server_default='literal'))
        batch.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch.alter_column('text', existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column('not_before', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('in_doubt', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('dead_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
    op.execute("UPDATE outbox SET not_before = created_at, due_at = created_at")
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('not_before', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column('due_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column('method', server_default=None)
        batch.alter_column('kind', server_default=None)
        batch.alter_column('in_doubt', server_default=None)
    op.create_index('ix_outbox_due', 'outbox', ['due_at'], unique=False,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))
    op.create_index('ix_outbox_key_prefix', 'outbox', ['key'], unique=False,
                    postgresql_ops={'key': 'varchar_pattern_ops'})


def downgrade() -> None:
    op.drop_index('ix_outbox_key_prefix', table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        for column in ('claimed_by', 'dead_at', 'in_doubt', 'due_at', 'not_before', 'params', 'kind', 'ts', 'method'):
            batch.drop_column(column)
        batch.alter_column('text', existing_type=sa.Text(), nullable=False)
