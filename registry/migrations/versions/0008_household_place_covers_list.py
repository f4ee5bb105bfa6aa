"""Schema 8: ix_household_place covers the household list — (village_code, group_no,
head_pinyin) as before, then id and deleted — so the list in its usual order and the tree's
counts per village and group are read from the index alone. A county of 200,000 households
read them through the old index and one household row per entry (for `id` and `deleted`):
seconds where the index takes milliseconds. `deleted` comes last: first, SQLite (with no
statistics) takes `deleted = 0` for a narrow range and would scan the whole index for
queries that other indexes answer. No row changes.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_household_place", "household")
    op.create_index("ix_household_place", "household",
                    ["village_code", "group_no", "head_pinyin", "id", "deleted"])


def downgrade() -> None:
    op.drop_index("ix_household_place", "household")
    op.create_index("ix_household_place", "household",
                    ["village_code", "group_no", "head_pinyin"])
