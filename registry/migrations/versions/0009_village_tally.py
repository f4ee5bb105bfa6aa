"""Schema 9: village_tally — a city's or the province's statistics per village, counted when
an office's bundle is merged (registry/statistics.py), so that the tables of 2,000,000
households add up villages instead of counting millions of rows. Derived: it never travels
(the sync's STEPS[9] leaves a schema-8 payload as it is) and is empty at stations and
counties. At a city or the province this revision counts it from the rows, a county at a
time (the counting is the program's, as the search index's rebuild is).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "village_tally",
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("plans", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("base", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dimension", "village_code", "label"),
    )
    from registry import statistics  # the program's counting, imported where it runs

    bind = op.get_bind()
    kind = bind.scalar(sa.text("SELECT value FROM meta WHERE key = 'kind'"))
    if kind not in statistics.TALLY_KINDS:
        return
    counties = bind.scalars(sa.text(
        "SELECT DISTINCT substr(village_code, 1, 6) FROM household")).all()
    with Session(bind=bind) as s:
        for county in counties:
            statistics.refresh_tally(s, county)


def downgrade() -> None:
    op.drop_table("village_tally")
