"""The station's tables (SQLAlchemy 2 typed ORM).

Every synced row is `Tracked` (registry/base.py): a global id, a change counter `rev`
taken from the store's counter on each write (registry/tracking.py), timestamps, and a
tombstone flag instead of DELETE — the sync bundles rely on all four. Derived values (size,
incomes, sex, birth date, pinyin) are written by registry/derived.py, never typed by a person.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.base import AuditFields as AuditFields  # re-exported: older imports name models
from registry.base import Base as Base
from registry.base import Tracked as Tracked
from registry.base import utcnow as utcnow
from registry.columns import Fixed, FixedSum
from registry.ids import new_id


class Meta(Base):
    """Key/value facts of the store: schema version, kind, region, store id."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(Base):
    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Region(Tracked, Base):
    """统计用区划: the station's county, townships and villages (codes from 2023)."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(12), unique=True)
    level: Mapped[str] = mapped_column(String(10))  # province city county township village
    name: Mapped[str] = mapped_column(String(60))
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)


class VillageGroup(Tracked, Base):
    """村民小组 (组) of a village: numbered 1..n, optionally named."""

    __tablename__ = "village_group"
    __table_args__ = (UniqueConstraint("village_code", "number"),)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(40))


class Household(Tracked, Base):
    __tablename__ = "household"
    __table_args__ = (
        # The list in its usual order and the tree's counts, from the index alone (0008).
        Index("ix_household_place", "village_code", "group_no", "head_pinyin", "id",
              "deleted"),
        # Schema 7: the county's statistics (registry/statistics.py) read these, never the
        # wide rows: per village and stage, grouped in this order without a sort …
        Index("ix_household_statistics", "village_code", "stage", "attribute", "main_cause",
              "poverty_status", "identification_standard", "deleted", "size"),
        # … and by id, for the households of members, plans, helpers and steps.
        Index("ix_household_id_statistics", "id", "deleted", "village_code", "stage",
              "poverty_status", "size"),
    )

    village_code: Mapped[str] = mapped_column(String(12))
    group_no: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20))
    bank_name: Mapped[str | None] = mapped_column(String(50))
    bank_account: Mapped[str | None] = mapped_column(String(30))
    identification_standard: Mapped[str | None] = mapped_column(String(2))
    attribute: Mapped[str | None] = mapped_column(String(2))
    stage: Mapped[str] = mapped_column(String(2), default="10", index=True)
    poverty_status: Mapped[str] = mapped_column(String(2), default="1", index=True)
    exit_year: Mapped[int | None] = mapped_column(Integer)
    planned_exit_year: Mapped[int | None] = mapped_column(Integer)
    military_family: Mapped[bool | None] = mapped_column(Boolean)
    single_child: Mapped[bool | None] = mapped_column(Boolean)
    two_daughters: Mapped[bool | None] = mapped_column(Boolean)

    income_wage: Mapped[Decimal | None]
    income_business: Mapped[Decimal | None]
    income_property: Mapped[Decimal | None]
    transfer_family_planning: Mapped[Decimal | None]
    transfer_dibao: Mapped[Decimal | None]
    transfer_wubao: Mapped[Decimal | None]
    transfer_pension: Mapped[Decimal | None]
    transfer_ecological: Mapped[Decimal | None]
    transfer_other: Mapped[Decimal | None]
    business_expense: Mapped[Decimal | None]

    land_arable: Mapped[Decimal | None]
    land_irrigated: Mapped[Decimal | None]
    land_forest: Mapped[Decimal | None]
    land_returned_forest: Mapped[Decimal | None]
    land_fruit: Mapped[Decimal | None]
    land_pasture: Mapped[Decimal | None]
    land_water: Mapped[Decimal | None]
    housing_area: Mapped[Decimal | None]
    dangerous_housing: Mapped[str | None] = mapped_column(String(2))
    road_type: Mapped[str | None] = mapped_column(String(2))
    fuel: Mapped[str | None] = mapped_column(String(2))
    sanitary_toilet: Mapped[bool | None] = mapped_column(Boolean)
    drinking_water_difficult: Mapped[bool | None] = mapped_column(Boolean)
    drinking_water_safe: Mapped[bool | None] = mapped_column(Boolean)
    electricity: Mapped[bool | None] = mapped_column(Boolean)
    distance_to_road_km: Mapped[Decimal | None] = mapped_column(Fixed(1))

    main_cause: Mapped[str | None] = mapped_column(String(2))
    other_causes: Mapped[str | None] = mapped_column(String(20))  # "01,05"
    aid_needs: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)

    # Derived (registry/derived.py), kept on the row so lists sort and filter in SQL.
    head_name: Mapped[str | None] = mapped_column(String(40), index=True)
    head_pinyin: Mapped[str | None] = mapped_column(String(80))
    head_id_number: Mapped[str | None] = mapped_column(String(18))
    size: Mapped[int] = mapped_column(Integer, default=0)
    income_transfer: Mapped[Decimal | None]
    net_income: Mapped[Decimal | None]
    net_income_per_capita: Mapped[Decimal | None]
    # Schema 4: the 年度 the income fields above are for (the latest of household_income).
    income_year: Mapped[int | None] = mapped_column(Integer, sort_order=2)

    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.position"
    )


class Member(Tracked, Base):
    __tablename__ = "member"
    __table_args__ = (
        Index("ix_member_id_number", "id_number"),
        # Prefix look-ups for one- and two-character searches (registry/search.py);
        # longer ones go through the FTS5 trigram index (registry/search_index.py).
        Index("ix_member_name", "name"),
        Index("ix_member_pinyin", "name_pinyin"),
        Index("ix_member_initials", "name_initials"),
        # The county looks for "same name, same birth date" across all its townships.
        Index("ix_member_name_birth", "name", "birth_date"),
        # Schema 7: a household's members (it replaced the index on household_id alone) with
        # what the statistics count of them (registry/statistics.py).
        Index("ix_member_statistics", "household_id", "deleted", "change_reason",
              "labor_skill", "health", "education"),
    )

    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str] = mapped_column(String(18))
    disability_cert: Mapped[str | None] = mapped_column(String(20))
    relation: Mapped[str] = mapped_column(String(2))
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    education: Mapped[str | None] = mapped_column(String(2))
    school_status: Mapped[str | None] = mapped_column(String(2))
    health: Mapped[str | None] = mapped_column(String(2))
    labor_skill: Mapped[str | None] = mapped_column(String(2))
    work_status: Mapped[str | None] = mapped_column(String(2))
    work_months: Mapped[int | None] = mapped_column(Integer)
    medical_insurance: Mapped[bool | None] = mapped_column(Boolean)
    pension_insurance: Mapped[bool | None] = mapped_column(Boolean)
    active_military: Mapped[bool | None] = mapped_column(Boolean)
    # 成员变更: a member who left keeps the row, with the reason and date (进出有据).
    change_reason: Mapped[str | None] = mapped_column(String(2))
    change_date: Mapped[date | None] = mapped_column(Date)

    # Derived from the ID number and the name.
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    name_pinyin: Mapped[str] = mapped_column(String(80), default="")  # 张三 → zhangsan
    name_initials: Mapped[str] = mapped_column(String(20), default="")  # 张三 → zs
    search_text: Mapped[str] = mapped_column(Text, default="")  # feeds member_fts
    # Schema 4. 暂无身份证号: id_number is "" and sex and birth_date were typed. A member who
    # joined (嫁入, 新生儿, 其他转入) says so here; change_* is for one who left.
    no_id_number: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0",
                                               sort_order=2)
    joined_reason: Mapped[str | None] = mapped_column(String(2), sort_order=2)
    joined_date: Mapped[date | None] = mapped_column(Date, sort_order=2)
    change_evidence: Mapped[str | None] = mapped_column(Text, sort_order=2)

    household: Mapped[Household] = relationship(back_populates="members")

    @property
    def is_current(self) -> bool:
        return not self.deleted and self.change_reason is None


class Helper(Tracked, Base):
    """帮扶责任人 of a household. A change adds a row and closes the old one."""

    __tablename__ = "helper"
    # Schema 7: a household's helpers, with their dates (the statistics' 帮扶责任人覆盖).
    __table_args__ = (Index("ix_helper_statistics", "household_id", "deleted", "start_date",
                            "end_date"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"))
    name: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    affiliation: Mapped[str | None] = mapped_column(String(2))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    unit_kind: Mapped[str | None] = mapped_column(String(2), sort_order=2)  # schema 4


class AidPlan(Tracked, Base):
    """帮扶计划: year, measure, content, funds, who answers for it, and the result."""

    __tablename__ = "aid_plan"
    # Schema 7: a household's plans by measure, with their funds (the statistics' plan
    # tables, grouped per household and measure in this order).
    __table_args__ = (Index("ix_aid_plan_statistics", "household_id", "measure", "deleted",
                            "funds", "funds_fiscal", "funds_sector", "funds_social",
                            "funds_credit"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"))
    year: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str | None] = mapped_column(String(2))
    content: Mapped[str | None] = mapped_column(Text)
    funds: Mapped[Decimal | None]
    responsible: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(20))  # cl.PLAN_STATUS (schema 4)
    result: Mapped[str | None] = mapped_column(Text)
    # Schema 4: funds by source (forms/aid.FUND_FIELDS); `funds` is their sum. A plan of
    # schema 3 keeps its total with no source.
    funds_fiscal: Mapped[Decimal | None] = mapped_column(sort_order=2)
    funds_sector: Mapped[Decimal | None] = mapped_column(sort_order=2)
    funds_social: Mapped[Decimal | None] = mapped_column(sort_order=2)
    funds_credit: Mapped[Decimal | None] = mapped_column(sort_order=2)


class HouseholdIncome(Tracked, Base):
    """A household's income for one 年度 (schema 4): entering 2015's keeps 2014's. The id
    is derived from (household, year) (registry/aid/incomes.py), so the migration, the
    sync's upgrade step and a second entry for the same year all name the same row."""

    __tablename__ = "household_income"
    __table_args__ = (UniqueConstraint("household_id", "year"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    income_wage: Mapped[Decimal | None]
    income_business: Mapped[Decimal | None]
    income_property: Mapped[Decimal | None]
    transfer_family_planning: Mapped[Decimal | None]
    transfer_dibao: Mapped[Decimal | None]
    transfer_wubao: Mapped[Decimal | None]
    transfer_pension: Mapped[Decimal | None]
    transfer_ecological: Mapped[Decimal | None]
    transfer_other: Mapped[Decimal | None]
    business_expense: Mapped[Decimal | None]
    # Derived when written: the household's size that year and the sums.
    size: Mapped[int] = mapped_column(Integer, default=0)
    income_transfer: Mapped[Decimal | None]
    net_income: Mapped[Decimal | None]
    net_income_per_capita: Mapped[Decimal | None]


class TeamMember(Tracked, Base):
    """驻村工作队: one member of a village's team, with dates (a change ends the row)."""

    __tablename__ = "team_member"
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(2))  # cl.TEAM_ROLE
    unit: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class VillagePlan(Tracked, Base):
    """村帮扶规划: a village's project for a year, its funds by source and its result."""

    __tablename__ = "village_plan"
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int] = mapped_column(Integer)
    project: Mapped[str] = mapped_column(String(80))
    measure: Mapped[str | None] = mapped_column(String(2))
    content: Mapped[str | None] = mapped_column(Text)
    funds_fiscal: Mapped[Decimal | None]
    funds_sector: Mapped[Decimal | None]
    funds_social: Mapped[Decimal | None]
    funds_credit: Mapped[Decimal | None]
    funds: Mapped[Decimal | None]
    responsible: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(Text)


