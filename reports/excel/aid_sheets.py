"""The 帮扶 and history sheets of an export, and bringing them back on import, so a round
trip loses nothing: 帮扶责任人 (every helper, ended ones too), 帮扶计划 (funds by source),
年度收入 (one row per household and year), 年度核查 (the yearly review, one column per
checklist item) and 程序记录 (every recorded step: seq, step, stage, date, result, reason,
facts as JSON, who and in which role).

Rows name their household by the 户编号 of the same workbook. On import they are written
in the import's transaction, after the households, or not at all:
- helpers and plans are added unless the household already has the same one (name and
  start date; year, measure and content), so importing a file twice adds nothing;
- incomes and reviews are (household, year) rows: the file's replace the store's;
- steps are the household's history. A household the import has just registered carries
  only its fresh 农户申请: the file's steps replace it, written in one bulk insert with one
  audit entry per household ("excel_steps"), and the household's stage and 脱贫状态 follow
  from the last step (as recording them would have left it). A household that already had
  steps keeps its own history: the file's steps are not merged (a note says so) — steps
  are recorded acts, and replaying another store's acts over one's own would rewrite them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.aid import AID_PLAN_FORM, HELPER_FORM
from forms.checklists import SICHUAN_ONE_ABOVE_SIX_HAVE
from forms.fields import Field, FieldType
from forms.household import HOUSEHOLD_FORM
from registry import audit
from registry.aid import incomes as income_rows
from registry.aid.ids import review_id
from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    ProcedureEvent,
    YearlyReview,
)
from registry.procedure.steps import STEPS, stage_name
from reports.excel.formulas import text_row

HELPERS_SHEET, PLANS_SHEET, INCOMES_SHEET = "帮扶责任人", "帮扶计划", "年度收入"
REVIEWS_SHEET, STEPS_SHEET = "年度核查", "程序记录"
SHEETS = (HELPERS_SHEET, PLANS_SHEET, INCOMES_SHEET, REVIEWS_SHEET, STEPS_SHEET)
NO, HEAD = "户编号", "户主姓名"
_CHECK_ITEMS = SICHUAN_ONE_ABOVE_SIX_HAVE.items  # every item any checklist has
_YES, _NO = "是", "否"
_HELPER_FIELDS = tuple(HELPER_FORM.fields)
_PLAN_FIELDS = tuple(f for f in AID_PLAN_FORM.fields if f.name != "funds")
_MONEY = tuple(HOUSEHOLD_FORM[n] for n in income_rows.MONEY_FIELDS)
_STEP_COLUMNS = ("序号", "步骤代码", "步骤", "阶段代码", "阶段", "日期", "结果", "原因", "事实",
                 "记录人", "角色", "备注")
_REVIEW_TAIL = ("调整意见", "核查日期", "核查人", "备注")


def _show(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.codelist is not None:
        return f.codelist.label_of(str(value))
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet(wb: Workbook, title: str, headers: Sequence[str]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    return ws


def write_sheets(wb: Workbook, s: Session, numbers: dict[str, int]) -> dict[str, int]:
    """Adds the five sheets for the households `numbers` (id → 户编号); rows per sheet."""
    ids = list(numbers)
    heads = dict(s.execute(select(Household.id, Household.head_name)
                           .where(Household.id.in_(ids))).all()) if ids else {}
    counts: dict[str, int] = {}

    def lead(hid: str) -> list[Any]:
        return [numbers[hid], heads.get(hid) or ""]

    ws = _sheet(wb, HELPERS_SHEET, [NO, HEAD, *(f.label for f in _HELPER_FIELDS)])
    for n, h in enumerate(_rows(s, Helper, ids, Helper.start_date, Helper.created_at), 1):
        ws.append(text_row(ws, lead(h.household_id)
                           + [_show(f, getattr(h, f.name)) for f in _HELPER_FIELDS]))
        counts[HELPERS_SHEET] = n
    ws = _sheet(wb, PLANS_SHEET, [NO, HEAD, *(f.label for f in _PLAN_FIELDS), "资金合计"])
    for n, p in enumerate(_rows(s, AidPlan, ids, AidPlan.year, AidPlan.created_at), 1):
        ws.append(text_row(ws, lead(p.household_id)
                           + [_show(f, getattr(p, f.name)) for f in _PLAN_FIELDS]
                           + [float(p.funds) if p.funds is not None else None]))
        counts[PLANS_SHEET] = n
    ws = _sheet(wb, INCOMES_SHEET, [NO, HEAD, "年度", "家庭人口", *(f.label for f in _MONEY),
                                    "人均纯收入"])
    for n, i in enumerate(_rows(s, HouseholdIncome, ids, HouseholdIncome.year), 1):
        ws.append(lead(i.household_id) + [i.year, i.size]
                  + [_show(f, getattr(i, f.name)) for f in _MONEY]
                  + [_show(HOUSEHOLD_FORM["net_income"], i.net_income_per_capita)])
        counts[INCOMES_SHEET] = n
    ws = _sheet(wb, REVIEWS_SHEET, [NO, HEAD, "年度", *(i.label for i in _CHECK_ITEMS),
                                    *_REVIEW_TAIL])
    for n, r in enumerate(_rows(s, YearlyReview, ids, YearlyReview.year), 1):
        given = json.loads(r.checklist or "{}")
        ws.append(text_row(ws, lead(r.household_id) + [r.year] + [
            None if i.key not in given else (_YES if given[i.key] else _NO)
            for i in _CHECK_ITEMS] + [
            cl.REVIEW_PROPOSAL.label_of(r.proposal) if r.proposal else None,
            r.reviewed_on, r.reviewed_by, r.note]))
        counts[REVIEWS_SHEET] = n
    ws = _sheet(wb, STEPS_SHEET, [NO, HEAD, *_STEP_COLUMNS])
    for n, e in enumerate(_rows(s, ProcedureEvent, ids, ProcedureEvent.seq,
                                ProcedureEvent.event_date), 1):
        step = STEPS.get(e.step or "")
        ws.append(text_row(ws, lead(e.household_id) + [
            e.seq, e.step, step.name if step else (e.step or ""), e.stage, stage_name(e.stage),
            e.event_date, e.result, e.reason, e.facts, e.actor, e.role, e.note]))
        counts[STEPS_SHEET] = n
    return counts


def _rows(s: Session, model: Any, ids: Sequence[str], *order: Any) -> Iterator[Any]:
    for start in range(0, len(ids), 500):
        part = list(ids[start:start + 500])
        yield from s.scalars(select(model).where(model.household_id.in_(part),
                                                 model.deleted.is_(False))
                             .order_by(model.household_id, *order))


# ---- import -----------------------------------------------------------------------------

@dataclass
class AidRows:
    """The sheets' rows by 户编号 (as text), read before anything is written."""

    helpers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    incomes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    steps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # sheet, row, message

    def any(self) -> bool:
        return any((self.helpers, self.plans, self.incomes, self.reviews, self.steps))


