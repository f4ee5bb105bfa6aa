"""公示 as records: opening one for a batch of households (the first in their village, the
second in the township), objections received during its period, and closing it once the
period has ended, which moves every household still on it to the next step. A notice's
poster is printed from the households it lists (reports/pdf/notice.py), never from a
village's whole list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit
from registry.errors import NotFound, ProcedureRefused
from registry.models import Household, Meta, Region
from registry.procedure.record import Actor, Recorded, record
from registry.procedure.steps import PASS, REJECT, RETURN, STEPS
from registry.procedure.tables import Notice, NoticeEntry, Objection
from registry.tracking import bulk_insert
from registry.villages import in_region

FIRST, SECOND, EXIT = "first", "second", "exit"
KIND_NAMES = {FIRST: "第一次公示", SECOND: "第二次公示", EXIT: "退出公示"}
# Where each kind is posted: the first and the exit notice in the village (退出 is 村内公示).
KIND_LEVEL = {FIRST: "village", SECOND: "township", EXIT: "village"}
DEFAULT_DAYS = 7
MAX_DAYS = 60
# An objection's outcome: 维持 (stays on the notice), 退回重新评议, 取消 (未通过).
KEEP, RETURN_TO_VILLAGE, CANCEL = "keep", "return", "cancel"
OUTCOME_NAMES = {KEEP: "维持", RETURN_TO_VILLAGE: "退回重新评议", CANCEL: "取消"}
# How a household left the notice (NoticeEntry.outcome).
PASSED, RETURNED, CANCELLED = "passed", "returned", "cancelled"
ENTRY_OUTCOME_NAMES = {PASSED: "期满通过", RETURNED: "退回重新评议", CANCELLED: "取消"}


@dataclass(frozen=True)
class NoticeInfo:
    id: str
    number: str
    kind: str
    region_code: str
    region_name: str
    start_date: date
    end_date: date
    days: int
    closed_on: date | None
    households: int
    objections: int

    @property
    def title(self) -> str:
        return f"{self.region_name}{KIND_NAMES[self.kind]}"

    def due(self, today: date) -> bool:
        """到期: the period is over and the notice not closed yet."""
        return self.closed_on is None and self.end_date < today


def _kind_step(kind: str) -> tuple[str, str]:
    if kind == FIRST:
        return "first_notice", "first_notice_end"
    if kind == SECOND:
        return "second_notice", "second_notice_end"
    if kind == EXIT:
        return "exit_notice", "exit_notice_end"
    raise ProcedureRefused(f"公示类型只能是 {FIRST}(第一次公示)、{SECOND}(第二次公示)"
                           f"或 {EXIT}(退出公示)")


def open_notice(s: Session, actor: Actor, kind: str, region_code: str,
                household_ids: Sequence[str], start: date, days: int = DEFAULT_DAYS,
                today: date | None = None) -> Notice:
    """The notice, numbered (2026-001…), listing exactly these households; every one moves
    to 公示中. The first notice is a village's (all households of that village), the
    second the township's."""
    opening, _ = _kind_step(kind)
    if not 1 <= days <= MAX_DAYS:
        raise ProcedureRefused(f"公示期应为1至{MAX_DAYS}天(通常不少于7天)")
    region = s.scalar(select(Region).where(Region.code == region_code,
                                           Region.deleted.is_(False)))
    want = KIND_LEVEL[kind]
    if region is None or region.level != want:
        where = "行政村" if want == "village" else "乡镇"
        raise ProcedureRefused(f"{KIND_NAMES[kind]}应在{where}公示,没有{where} {region_code}")
    ids = list(dict.fromkeys(household_ids))
    outside = s.scalars(select(Household.head_name).where(
        Household.id.in_(ids), ~Household.village_code.startswith(region_code))).all()
    if outside:
        raise ProcedureRefused(f"{outside[0] or '(无户主)'}户不在{region.name},"
                               f"不能列入{region.name}的{KIND_NAMES[kind]}")
    notice = Notice(number=_next_number(s, start.year), kind=kind, region_code=region_code,
                    start_date=start, days=days, end_date=start + timedelta(days=days - 1),
                    opened_by=actor.user)
    s.add(notice)
    s.flush()
    record(s, actor, STEPS[opening], ids, start, notice_id=notice.id, today=today,
           facts={"notice": notice.number, "days": days})
    # One INSERT for the lot: 300 ORM objects cost a quarter of a second.
    bulk_insert(s, NoticeEntry, [{"notice_id": notice.id, "household_id": hid} for hid in ids])
    audit.record(s, actor.user, "open_notice", "notice", notice.id, after={
        "number": notice.number, "kind": kind, "region_code": region_code,
        "start_date": start, "days": days, "households": len(ids)})
    return notice


