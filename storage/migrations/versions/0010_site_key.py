"""stakeholders.site_key: a site's name as /tat contact compares it (Unicode case-folded, spaces tidied)

SQLite's lower() folds ASCII letters only, so "Öl" never met "öl" there: the name is folded once,
in Python, as it is written, and compared as it is on both databases.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def site_key(name):
    """The same folding as storage.models.site_key, kept here as it was when this migration was written."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:160] or None if name else None


def upgrade() -> None:
    op.add_column('stakeholders', sa.Column('site_key', sa.String(length=160), nullable=True))
    op.create_index('ix_stakeholders_site_key', 'stakeholders', ['site_key'])
    stakeholders = sa.table('stakeholders', sa.column('id', sa.Integer), sa.column('site_name', sa.String),
                            sa.column('site_key', sa.String))
    connection = op.get_bind()
    named = connection.execute(sa.select(stakeholders.c.id, stakeholders.c.site_name)
                               .where(stakeholders.c.site_name.is_not(None))).all()
    for row_id, name in named:
        connection.execute(stakeholders.update().where(stakeholders.c.id == row_id)
                           .values(site_key=site_key(name)))


def downgrade() -> None:
    op.drop_index('ix_stakeholders_site_key', 'stakeholders')
    op.drop_column('stakeholders', 'site_key')