def _code(f: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if f.codelist is not None:
        return f.codelist.code_of(str(value)) or str(value)
    if f.type in (FieldType.DATE,):
        return _date(value)
    if f.type in (FieldType.DECIMAL, FieldType.COMPUTED):
        return _money(value)
    if f.type == FieldType.INTEGER:
        return int(value)
    return str(value)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是金额") from None


def read_rows(book: Any) -> AidRows:
    """The five sheets of an opened (read-only) workbook; a sheet that is missing is empty
    (a template or an older export has none of them)."""
    out = AidRows()
    readers = ((HELPERS_SHEET, out.helpers, _helper), (PLANS_SHEET, out.plans, _plan),
               (INCOMES_SHEET, out.incomes, _income), (REVIEWS_SHEET, out.reviews, _review),
               (STEPS_SHEET, out.steps, _step))
    for title, target, read in readers:
        if title not in book.sheetnames:
            continue
        rows = book[title].iter_rows(values_only=True)
        headers = [str(h or "").strip() for h in next(rows, ())]
        for n, row in enumerate(rows, start=2):
            values = dict(zip(headers, row, strict=False))
            number = values.get(NO)
            if number is None or all(v is None for v in row):
                continue
            try:
                target.setdefault(str(number).strip().removesuffix(".0"), []).append(
                    read(values))
            except (ValueError, TypeError, KeyError) as e:
                out.problems.append((title, n, str(e)))
    return out


def _helper(v: dict[str, Any]) -> dict[str, Any]:
    return {f.name: _code(f, v.get(f.label)) for f in _HELPER_FIELDS}


def _plan(v: dict[str, Any]) -> dict[str, Any]:
    values = {f.name: _code(f, v.get(f.label)) for f in _PLAN_FIELDS}
    values["funds"] = _money(v.get("资金合计"))
    return values


def _income(v: dict[str, Any]) -> dict[str, Any]:
    size = v.get("家庭人口")
    return {"year": int(v["年度"]), "size": int(size) if size not in (None, "") else None,
            **{f.name: _money(v.get(f.label)) for f in _MONEY}}


def _review(v: dict[str, Any]) -> dict[str, Any]:
    checklist = {i.key: v[i.label] == _YES for i in _CHECK_ITEMS
                 if v.get(i.label) in (_YES, _NO)}
    proposal = v.get("调整意见")
    return {"year": int(v["年度"]), "checklist": checklist,
            "proposal": cl.REVIEW_PROPOSAL.code_of(str(proposal)) if proposal else None,
            "reviewed_on": _date(v.get("核查日期")), "reviewed_by": v.get("核查人"),
            "note": v.get("备注")}


def _step(v: dict[str, Any]) -> dict[str, Any]:
    facts = v.get("事实")
    if facts:
        json.loads(str(facts))  # refused here, not half-way through the write
    on = _date(v.get("日期"))
    if on is None:
        raise ValueError("程序记录缺少日期")
    return {"seq": int(v.get("序号") or 0), "step": v.get("步骤代码") or None,
            "stage": str(v.get("阶段代码") or ""), "event_date": on,
            "result": v.get("结果") or None, "reason": v.get("原因") or None,
            "facts": str(facts) if facts else None, "actor": v.get("记录人") or None,
            "role": v.get("角色") or None, "note": v.get("备注") or None}


@dataclass
class Applied:
    helpers: int = 0
    plans: int = 0
    incomes: int = 0
    reviews: int = 0
    steps: int = 0
    notes: list[str] = field(default_factory=list)


def apply_rows(s: Session, user: str, rows: AidRows, ids: dict[str, str],
               fresh: set[str]) -> Applied:
    """Writes the rows of the households `ids` (户编号 → household id); `fresh`: the ids
    the import has just registered (their steps are the file's)."""
    done = Applied()
    kept_steps = 0
    for number, hid in ids.items():
        h = s.get(Household, hid)
        if h is None:
            continue
        have = {(x.name, x.start_date) for x in s.scalars(select(Helper).where(
            Helper.household_id == hid, Helper.deleted.is_(False)))}
        for v in rows.helpers.get(number, []):
            if (v["name"], v["start_date"]) not in have:
                s.add(Helper(household_id=hid, **v))
                done.helpers += 1
        have_plans = {(p.year, p.measure, p.content) for p in s.scalars(select(AidPlan).where(
            AidPlan.household_id == hid, AidPlan.deleted.is_(False)))}
        for v in rows.plans.get(number, []):
            if (v["year"], v["measure"], v["content"]) not in have_plans:
                s.add(AidPlan(household_id=hid, **v))
                done.plans += 1
        for v in sorted(rows.incomes.get(number, []), key=lambda x: x["year"]):
            income_rows.put_income(s, h, v["year"], v, v.get("size"))
            done.incomes += 1
        for v in rows.reviews.get(number, []):
            r = s.get(YearlyReview, review_id(hid, v["year"]))
            if r is None:
                r = YearlyReview(id=review_id(hid, v["year"]), household_id=hid,
                                 year=v["year"])
                s.add(r)
            r.deleted = False
            r.checklist = json.dumps(v["checklist"], ensure_ascii=False)
            r.proposal, r.reviewed_on = v["proposal"], v["reviewed_on"]
            r.reviewed_by, r.note = v["reviewed_by"], v["note"]
            done.reviews += 1
        steps = rows.steps.get(number, [])
        if steps and hid in fresh:
            _replace_steps(s, user, h, steps)
            done.steps += len(steps)
        elif steps:
            kept_steps += 1
        if any(rows.__dict__[k].get(number) for k in ("helpers", "plans", "incomes",
                                                       "reviews")):
            audit.record(s, user, "excel_aid", "household", hid, after={
                "helpers": len(rows.helpers.get(number, [])),
                "plans": len(rows.plans.get(number, [])),
                "incomes": [v["year"] for v in rows.incomes.get(number, [])],
                "reviews": [v["year"] for v in rows.reviews.get(number, [])]})
    if kept_steps:
        done.notes.append(f"“{STEPS_SHEET}”表中 {kept_steps} 户已在本站有程序记录,保留本站的"
                          "记录,未合并表中的步骤(程序步骤是已记录的行为,不能用表格改写)。")
    s.flush()
    return done


def _replace_steps(s: Session, user: str, h: Household, steps: list[dict[str, Any]]) -> None:
    """The household's history becomes the file's: the import's own 农户申请 goes (it is
    in the file with its real date), the file's steps are inserted in their order, and
    stage and 脱贫状态 follow from them."""
    for e in s.scalars(select(ProcedureEvent).where(ProcedureEvent.household_id == h.id)):
        s.delete(e)
    s.flush()
    ordered = sorted(steps, key=lambda v: (v["seq"], v["event_date"]))
    for v in ordered:
        s.add(ProcedureEvent(household_id=h.id, **v))
    last = ordered[-1]
    h.stage = last["stage"] or h.stage
    for v in ordered:
        step = STEPS.get(v["step"] or "")
        if step is not None and step.sets_status and (v["result"] in (None, "pass")):
            h.poverty_status = step.sets_status
            year = json.loads(v["facts"] or "{}").get("year")
            h.exit_year = int(year) if year else v["event_date"].year
    s.flush()
    audit.record(s, user, "excel_steps", "household", h.id,
                 after={"steps": [[v["seq"], v["step"], v["event_date"].isoformat()]
                                  for v in ordered], "stage": h.stage,
                        "poverty_status": h.poverty_status})
