"""Schema 6: what a store on a PostgreSQL server needs (issue 11) — app_user.password_hash
(a server store has no key file: its users log in against scrypt hashes; NULL in a
SQLCipher store, whose key slots do that) and room for sealed private keys in
sync_own_key (on a server they are AES-GCM sealed with a key held outside the database,
longer than the 64 hex digits a file store keeps). No row of schema 5 changes.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Search on a server: pg_trgm over the members' keys (as registry/search_index.py
        # makes it today; copied, so this revision keeps making what schema 6 had).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX IF NOT EXISTS ix_member_search_trgm ON member "
                   "USING gin (search_text gin_trgm_ops) WHERE deleted = false")
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
    with op.batch_alter_table("sync_own_key") as batch:
        for column in ("sign_private", "enc_private"):
            batch.alter_column(column, type_=sa.Text(), existing_type=sa.String(64),
                               existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_own_key") as batch:
        for column in ("sign_private", "enc_private"):
            batch.alter_column(column, type_=sa.String(64), existing_type=sa.Text(),
                               existing_nullable=False)
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_hash")
