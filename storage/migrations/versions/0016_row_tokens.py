"""stakeholders.token, contact_changes.token, outbox.token: what messages about a row are keyed by

SQLite gives the id of a deleted last row to the next one, so a key built from a row id could
name a new row as "already sent" and drop its message. The registrant's notes ("saved", "decided"),
the admins' notes of a contact change, and a lead's alert about a failed message carry a random
token of the row instead. Rows from before keep their id-based keys (no token), so nothing already
sent is sent again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TABLES = ('stakeholders', 'contact_changes', 'outbox')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('token', sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('token')