def _next_number(s: Session, year: int) -> str:
    """2026-001, 2026-002…: one series per station and year, for both kinds."""
    taken = s.scalar(select(func.count()).select_from(Notice)
                     .where(Notice.number.startswith(f"{year}-"))) or 0
    return f"{year}-{taken + 1:03d}"


def find_notice(s: Session, number: str) -> Notice:
    notice = s.scalar(select(Notice).where(Notice.number == number.strip(),
                                           Notice.deleted.is_(False)))
    if notice is None:
        raise NotFound(f"没有编号为“{number}”的公示")
    return notice


def add_objection(s: Session, actor: Actor, number: str, household_id: str, content: str,
                  outcome: str, on: date, objector: str | None = None,
                  checking: str | None = None, today: date | None = None) -> Objection:
    """An objection received while the notice is up. 维持 leaves the household on it;
    退回重新评议 sends it back to 民主评议 and 取消 ends its application, both at once."""
    notice = find_notice(s, number)
    _, ending = _kind_step(notice.kind)
    if outcome not in OUTCOME_NAMES:
        raise ProcedureRefused("处理结果只能是 keep(维持)、return(退回重新评议)或 cancel(取消)")
    if not content.strip():
        raise ProcedureRefused("请填写异议内容")
    if notice.closed_on is not None:
        raise ProcedureRefused(f"公示 {notice.number} 已于 {notice.closed_on} 结束,不能再登记异议")
    if on < notice.start_date:
        raise ProcedureRefused(f"异议日期早于公示开始日 {notice.start_date}")
    if today is not None and on > today:
        raise ProcedureRefused(f"日期 {on.isoformat()} 晚于今天,请核对")
    entry = s.scalar(select(NoticeEntry).where(NoticeEntry.notice_id == notice.id,
                                               NoticeEntry.household_id == household_id))
    if entry is None:
        raise ProcedureRefused(f"公示 {notice.number} 上没有这一户")
    if entry.outcome is not None:
        raise ProcedureRefused(f"这一户已从公示 {notice.number} 撤下"
                               f"({ENTRY_OUTCOME_NAMES.get(entry.outcome, entry.outcome)})")
    row = Objection(notice_id=notice.id, household_id=household_id, received_on=on,
                    objector=(objector or "").strip() or None, content=content.strip(),
                    checking=(checking or "").strip() or None, outcome=outcome,
                    recorded_by=actor.user)
    s.add(row)
    s.flush()
    if outcome == KEEP:
        audit.record(s, actor.user, "objection", "household", household_id, after={
            "notice": notice.number, "outcome": outcome, "content": row.content})
    else:
        result = RETURN if outcome == RETURN_TO_VILLAGE else REJECT
        record(s, actor, STEPS[ending], [household_id], on, result=result,
               reason=f"公示异议:{row.content}", notice_id=notice.id, today=today,
               facts={"notice": notice.number, "objection": row.id})
        entry.outcome = RETURNED if outcome == RETURN_TO_VILLAGE else CANCELLED
        s.flush()
    return row


