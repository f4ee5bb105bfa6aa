"""Schema 3: 精准识别 as recorded steps (issue 9).

- procedure_event: step, seq, role, result, reason, facts, notice_id, decision_id. Events
  of schema 1 keep seq 0 and no step (history only).
- Every household's typed stage becomes one 补录 event (registry/procedure/backfill.py),
  seq 1, with a fresh rev so the station sends it; the household's stage column stays, now
  derived from its events.
- notice, notice_entry, notice_objection, village_quota (the station's), sync_quota (the
  county's 规模控制, returned), app_user (users and roles inside the encrypted store; the
  store fills it from the key file's roles once, at the first open after this upgrade).
- sync_decision: role, basis_seq, override.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from registry.procedure.backfill import backfill_event

revision = "0003"
down_revision: str | None = "0002"
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
    with op.batch_alter_table("procedure_event") as batch:
        batch.add_column(_opt("step", sa.String(20)))
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(_opt("role", sa.String(20)))
        batch.add_column(_opt("result", sa.String(10)))
        batch.add_column(_opt("reason", sa.Text()))
        batch.add_column(_opt("facts", sa.Text()))
        batch.add_column(_opt("notice_id", sa.String(36)))
        batch.add_column(_opt("decision_id", sa.String(36)))
    with op.batch_alter_table("sync_decision") as batch:
        batch.add_column(_opt("role", sa.String(20)))
        batch.add_column(_opt("basis_seq", sa.Integer()))
        batch.add_column(_opt("override", sa.Text()))
    _tracked_table(
        "notice",
        _req("number", sa.String(20)), _req("kind", sa.String(10)),
        _req("region_code", sa.String(12)), _req("start_date", sa.Date()),
        _req("days", sa.Integer()), _req("end_date", sa.Date()),
        _req("opened_by", sa.String(40)), _opt("closed_on", sa.Date()),
        _opt("closed_by", sa.String(40)), sa.UniqueConstraint("region_code", "number"),
    )
    op.create_index("ix_notice_region_code", "notice", ["region_code"])
    op.create_index("ix_notice_end_date", "notice", ["end_date"])
    _tracked_table(
        "notice_entry",
        _req("notice_id", sa.String(36)), _req("household_id", sa.String(36)),
        _opt("outcome", sa.String(10)),
        sa.UniqueConstraint("notice_id", "household_id"),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    op.create_index("ix_notice_entry_notice_id", "notice_entry", ["notice_id"])
    op.create_index("ix_notice_entry_household_id", "notice_entry", ["household_id"])
    _tracked_table(
        "notice_objection",
        _req("notice_id", sa.String(36)), _req("household_id", sa.String(36)),
        _req("received_on", sa.Date()), _opt("objector", sa.String(40)),
        _req("content", sa.Text()), _opt("checking", sa.Text()),
        _req("outcome", sa.String(10)), _req("recorded_by", sa.String(40)),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    op.create_index("ix_notice_objection_notice_id", "notice_objection", ["notice_id"])
    op.create_index("ix_notice_objection_household_id", "notice_objection",
                    ["household_id"])
    _tracked_table(
        "village_quota",
        _req("village_code", sa.String(12)), _req("households", sa.Integer()),
        _req("people", sa.Integer()), _req("set_by", sa.String(40)),
        _req("set_at", sa.DateTime()), sa.UniqueConstraint("village_code"),
    )
    _tracked_table(
        "sync_quota",
        _req("township_code", sa.String(12)), _req("households", sa.Integer()),
        _req("people", sa.Integer()), _req("set_by", sa.String(40)),
        _opt("reason", sa.Text()), sa.UniqueConstraint("township_code"),
    )
    op.create_table(
        "app_user",
        _req("name", sa.String(20)), _req("role", sa.String(20)),
        _opt("added_by", sa.String(40)), _req("added_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("name"),
    )
    _backfill_typed_stages()


_HOUSEHOLD = sa.table("household", sa.column("id", sa.String()),
                      sa.column("stage", sa.String()), sa.column("created_at", sa.DateTime()))
_EVENT = sa.table(
    "procedure_event", *(sa.column(c, t) for c, t in (
        ("id", sa.String()), ("rev", sa.Integer()), ("household_id", sa.String()),
        ("stage", sa.String()), ("event_date", sa.Date()), ("actor", sa.String()),
        ("passed", sa.Boolean()), ("period_start", sa.Date()), ("period_end", sa.Date()),
        ("note", sa.Text()), ("step", sa.String()), ("seq", sa.Integer()),
        ("role", sa.String()), ("result", sa.String()), ("reason", sa.Text()),
        ("facts", sa.Text()), ("notice_id", sa.String()), ("decision_id", sa.String()),
        ("created_at", sa.DateTime()), ("updated_at", sa.DateTime()),
        ("deleted", sa.Boolean()))))


def _backfill_typed_stages() -> None:
    conn = op.get_bind()
    households = conn.execute(sa.select(_HOUSEHOLD.c.id, _HOUSEHOLD.c.stage,
                                        _HOUSEHOLD.c.created_at)).all()
    if not households:
        return
    last = conn.execute(sa.text(
        "UPDATE counter SET value = value + :n WHERE name = 'rev' RETURNING value"),
        {"n": len(households)}).scalar_one()
    first = int(last) - len(households) + 1
    rows = []
    for offset, (hid, stage, created) in enumerate(households):
        row = backfill_event(hid, stage or "10", created or datetime(2014, 1, 1))
        row["rev"] = first + offset
        rows.append(row)
    for start in range(0, len(rows), 5000):
        conn.execute(sa.insert(_EVENT), rows[start:start + 5000])


def downgrade() -> None:
    op.execute("DELETE FROM procedure_event WHERE step IS NOT NULL")
    op.drop_table("app_user")
    for name in ("sync_quota", "village_quota", "notice_objection", "notice_entry",
                 "notice"):
        op.drop_table(name)
    with op.batch_alter_table("sync_decision") as batch:
        for c in ("override", "basis_seq", "role"):
            batch.drop_column(c)
    with op.batch_alter_table("procedure_event") as batch:
        for c in ("decision_id", "notice_id", "facts", "reason", "result", "role", "seq",
                  "step"):
            batch.drop_column(c)
