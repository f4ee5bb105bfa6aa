"""Schema 4: 精准扶持 and 动态管理 (issue 10).

- household.income_year; household_income (one row per household and 年度, id derived from
  both: registry/aid/ids.py). Every household holding an income gets the row of its
  creation year, with the same values, and income_year says so (the sync's STEPS[4] writes
  the same row for a schema-3 bundle).
- member: no_id_number (暂无身份证号), joined_reason / joined_date (增员), change_evidence.
  Joining codes a schema-1 store may hold in change_reason are left there (moving them would
  change household sizes behind the audit chain); the quality check names them.
- helper.unit_kind (单位性质); aid_plan: funds by source (funds_fiscal / sector / social /
  credit), and its free-text status becomes a code of cl.PLAN_STATUS where it reads as one.
- poverty_line.standard (识别标准; existing lines are the national one, "1"), unique with
  the year.
- team_member (驻村工作队), village_plan (村帮扶规划), yearly_review (年度动态调整 with the
  两不愁三保障 checklist), review_year (the station's opened review years).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from registry.aid.ids import income_id

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

_MONEY = ("income_wage", "income_business", "income_property", "transfer_family_planning",
          "transfer_dibao", "transfer_wubao", "transfer_pension", "transfer_ecological",
          "transfer_other", "business_expense")
_DERIVED = ("size", "income_transfer", "net_income", "net_income_per_capita")
# aid_plan.status texts the demo generator and early stations wrote → cl.PLAN_STATUS codes.
PLAN_STATUS_TEXT = {"计划": "1", "计划中": "1", "实施中": "2", "已完成": "3", "未完成": "4"}


def _req(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


def _opt(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=True)


def _tracked_columns() -> list[sa.schema.SchemaItem]:
    return [_req("id", sa.String(36)), _req("rev", sa.Integer()),
            _req("created_at", sa.DateTime()), _req("updated_at", sa.DateTime()),
            _req("deleted", sa.Boolean()), sa.PrimaryKeyConstraint("id")]


def _tracked_table(name: str, *items: sa.schema.SchemaItem) -> None:
    op.create_table(name, *items, *_tracked_columns())
    op.create_index(f"ix_{name}_rev", name, ["rev"])


def upgrade() -> None:
    with op.batch_alter_table("household") as batch:
        batch.add_column(_opt("income_year", sa.Integer()))
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("no_id_number", sa.Boolean(), nullable=False,
                                   server_default="0"))
        batch.add_column(_opt("joined_reason", sa.String(2)))
        batch.add_column(_opt("joined_date", sa.Date()))
        batch.add_column(_opt("change_evidence", sa.Text()))
    with op.batch_alter_table("helper") as batch:
        batch.add_column(_opt("unit_kind", sa.String(2)))
    with op.batch_alter_table("aid_plan") as batch:
        for source in ("fiscal", "sector", "social", "credit"):
            batch.add_column(_opt(f"funds_{source}", sa.Integer()))
    with op.batch_alter_table(
            "poverty_line", naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}
    ) as batch:
        batch.add_column(sa.Column("standard", sa.String(2), nullable=False,
                                   server_default="1"))
        # Schema 1 left it unnamed: the convention above names it on SQLite (where batch
        # mode rebuilds the table); PostgreSQL named it itself.
        batch.drop_constraint("uq_poverty_line_year" if op.get_bind().dialect.name == "sqlite"
                              else "poverty_line_year_key", type_="unique")
        batch.create_unique_constraint("uq_poverty_line_year_standard", ["year", "standard"])

    _tracked_table(
        "household_income",
        _req("household_id", sa.String(36)), _req("year", sa.Integer()),
        *(_opt(c, sa.Integer()) for c in _MONEY),
        _req("size", sa.Integer()), _opt("income_transfer", sa.Integer()),
        _opt("net_income", sa.Integer()), _opt("net_income_per_capita", sa.Integer()),
        sa.UniqueConstraint("household_id", "year"),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    op.create_index("ix_household_income_household_id", "household_income", ["household_id"])
    _tracked_table(
        "team_member",
        _req("village_code", sa.String(12)), _req("name", sa.String(40)),
        _req("role", sa.String(2)), _opt("unit", sa.String(80)), _opt("title", sa.String(40)),
        _opt("phone", sa.String(20)), _req("start_date", sa.Date()),
        _opt("end_date", sa.Date()),
    )
    op.create_index("ix_team_member_village_code", "team_member", ["village_code"])
    _tracked_table(
        "village_plan",
        _req("village_code", sa.String(12)), _req("year", sa.Integer()),
        _req("project", sa.String(80)), _opt("measure", sa.String(2)), _opt("content", sa.Text()),
        *(_opt(f"funds_{s}", sa.Integer()) for s in ("fiscal", "sector", "social", "credit")),
        _opt("funds", sa.Integer()), _opt("responsible", sa.String(80)),
        _opt("status", sa.String(20)), _opt("result", sa.Text()),
    )
    op.create_index("ix_village_plan_village_code", "village_plan", ["village_code"])
    _tracked_table(
        "yearly_review",
        _req("household_id", sa.String(36)), _req("year", sa.Integer()),
        _opt("checklist", sa.Text()), _opt("proposal", sa.String(10)),
        _opt("reviewed_on", sa.Date()), _opt("reviewed_by", sa.String(40)),
        _opt("note", sa.Text()),
        sa.UniqueConstraint("household_id", "year"),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    op.create_index("ix_yearly_review_household_id", "yearly_review", ["household_id"])
    op.create_table(
        "review_year",
        _req("year", sa.Integer()), _req("opened_on", sa.Date()),
        _req("opened_by", sa.String(40)), _opt("closed_on", sa.Date()),
        sa.PrimaryKeyConstraint("year"),
    )
    _plan_status_codes()
    _backfill_incomes()


def _plan_status_codes() -> None:
    for text, code in PLAN_STATUS_TEXT.items():
        op.execute(sa.text("UPDATE aid_plan SET status = :code WHERE status = :text")
                   .bindparams(code=code, text=text))


_HOUSEHOLD = sa.table("household", *(sa.column(c) for c in (
    "id", "created_at", "deleted", "income_year", *_MONEY, *_DERIVED)))
_INCOME = sa.table("household_income", *(sa.column(c) for c in (
    "id", "rev", "household_id", "year", *_MONEY, *_DERIVED, "created_at", "updated_at",
    "deleted")))


def income_year_of(created_at: datetime | None) -> int:
    """The 年度 an income typed before schema 4 is taken to be for: its household's year."""
    return (created_at or datetime(2014, 1, 1)).year


