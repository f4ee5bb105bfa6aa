"""Schema 2: the audit chain heads that travel with the sync.

- sync_receipt.audit_head, .audit_length: the station's chain as the county holds it after
  the bundle (NULL on receipts of schema 1, which acknowledged none);
- sync_inbox.audit_length: how many of the station's entries the county holds up to
  sync_inbox.audit_hash, counted here by following the chain back from that head (the
  county's copy may also hold a reinstalled station's old chain, so rows are not counted).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("sync_receipt") as batch:
        batch.add_column(sa.Column("audit_head", sa.String(64), nullable=True))
        batch.add_column(sa.Column("audit_length", sa.Integer(), nullable=True))
    with op.batch_alter_table("sync_inbox") as batch:
        batch.add_column(sa.Column("audit_length", sa.Integer(), nullable=False,
                                   server_default="0"))
    _count_held_chains()


def _count_held_chains() -> None:
    conn = op.get_bind()
    inboxes = conn.execute(sa.text("SELECT peer_code, audit_hash FROM sync_inbox")).all()
    for peer, head in inboxes:
        links: dict[str, str] = {h: prev for h, prev in conn.execute(sa.text(
            "SELECT hash, prev_hash FROM sync_station_audit WHERE station_code = :p"),
            {"p": peer})}
        length, at = 0, head
        while at != GENESIS and at in links and length <= len(links):
            length, at = length + 1, links[at]
        conn.execute(sa.text("UPDATE sync_inbox SET audit_length = :n WHERE peer_code = :p"),
                     {"n": length, "p": peer})


def downgrade() -> None:
    with op.batch_alter_table("sync_inbox") as batch:
        batch.drop_column("audit_length")
    with op.batch_alter_table("sync_receipt") as batch:
        batch.drop_column("audit_length")
        batch.drop_column("audit_head")
