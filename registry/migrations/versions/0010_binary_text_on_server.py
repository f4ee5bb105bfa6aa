"""Schema 10: on a PostgreSQL server every text column is COLLATE "C", compared byte by byte
as SQLite compares text, whatever locale the server was made with (registry/server.py's
`binary_collation`, which a new store runs after create_all: one function, so a migrated
store and a new one cannot differ). On a server made in zh_CN.UTF-8 the prefix searches
(a surname, initials, a village code) found nothing, names sorted unlike the file store,
and every id was compared through glibc's strcoll. Nothing changes in a SQLCipher
file, and no row changes anywhere: the sync's STEPS[10] leaves a schema-9 payload as it is.

On a province's server this rebuilds the indexes on text columns, once: minutes at
2,000,000 households.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from registry import server  # the program's, imported where it runs

        server.binary_collation(bind)


def downgrade() -> None:
    """Schema 9 works with text in any collation: the columns stay "C"."""