def _backfill_incomes() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_HOUSEHOLD).where(sa.or_(
        *(_HOUSEHOLD.c[c].is_not(None) for c in _MONEY)))).mappings().all()
    if not rows:
        return
    last = conn.execute(sa.text(
        "UPDATE counter SET value = value + :n WHERE name = 'rev' RETURNING value"),
        {"n": len(rows)}).scalar_one()
    first = int(last) - len(rows) + 1
    incomes = []
    for offset, h in enumerate(rows):
        created = h["created_at"]
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        incomes.append(income_row(h, created, first + offset))
    for start in range(0, len(incomes), 5000):
        conn.execute(sa.insert(_INCOME), incomes[start:start + 5000])
    for start in range(0, len(incomes), 5000):
        conn.execute(sa.update(_HOUSEHOLD).where(
            _HOUSEHOLD.c.id == sa.bindparam("hid")).values(income_year=sa.bindparam("y")),
            [{"hid": r["household_id"], "y": r["year"]} for r in incomes[start:start + 5000]])


def income_row(household: Any, created: datetime | None, rev: int) -> dict[str, Any]:
    """The household_income row of a household's typed income (migration and sync alike)."""
    year = income_year_of(created)
    when = created or datetime(2014, 1, 1)
    return {"id": income_id(household["id"], year), "rev": rev,
            "household_id": household["id"], "year": year,
            **{c: household[c] for c in (*_MONEY, *_DERIVED)},
            "created_at": when, "updated_at": when, "deleted": bool(household["deleted"])}


def downgrade() -> None:
    op.drop_table("review_year")
    for name in ("yearly_review", "village_plan", "team_member", "household_income"):
        op.drop_table(name)
    with op.batch_alter_table("poverty_line") as batch:
        batch.drop_constraint("uq_poverty_line_year_standard", type_="unique")
        batch.drop_column("standard")
        batch.create_unique_constraint("uq_poverty_line_year", ["year"])
    with op.batch_alter_table("aid_plan") as batch:
        for source in ("fiscal", "sector", "social", "credit"):
            batch.drop_column(f"funds_{source}")
    with op.batch_alter_table("helper") as batch:
        batch.drop_column("unit_kind")
    with op.batch_alter_table("member") as batch:
        for c in ("change_evidence", "joined_date", "joined_reason", "no_id_number"):
            batch.drop_column(c)
    with op.batch_alter_table("household") as batch:
        batch.drop_column("income_year")
