"""trainings.token: what a training's messages and Undo button name it by

SQLite gives the id of a deleted last row to the next one: a training undone and another logged
after it shared an id, so the new one's confirmation was taken for the old one's ("already sent")
and dropped. Its outbox keys and its Undo button carry a random token instead.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('trainings', sa.Column('token', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('trainings') as batch:
        batch.drop_column('token')