def close_notice(s: Session, actor: Actor, number: str, on: date,
                 today: date | None = None) -> list[Recorded]:
    """Ends the notice after its period: every household still on it passes to the next
    step (第一次公示期满 → 乡镇审核; 第二次 → 县复审)."""
    notice = find_notice(s, number)
    _, ending = _kind_step(notice.kind)
    if notice.closed_on is not None:
        raise ProcedureRefused(f"公示 {notice.number} 已于 {notice.closed_on} 结束")
    if on <= notice.end_date:
        raise ProcedureRefused(f"公示 {notice.number} 的公示期到 {notice.end_date} 为止,"
                               "期满后才能结束")
    if today is not None and on > today:
        raise ProcedureRefused(f"日期 {on.isoformat()} 晚于今天,请核对")
    entries = list(s.scalars(select(NoticeEntry).where(
        NoticeEntry.notice_id == notice.id, NoticeEntry.outcome.is_(None))))
    done: list[Recorded] = []
    if entries:
        objections = s.scalar(select(func.count()).select_from(Objection)
                              .where(Objection.notice_id == notice.id)) or 0
        done = record(s, actor, STEPS[ending], [e.household_id for e in entries], on,
                      result=PASS, notice_id=notice.id, today=today,
                      facts={"notice": notice.number, "objections": objections})
        for e in entries:
            e.outcome = PASSED
    notice.closed_on, notice.closed_by = on, actor.user
    s.flush()
    audit.record(s, actor.user, "close_notice", "notice", notice.id,
                 after={"number": notice.number, "closed_on": on, "passed": len(done)})
    return done


def _due(today: date) -> tuple[Any, ...]:
    """Open notices whose period has ended: their objections are to be recorded and they
    are to be closed (到期公示)."""
    return Notice.closed_on.is_(None), Notice.end_date < today


def count_due(s: Session, today: date) -> int:
    """How many notices are due (the window's 到期公示 badge)."""
    return s.scalar(select(func.count()).select_from(Notice)
                    .where(*_due(today), Notice.deleted.is_(False))) or 0


def list_notices(s: Session, due_only: bool = False, today: date | None = None,
                 notice_id: str | None = None, region: str | None = None
                 ) -> list[NoticeInfo]:
    """The notices, newest first: all, the due ones, or the one with `notice_id`; only
    those posted inside `region` (a county's, a township's, a village's code: at a city or
    the province, where all of them are half a million)."""
    where = [Notice.deleted.is_(False), *(_due(today or date.today()) if due_only else ())]
    if notice_id is not None:
        where.append(Notice.id == notice_id)
    if region is not None:
        where.append(in_region(Notice.region_code, region))
    notices = list(s.scalars(select(Notice).where(*where)
                             .order_by(Notice.start_date.desc(), Notice.number.desc())))
    if not notices:
        return []
    names = dict(s.execute(select(Region.code, Region.name)).all())
    township = s.scalar(select(Meta.value).where(Meta.key == "region_name")) or ""
    # The entries of these notices only, where they are not all (a province's 3,000 due
    # notices of its 4 million entries: 2 s counted whole).
    some = due_only or notice_id is not None or region is not None
    ids = [n.id for n in notices] if some else None
    counts = _per_notice(s, NoticeEntry.notice_id, ids)
    objections = _per_notice(s, Objection.notice_id, ids)
    return [NoticeInfo(
        n.id, n.number, n.kind, n.region_code,
        names.get(n.region_code, township if n.kind == SECOND else n.region_code),
        n.start_date, n.end_date, n.days, n.closed_on, counts.get(n.id, 0),
        objections.get(n.id, 0)) for n in notices]


def _per_notice(s: Session, notice_id: Any, ids: list[str] | None) -> dict[str, int]:
    """Rows per notice (entries or objections): of the notices `ids`, or of all."""
    where = [] if ids is None else [notice_id.in_(ids)]
    return {str(n): int(c) for n, c in s.execute(
        select(notice_id, func.count()).where(*where).group_by(notice_id))}


def notice_households(s: Session, number: str) -> tuple[Notice, list[str]]:
    """The notice and the ids of the households it lists, in the order they were put on."""
    notice = find_notice(s, number)
    ids = list(s.scalars(select(NoticeEntry.household_id)
                         .where(NoticeEntry.notice_id == notice.id)
                         .order_by(NoticeEntry.created_at, NoticeEntry.id)))
    return notice, ids
