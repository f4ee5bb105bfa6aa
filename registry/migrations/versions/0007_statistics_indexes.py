"""Schema 7: covering indexes for the county's statistics (registry/statistics.py, issue 14's
200,000-household targets). They read these instead of the wide rows, which SQLCipher
would decrypt page by page: household per village and stage with the dimensions counted,
household by id, and a household's members, plans and helpers with what is counted of them
— the last three replace the indexes on household_id alone (the same look-ups, each table
keeps its number of indexes). Only indexes: no row changes, the sync's STEPS[7] leaves a
schema-6 payload as it is.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

# (index, table, columns, the index on household_id it replaces)
INDEXES = (
    ("ix_household_statistics", "household",
     ["village_code", "stage", "attribute", "main_cause", "poverty_status",
      "identification_standard", "deleted", "size"], None),
    ("ix_household_id_statistics", "household",
     ["id", "deleted", "village_code", "stage", "poverty_status", "size"], None),
    ("ix_member_statistics", "member",
     ["household_id", "deleted", "change_reason", "labor_skill", "health", "education"],
     "ix_member_household_id"),
    ("ix_aid_plan_statistics", "aid_plan",
     ["household_id", "measure", "deleted", "funds", "funds_fiscal", "funds_sector",
      "funds_social", "funds_credit"], "ix_aid_plan_household_id"),
    ("ix_helper_statistics", "helper",
     ["household_id", "deleted", "start_date", "end_date"], "ix_helper_household_id"),
)


def upgrade() -> None:
    for name, table, columns, replaced in INDEXES:
        op.create_index(name, table, columns)
        if replaced:
            op.drop_index(replaced, table)


def downgrade() -> None:
    for name, table, _columns, replaced in reversed(INDEXES):
        if replaced:
            op.create_index(replaced, table, ["household_id"])
        op.drop_index(name, table)