class YearlyReview(Tracked, Base):
    """年度动态调整 of one household for one year: the 两不愁三保障 checklist (JSON of the
    items of forms/checklists.py, true = met) and the proposal (cl.REVIEW_PROPOSAL). Id
    derived from (household, year) like household_income."""

    __tablename__ = "yearly_review"
    __table_args__ = (UniqueConstraint("household_id", "year"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    checklist: Mapped[str | None] = mapped_column(Text)
    proposal: Mapped[str | None] = mapped_column(String(10))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class ReviewYear(Base):
    """A year whose 年度动态调整 the station has opened (stays at the station)."""

    __tablename__ = "review_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(40))
    closed_on: Mapped[date | None] = mapped_column(Date)


class ProcedureEvent(Tracked, Base):
    """One step of 两公示一公告 or of an exit, with who did it and when (进出有据).

    `stage` is where the step left the household; the household's own stage is the last
    event's (registry/procedure). Events of schema 1 have no `step` (written by the demo
    generator before steps were recorded): they are history only."""

    __tablename__ = "procedure_event"
    # Schema 5: the county's exits and re-entries per year read steps by kind.
    __table_args__ = (Index("ix_procedure_event_step", "step", "result"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    stage: Mapped[str] = mapped_column(String(2))
    event_date: Mapped[date] = mapped_column(Date)
    actor: Mapped[str | None] = mapped_column(String(40))  # the user who recorded it
    passed: Mapped[bool | None] = mapped_column(Boolean)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # Schema 3, after Tracked's columns where the migration's ALTER TABLE puts them.
    step: Mapped[str | None] = mapped_column(String(20), sort_order=1)  # procedure/steps.py
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0", sort_order=1)
    role: Mapped[str | None] = mapped_column(String(20), sort_order=1)
    result: Mapped[str | None] = mapped_column(String(10), sort_order=1)  # pass return reject
    reason: Mapped[str | None] = mapped_column(Text, sort_order=1)
    facts: Mapped[str | None] = mapped_column(Text, sort_order=1)  # JSON: votes, findings…
    notice_id: Mapped[str | None] = mapped_column(String(36), sort_order=1)
    decision_id: Mapped[str | None] = mapped_column(String(36), sort_order=1)  # county's


class PovertyLine(Tracked, Base):
    """扶贫标准 per year (元/人/年, current prices); handed down by the county."""

    __tablename__ = "poverty_line"
    # Schema 4: one line per year and 识别标准 (国家 1 / 省定 2 / 市定 3).
    __table_args__ = (
        UniqueConstraint("year", "standard", name="uq_poverty_line_year_standard"),)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    standard: Mapped[str] = mapped_column(String(2), default="1", server_default="1",
                                          sort_order=2)


class AppUser(Base):
    """A user of this store and their role (registry/roles.py). Inside the encrypted file:
    the key file beside it only unwraps the data key, so editing it grants nothing."""

    __tablename__ = "app_user"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    added_by: Mapped[str | None] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # scrypt hash (registry/server.py) in a store on a server; NULL in a SQLCipher file,
    # whose key slots check passwords.
    password_hash: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(AuditFields, Base):
    """Append-only and hash-chained: who, when, what (before/after) and why."""

    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)




class VillageFacts(Tracked, Base):
    """贫困村登记表's typed facts of a village for one year (schema 5). Everything derived
    from households (建档立卡户数, 贫困人口, 贫困发生率 …) is counted, never stored here. Id
    derived from (village, year): registry/villages_poor/ids."""

    __tablename__ = "village_facts"
    __table_args__ = (UniqueConstraint("village_code", "year"),)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int] = mapped_column(Integer)
    households_registered: Mapped[int | None] = mapped_column(Integer)  # 户籍户数
    people_registered: Mapped[int | None] = mapped_column(Integer)  # 户籍人口
    people_agricultural: Mapped[int | None] = mapped_column(Integer)  # 农业户籍人口
    collective_income: Mapped[Decimal | None]  # 村集体经济收入 (元)
    road_hardened: Mapped[bool | None] = mapped_column(Boolean)  # 通硬化路
    bus_service: Mapped[bool | None] = mapped_column(Boolean)  # 通客运班车
    water_safe: Mapped[bool | None] = mapped_column(Boolean)  # 安全饮水
    electricity: Mapped[bool | None] = mapped_column(Boolean)  # 通生活用电
    broadband: Mapped[bool | None] = mapped_column(Boolean)  # 通宽带
    clinic: Mapped[bool | None] = mapped_column(Boolean)  # 标准化村卫生室
    culture_room: Mapped[bool | None] = mapped_column(Boolean)  # 文化活动室
    distance_to_township_km: Mapped[Decimal | None] = mapped_column(Fixed(1))
    note: Mapped[str | None] = mapped_column(Text)


class PoorVillage(Tracked, Base):
    """A village in the 贫困村 procedure (schema 5): where its last recorded step left it
    (VillageEvent), and its 贫困村 status. Id derived from the village code."""

    __tablename__ = "poor_village"
    village_code: Mapped[str] = mapped_column(String(12), unique=True)
    stage: Mapped[str] = mapped_column(String(2))
    poverty_status: Mapped[str] = mapped_column(String(2), default="1")
    exit_year: Mapped[int | None] = mapped_column(Integer)


class VillageEvent(Tracked, Base):
    """One recorded step of a village's identification or exit (schema 5), like
    ProcedureEvent for households."""

    __tablename__ = "village_event"
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    step: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(2))
    event_date: Mapped[date] = mapped_column(Date)
    actor: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[str | None] = mapped_column(Text)
    notice_id: Mapped[str | None] = mapped_column(String(36))
    decision_id: Mapped[str | None] = mapped_column(String(36))


class VillageTally(Base):
    """A city's or the province's statistics per village (schema 9): the rows of every
    statistics table (帮扶责任人覆盖 as spans of days with a helper, so the day asked picks
    them), counted by registry/statistics.py when an office's bundle is merged, in the same
    transaction, for the sender's villages. Derived, never synced nor typed: at millions of
    households the tables add these up instead of counting the rows (registry/statistics.py
    says why it is still the rows at the time asked). Empty at a station and a county."""

    __tablename__ = "village_tally"
    # A table reads its own rows (dimension first), inside a region where asked.
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)  # statistics.BY…
    village_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    label: Mapped[str] = mapped_column(String(60), primary_key=True)  # the row's key
    households: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    plans: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(FixedSum(2))
    # 贫困发生率: the village's 农业户籍人口, NULL where it has no village_facts with it
    base: Mapped[int | None] = mapped_column(Integer)


TRACKED_MODELS: tuple[type[Tracked], ...] = (
    Region, VillageGroup, Household, Member, Helper, AidPlan, ProcedureEvent, PovertyLine,
    HouseholdIncome, TeamMember, VillagePlan, YearlyReview, VillageFacts, PoorVillage,
    VillageEvent,
)
