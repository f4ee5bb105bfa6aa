"""Schema 1, as released: every table, index and unique constraint the released program
made with create_all and registry.search_index.create.

A revision is a snapshot: it names plain SQLAlchemy types, never the models or the
project's own column types, so a later change to a model cannot rewrite history. Money
and areas (registry.columns.Fixed) are INTEGER columns holding hundredths (tenths for
distance_to_road_km).

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from registry import search_index

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def _req(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


def _opt(name: str, type_: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=True)


def _tracked() -> list[sa.Column[Any]]:
    """The columns of registry.base.Tracked, which the models put after their own."""
    return [
        _req("id", sa.String(36)),
        _req("rev", sa.Integer()),
        _req("created_at", sa.DateTime()),
        _req("updated_at", sa.DateTime()),
        _req("deleted", sa.Boolean()),
    ]


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or f"ix_{table}_{columns[0]}", table, list(columns))


def _tracked_table(name: str, *items: sa.schema.SchemaItem) -> None:
    op.create_table(name, *items, *_tracked(), sa.PrimaryKeyConstraint("id"))
    _index(name, "rev")


def upgrade() -> None:
    _store_tables()
    _household_tables()
    _sync_tables()
    if op.get_bind().dialect.name == "sqlite":
        # FTS5 is SQLite's; PostgreSQL will search with pg_trgm. If search_index's DDL
        # ever changes, copy schema 1's statements in here first and change it in a new
        # revision: this one must keep making what schema 1 had.
        search_index.create(op.get_bind())


def _store_tables() -> None:
    op.create_table(
        "meta",
        _req("key", sa.String(40)),
        _req("value", sa.Text()),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "counter",
        _req("name", sa.String(20)),
        _req("value", sa.Integer()),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        _req("id", sa.String(36)),
        _req("at", sa.DateTime()),
        *_audit_fields(),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
    )
    _tracked_table(
        "region",
        _req("code", sa.String(12)),
        _req("level", sa.String(10)),
        _req("name", sa.String(60)),
        _opt("parent_code", sa.String(12)),
        sa.UniqueConstraint("code"),
    )
    _index("region", "parent_code")
    _tracked_table(
        "village_group",
        _req("village_code", sa.String(12)),
        _req("number", sa.Integer()),
        _opt("name", sa.String(40)),
        sa.UniqueConstraint("village_code", "number"),
    )
    _index("village_group", "village_code")
    _tracked_table(
        "poverty_line",
        _req("year", sa.Integer()),
        _req("amount", sa.Integer()),  # 元 in hundredths
        sa.UniqueConstraint("year"),
    )


def _audit_fields() -> list[sa.Column[Any]]:
    """registry.base.AuditFields: the store's chain and the stations' chains at a county."""
    return [
        _req("user", sa.String(40)),
        _req("action", sa.String(30)),
        _req("entity", sa.String(30)),
        _opt("entity_id", sa.String(36)),
        _opt("before", sa.Text()),
        _opt("after", sa.Text()),
        _opt("reason", sa.Text()),
        _req("prev_hash", sa.String(64)),
        _req("hash", sa.String(64)),
    ]


_HOUSEHOLD_MONEY = (
    "income_wage", "income_business", "income_property", "transfer_family_planning",
    "transfer_dibao", "transfer_wubao", "transfer_pension", "transfer_ecological",
    "transfer_other", "business_expense",
)
_HOUSEHOLD_LAND = (
    "land_arable", "land_irrigated", "land_forest", "land_returned_forest", "land_fruit",
    "land_pasture", "land_water", "housing_area",
)


def _household_tables() -> None:
    _tracked_table(
        "household",
        _req("village_code", sa.String(12)),
        _opt("group_no", sa.Integer()),
        _opt("phone", sa.String(20)),
        _opt("bank_name", sa.String(50)),
        _opt("bank_account", sa.String(30)),
        _opt("identification_standard", sa.String(2)),
        _opt("attribute", sa.String(2)),
        _req("stage", sa.String(2)),
        _req("poverty_status", sa.String(2)),
        _opt("exit_year", sa.Integer()),
        _opt("planned_exit_year", sa.Integer()),
        _opt("military_family", sa.Boolean()),
        _opt("single_child", sa.Boolean()),
        _opt("two_daughters", sa.Boolean()),
        *(_opt(name, sa.Integer()) for name in _HOUSEHOLD_MONEY + _HOUSEHOLD_LAND),
        _opt("dangerous_housing", sa.String(2)),
        _opt("road_type", sa.String(2)),
        _opt("fuel", sa.String(2)),
        _opt("sanitary_toilet", sa.Boolean()),
        _opt("drinking_water_difficult", sa.Boolean()),
        _opt("drinking_water_safe", sa.Boolean()),
        _opt("electricity", sa.Boolean()),
        _opt("distance_to_road_km", sa.Integer()),  # km in tenths
        _opt("main_cause", sa.String(2)),
        _opt("other_causes", sa.String(20)),
        _opt("aid_needs", sa.String(60)),
        _opt("note", sa.Text()),
        _opt("head_name", sa.String(40)),
        _opt("head_pinyin", sa.String(80)),
        _opt("head_id_number", sa.String(18)),
        _req("size", sa.Integer()),
        _opt("income_transfer", sa.Integer()),
        _opt("net_income", sa.Integer()),
        _opt("net_income_per_capita", sa.Integer()),
    )
    _index("household", "village_code", "group_no", "head_pinyin", name="ix_household_place")
    for column in ("stage", "poverty_status", "head_name"):
        _index("household", column)

    _tracked_table(
        "member",
        _req("household_id", sa.String(36)),
        _req("position", sa.Integer()),
        _req("name", sa.String(40)),
        _req("id_number", sa.String(18)),
        _opt("disability_cert", sa.String(20)),
        _req("relation", sa.String(2)),
        _opt("ethnicity", sa.String(2)),
        _opt("education", sa.String(2)),
        _opt("school_status", sa.String(2)),
        _opt("health", sa.String(2)),
        _opt("labor_skill", sa.String(2)),
        _opt("work_status", sa.String(2)),
        _opt("work_months", sa.Integer()),
        _opt("medical_insurance", sa.Boolean()),
        _opt("pension_insurance", sa.Boolean()),
        _opt("active_military", sa.Boolean()),
        _opt("change_reason", sa.String(2)),
        _opt("change_date", sa.Date()),
        _req("sex", sa.String(1)),
        _req("birth_date", sa.Date()),
        _req("name_pinyin", sa.String(80)),
        _req("name_initials", sa.String(20)),
        _req("search_text", sa.Text()),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    _index("member", "household_id")
    _index("member", "id_number", name="ix_member_id_number")
    _index("member", "name", name="ix_member_name")
    _index("member", "name_pinyin", name="ix_member_pinyin")
    _index("member", "name_initials", name="ix_member_initials")
    _index("member", "name", "birth_date", name="ix_member_name_birth")

    _tracked_table(
        "helper",
        _req("household_id", sa.String(36)),
        _req("name", sa.String(40)),
        _opt("unit", sa.String(80)),
        _opt("title", sa.String(40)),
        _opt("phone", sa.String(20)),
        _opt("affiliation", sa.String(2)),
        _opt("start_date", sa.Date()),
        _opt("end_date", sa.Date()),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    _index("helper", "household_id")
    _tracked_table(
        "aid_plan",
        _req("household_id", sa.String(36)),
        _req("year", sa.Integer()),
        _opt("measure", sa.String(2)),
        _opt("content", sa.Text()),
        _opt("funds", sa.Integer()),  # 元 in hundredths
        _opt("responsible", sa.String(40)),
        _opt("status", sa.String(20)),
        _opt("result", sa.Text()),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    _index("aid_plan", "household_id")
    _tracked_table(
        "procedure_event",
        _req("household_id", sa.String(36)),
        _req("stage", sa.String(2)),
        _req("event_date", sa.Date()),
        _opt("actor", sa.String(40)),
        _opt("passed", sa.Boolean()),
        _opt("period_start", sa.Date()),
        _opt("period_end", sa.Date()),
        _opt("note", sa.Text()),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
    )
    _index("procedure_event", "household_id")


def _sync_tables() -> None:
    op.create_table(
        "sync_own_key",
        _req("key_id", sa.String(16)),
        _req("sign_private", sa.String(64)),
        _req("sign_public", sa.String(64)),
        _req("enc_private", sa.String(64)),
        _req("enc_public", sa.String(64)),
        _req("status", sa.String(10)),
        _opt("endorsement", sa.Text()),
        _req("created_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_table(
        "sync_peer",
        _req("code", sa.String(12)),
        _req("role", sa.String(10)),
        _req("name", sa.String(60)),
        _req("store_id", sa.String(36)),
        _req("enrolled_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "sync_peer_key",
        _req("key_id", sa.String(16)),
        _req("peer_code", sa.String(12)),
        _req("sign_public", sa.String(64)),
        _req("enc_public", sa.String(64)),
        _req("status", sa.String(10)),
        _req("added_at", sa.DateTime()),
        _opt("revoked_at", sa.DateTime()),
        _opt("reason", sa.Text()),
        sa.PrimaryKeyConstraint("key_id"),
    )
    _index("sync_peer_key", "peer_code")
    op.create_table(
        "sync_outbox",
        _req("peer_code", sa.String(12)),
        _req("peer_store_id", sa.String(36)),
        _req("last_seq", sa.Integer()),
        _req("last_hash", sa.String(64)),
        _req("last_rev", sa.Integer()),
        _req("last_audit_seq", sa.Integer()),
        sa.PrimaryKeyConstraint("peer_code"),
    )
    op.create_table(
        "sync_sent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _req("peer_code", sa.String(12)),
        _req("seq", sa.Integer()),
        _req("hash", sa.String(64)),
        _req("file_name", sa.String(120)),
        _req("full", sa.Boolean()),
        _req("counts", sa.Text()),
        _req("created_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("sync_sent", "peer_code")
    op.create_table(
        "sync_inbox",
        _req("peer_code", sa.String(12)),
        _req("last_seq", sa.Integer()),
        _req("last_hash", sa.String(64)),
        _req("audit_hash", sa.String(64)),
        sa.PrimaryKeyConstraint("peer_code"),
    )
    op.create_table(
        "sync_received",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _req("peer_code", sa.String(12)),
        _req("seq", sa.Integer()),
        _req("hash", sa.String(64)),
        _req("status", sa.String(10)),
        _req("file_name", sa.String(120)),
        _req("manifest", sa.Text()),
        _opt("data", sa.LargeBinary()),
        _req("received_at", sa.DateTime()),
        _opt("applied_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("peer_code", "seq", "hash"),
    )
    _index("sync_received", "peer_code")
    _tracked_table(
        "sync_receipt",
        _req("station_code", sa.String(12)),
        _req("seq", sa.Integer()),
        _req("bundle_hash", sa.String(64)),
        _req("counts", sa.Text()),
        _req("message", sa.Text()),
        _req("received_by", sa.String(40)),
        _req("received_at", sa.DateTime()),
    )
    _index("sync_receipt", "station_code")
    _tracked_table(
        "sync_duplicate",
        _req("kind", sa.String(10)),
        _req("member_a", sa.String(36)),
        _req("member_b", sa.String(36)),
        _req("station_a", sa.String(12)),
        _req("station_b", sa.String(12)),
        _req("household_a", sa.String(36)),
        _req("household_b", sa.String(36)),
        _req("village_a", sa.String(12)),
        _req("village_b", sa.String(12)),
        _req("name_a", sa.String(40)),
        _req("name_b", sa.String(40)),
        _req("id_number_a", sa.String(18)),
        _req("id_number_b", sa.String(18)),
        _opt("birth_date", sa.Date()),
        _opt("ruling", sa.String(10)),
        _opt("ruled_by", sa.String(40)),
        _opt("ruled_at", sa.DateTime()),
        _opt("note", sa.Text()),
        sa.UniqueConstraint("kind", "member_a", "member_b"),
    )
    _index("sync_duplicate", "station_a")
    _index("sync_duplicate", "station_b")
    _tracked_table(
        "sync_decision",
        _req("household_id", sa.String(36)),
        _req("station_code", sa.String(12)),
        _req("kind", sa.String(12)),
        _opt("result", sa.String(20)),
        _opt("notice_no", sa.String(40)),
        _opt("note", sa.Text()),
        _req("decided_by", sa.String(40)),
        _req("decided_at", sa.DateTime()),
    )
    _index("sync_decision", "household_id")
    _index("sync_decision", "station_code")
    _tracked_table(
        "sync_key_event",
        _req("subject_code", sa.String(12)),
        _req("key_id", sa.String(16)),
        _req("action", sa.String(10)),
        _opt("sign_public", sa.String(64)),
        _opt("enc_public", sa.String(64)),
        _opt("reason", sa.Text()),
        _req("at", sa.DateTime()),
    )
    _index("sync_key_event", "subject_code")
    op.create_table(
        "sync_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _req("station_code", sa.String(12)),
        _req("seq", sa.Integer()),
        _req("table_name", sa.String(30)),
        _req("record_id", sa.String(36)),
        _req("bucket", sa.String(12)),
        _req("reason", sa.Text()),
        _req("data", sa.Text()),
        _req("at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("sync_quarantine", "station_code")
    op.create_table(
        "sync_station_audit",
        _req("id", sa.String(36)),
        _req("station_code", sa.String(12)),
        _req("seq", sa.Integer()),
        _req("at", sa.String(32)),
        *_audit_fields(),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("sync_station_audit", "station_code")


def downgrade() -> None:
    raise NotImplementedError("schema 1 is the first release; there is nothing before it")
