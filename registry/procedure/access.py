"""The procedure work the desktop (and anyone holding an open store) does, each call one
short session of its own, as the logged-in user and role (`Actor(store.user, store.role)`):
a village's batch, recording a step, notices and their objections, a household's 档案, the
county's queue, 抽查, 审定 / 退回 and 公告 (each for identification or, with
`track=county.EXIT`, for exits), and the 规模 used. Callers hold no session and
write no SQL; results are plain dataclasses (the desktop runs these in its DB worker).

The core refuses what the role may not do and what the step table does not allow; nothing
is written then (each call is one transaction)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from forms.idnumber import mask
from registry.models import Household, Region
from registry.procedure import county, history, notices, quota, station
from registry.procedure.county import Announcement, QueueRow
from registry.procedure.history import Item
from registry.procedure.notices import ENTRY_OUTCOME_NAMES, NoticeInfo
from registry.procedure.record import Actor, Recorded
from registry.procedure.steps import PASS, stage_name
from registry.procedure.tables import NoticeEntry, Objection
from registry.store import Store


def actor(store: Store) -> Actor:
    return Actor(store.user, store.role)


# ---- a village's batch --------------------------------------------------------------------
@dataclass(frozen=True)
class BatchRow:
    household_id: str
    group_no: int | None
    head_name: str
    head_id_number: str  # masked
    size: int
    stage: str

    @property
    def stage_name(self) -> str:
        return stage_name(self.stage)


def village_batch(store: Store, village_code: str) -> list[BatchRow]:
    """The households of a village with their stage, by group and name: one query."""
    with store.session() as s:
        rows = s.execute(
            select(Household.id, Household.group_no, Household.head_name,
                   Household.head_id_number, Household.size, Household.stage)
            .where(Household.village_code == village_code, Household.deleted.is_(False))
            .order_by(Household.group_no, Household.head_pinyin, Household.id)).all()
    return [BatchRow(hid, group, head or "", mask(number) if number else "", size or 0,
                     stage or "")
            for hid, group, head, number, size, stage in rows]


def record_step(store: Store, step: str, household_ids: Sequence[str], on: date,
                result: str = PASS, reason: str | None = None,
                facts: Mapping[str, Any] | None = None, override: str | None = None
                ) -> list[Recorded]:
    """民主评议, 入户核实, 乡镇审核 or 建档立卡 (by key or Chinese name) for every household
    or for none."""
    with store.transaction() as s:
        return station.record_step(s, actor(store), step, household_ids, on, result, reason,
                                   facts, override, today=date.today())


# ---- notices ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedNotice:
    number: str
    kind: str
    region_code: str
    start_date: date
    end_date: date
    households: int


def open_notice(store: Store, kind: str, region_code: str, household_ids: Sequence[str],
                start: date, days: int = notices.DEFAULT_DAYS) -> OpenedNotice:
    with store.transaction() as s:
        n = notices.open_notice(s, actor(store), kind, region_code, household_ids, start,
                                days, today=date.today())
        return OpenedNotice(n.number, n.kind, n.region_code, n.start_date, n.end_date,
                            len(set(household_ids)))


def count_due(store: Store, today: date) -> int:
    with store.session() as s:
        return notices.count_due(s, today)


def list_notices(store: Store, due_only: bool = False, today: date | None = None
                 ) -> list[NoticeInfo]:
    with store.session() as s:
        return notices.list_notices(s, due_only, today)


@dataclass(frozen=True)
class NoticeHousehold:
    household_id: str
    village_name: str
    group_no: int | None
    head_name: str
    size: int
    outcome: str | None  # None: still on the notice; passed returned cancelled
    objections: int

    @property
    def outcome_name(self) -> str:
        return ENTRY_OUTCOME_NAMES.get(self.outcome, self.outcome) if self.outcome else "公示中"


@dataclass(frozen=True)
class NoticeObjection:
    household_id: str
    head_name: str
    received_on: date
    objector: str  # "" anonymous
    content: str
    checking: str
    outcome: str

    @property
    def outcome_name(self) -> str:
        return notices.OUTCOME_NAMES.get(self.outcome, self.outcome)


@dataclass(frozen=True)
class NoticeDetail:
    info: NoticeInfo
    households: list[NoticeHousehold]
    objections: list[NoticeObjection]


def notice_detail(store: Store, number: str, today: date | None = None) -> NoticeDetail:
    """A notice with the households it lists (and how each left it) and its objections."""
    with store.session() as s:
        notice = notices.find_notice(s, number)
        [info] = notices.list_notices(s, today=today, notice_id=notice.id)
        names = dict(s.execute(select(Region.code, Region.name)).all())
        objections = list(s.execute(
            select(Objection, Household.head_name)
            .join(Household, Household.id == Objection.household_id)
            .where(Objection.notice_id == notice.id, Objection.deleted.is_(False))
            .order_by(Objection.received_on, Objection.created_at)).all())
        per_household: dict[str, int] = {}
        for o, _head in objections:
            per_household[o.household_id] = per_household.get(o.household_id, 0) + 1
        rows = s.execute(
            select(Household.id, Household.village_code, Household.group_no,
                   Household.head_name, Household.size, NoticeEntry.outcome)
            .join(NoticeEntry, NoticeEntry.household_id == Household.id)
            .where(NoticeEntry.notice_id == notice.id, NoticeEntry.deleted.is_(False))
            .order_by(Household.village_code, Household.group_no, Household.head_pinyin)
        ).all()
        return NoticeDetail(
            info,
            [NoticeHousehold(hid, names.get(v, v), g, head or "", size or 0, outcome,
                             per_household.get(hid, 0))
             for hid, v, g, head, size, outcome in rows],
            [NoticeObjection(o.household_id, head or "", o.received_on, o.objector or "",
                             o.content, o.checking or "", o.outcome) for o, head in objections])


def add_objection(store: Store, number: str, household_id: str, content: str, outcome: str,
                  on: date, objector: str | None = None, checking: str | None = None) -> None:
    with store.transaction() as s:
        notices.add_objection(s, actor(store), number, household_id, content, outcome, on,
                              objector, checking, today=date.today())


def close_notice(store: Store, number: str, on: date) -> int:
    """结束公示; returns how many households passed on to the next step."""
    with store.transaction() as s:
        return len(notices.close_notice(s, actor(store), number, on, today=date.today()))


# ---- 档案 ---------------------------------------------------------------------------------
def household_history(store: Store, household_id: str) -> list[Item]:
    with store.session() as s:
        return history.timeline(s, household_id)


# ---- 规模 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuotaLine:
    region_code: str
    region_name: str
    text: str  # 已用 x/y 户,…
    over: bool  # already over the quota


def quota_usage(store: Store, region_codes: Sequence[str]) -> list[QuotaLine]:
    """Used / quota of townships (9 digits) or villages (12), for the 乡镇审核 and 县审定
    dialogs."""
    with store.session() as s:
        names = dict(s.execute(select(Region.code, Region.name)
                               .where(Region.code.in_(list(region_codes)))).all())
        out = []
        for code in dict.fromkeys(region_codes):
            u = quota.usage(s, code)
            over = u.quota_households is not None and u.quota_people is not None and (
                u.households > u.quota_households or u.people > u.quota_people)
            out.append(QuotaLine(code, names.get(code, code), u.text(), over))
        return out


# ---- the county -----------------------------------------------------------------------------
# `track`: county.IDENTIFY (县复审, 审定, 公告) or county.EXIT (县审定退出, 退出公告).
def review_queue(store: Store, station_code: str | None = None,
                 track: str = county.IDENTIFY) -> list[QueueRow]:
    with store.session() as s:
        return county.review_queue(s, station_code, track)


def sample(store: Store, share: float, station_code: str | None = None,
           seed: int | None = None, track: str = county.IDENTIFY) -> list[QueueRow]:
    with store.transaction() as s:
        return county.sample(s, actor(store), share, station_code, seed, track)


def check_sample(store: Store, household_id: str, passed: bool, note: str | None = None,
                 track: str = county.IDENTIFY) -> None:
    with store.transaction() as s:
        county.check_sample(s, actor(store), household_id, passed, note, track)


def decide(store: Store, household_ids: Sequence[str], approve: bool, ref: str | None,
           reason: str | None = None, override: str | None = None,
           track: str = county.IDENTIFY) -> int:
    with store.transaction() as s:
        return county.decide(s, actor(store), household_ids, approve, ref, reason, override,
                             track)


def announce(store: Store, ref: str, on: date, track: str = county.IDENTIFY) -> Announcement:
    with store.transaction() as s:
        return county.announce(s, actor(store), ref, on, track)


def refs(store: Store, track: str = county.IDENTIFY) -> list[tuple[str, int, bool]]:
    """Every 文号 used in 审定 (审定退出): (文号, households, announced)."""
    with store.session() as s:
        return county.refs(s, track)
