"""Schema 5: 贫困村 (issue 14) — village_facts (the 贫困村登记表's typed facts per village and
year), poor_village (a village's stage and 贫困村 status, derived from its steps) and
village_event (its recorded steps); an index on procedure_event(step, result) for the
statistics of exits per year. No row of schema 4 changes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def _req(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


def _opt(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=True)


def _tracked_table(name: str, *items: sa.schema.SchemaItem) -> None:
    op.create_table(name, *items,
                    _req("id", sa.String(36)), _req("rev", sa.Integer()),
                    _req("created_at", sa.DateTime()), _req("updated_at", sa.DateTime()),
                    _req("deleted", sa.Boolean()), sa.PrimaryKeyConstraint("id"))
    op.create_index(f"ix_{name}_rev", name, ["rev"])


def upgrade() -> None:
    _tracked_table(
        "village_facts",
        _req("village_code", sa.String(12)), _req("year", sa.Integer()),
        _opt("households_registered", sa.Integer()), _opt("people_registered", sa.Integer()),
        _opt("people_agricultural", sa.Integer()), _opt("collective_income", sa.Integer()),
        *(_opt(c, sa.Boolean()) for c in ("road_hardened", "bus_service", "water_safe",
                                          "electricity", "broadband", "clinic",
                                          "culture_room")),
        _opt("distance_to_township_km", sa.Integer()), _opt("note", sa.Text()),
        sa.UniqueConstraint("village_code", "year"),
    )
    op.create_index("ix_village_facts_village_code", "village_facts", ["village_code"])
    _tracked_table(
        "poor_village",
        _req("village_code", sa.String(12)), _req("stage", sa.String(2)),
        _req("poverty_status", sa.String(2)), _opt("exit_year", sa.Integer()),
        sa.UniqueConstraint("village_code"),
    )
    _tracked_table(
        "village_event",
        _req("village_code", sa.String(12)), _req("step", sa.String(20)),
        _req("seq", sa.Integer()), _req("stage", sa.String(2)), _req("event_date", sa.Date()),
        _opt("actor", sa.String(40)), _opt("role", sa.String(20)),
        _req("result", sa.String(10)), _opt("reason", sa.Text()), _opt("facts", sa.Text()),
        _opt("notice_id", sa.String(36)), _opt("decision_id", sa.String(36)),
    )
    op.create_index("ix_village_event_village_code", "village_event", ["village_code"])
    # Statistics of exits and re-entries per year read steps by kind (销号, 返贫).
    op.create_index("ix_procedure_event_step", "procedure_event", ["step", "result"])


def downgrade() -> None:
    op.drop_index("ix_procedure_event_step", "procedure_event")
    for name in ("village_event", "poor_village", "village_facts"):
        op.drop_table(name)
