"""Exporting registers and filtered household lists to Excel.

Sheet “农户”: one row per household, every household field (computed ones too), code
lists as their Chinese labels; sheet “家庭成员”: one row per current member (members who
left are not in the register), with the household's 户编号, village, group and head for
reading; sheet “说明”: what was exported, when, by whom, and that it is internal
(the register holds full ID numbers, phones and bank accounts). Coded columns carry a
drop-down of their labels, the header is frozen. Rows stream through openpyxl's
write-only mode, so memory stays flat for a 20,000-household township.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry import derived
from registry.models import Household, Member, Region
from registry.progress import Cancelled, Progress
from registry.search import HouseholdFilter, household_ids
from registry.store import Store
from reports.excel.aid_sheets import SHEETS, write_sheets
from reports.excel.columns import (
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    Column,
    export_household_columns,
    export_member_columns,
    show,
)
from reports.excel.formulas import text_row
from reports.excel.saving import save_atomic
from reports.excel.sheets import CodeSheet, add_dropdowns, discard, start_sheet

INFO_SHEET = "说明"
_CHUNK = 500  # households fetched per query (keeps IN lists well under SQLite's limit)
_MODEL_NAME = {"household_size": "size"}  # form field → Household attribute


@dataclass(frozen=True)
class ExportReport:
    path: Path
    households: int
    members: int


def export_households(store: Store, path: Path, flt: HouseholdFilter | None = None,
                      progress: Progress | None = None, title: str | None = None
                      ) -> ExportReport:
    """Writes the households matching `flt` (all current households when None), sorted by
    village, group and head, to `path`. `progress(done, total)` counts households; False
    cancels (raises Cancelled, no file is written)."""
    flt = flt or HouseholdFilter()
    wb = Workbook(write_only=True)
    try:
        with store.session() as s:
            ids = household_ids(s, flt, sort="village")
            villages: dict[str, str] = {code: name for code, name in s.execute(
                select(Region.code, Region.name).where(Region.level == "village"))}
            h_columns, m_columns = export_household_columns(), export_member_columns()
            h_ws = start_sheet(wb, HOUSEHOLDS_SHEET, h_columns, comments=False, rows=len(ids))
            m_ws = start_sheet(wb, MEMBERS_SHEET, m_columns, comments=False,
                               rows=_member_count(s, ids))
            codes = CodeSheet(wb)
            members = 0
            today = date.today()
            for number, (household, people) in enumerate(_households(s, ids, progress),
                                                          start=1):
                h_ws.append_plain(_household_row(number, household, villages, h_columns))
                for person in people:
                    m_ws.append_plain(_member_row(number, household, person, villages, m_columns,
                                            today))
                members += len(people)
            aid = write_sheets(wb, s, {hid: n for n, hid in enumerate(ids, start=1)})
    except BaseException:
        discard(wb)
        raise
    add_dropdowns(h_ws, h_columns, codes, len(ids) + 1)
    add_dropdowns(m_ws, m_columns, codes, members + 1)
    codes.write()
    _write_info(wb, store, flt, title, len(ids), members, aid)
    save_atomic(wb, path)
    if progress:
        progress(len(ids), len(ids))
    return ExportReport(Path(path), len(ids), members)


def _member_count(s: Session, ids: Sequence[str]) -> int:
    total = 0
    for start in range(0, len(ids), _CHUNK):
        total += s.scalar(select(func.count()).select_from(Member).where(
            Member.household_id.in_(list(ids[start:start + _CHUNK])),
            Member.deleted.is_(False), Member.change_reason.is_(None))) or 0
    return total


def _households(s: Session, ids: Sequence[str], progress: Progress | None
                ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(household, current members) in the order of `ids`, a chunk of queries at a time."""
    h_cols = list(Household.__table__.columns)
    m_cols = list(Member.__table__.columns)
    for start in range(0, len(ids), _CHUNK):
        if progress and not progress(start, len(ids)):
            raise Cancelled("已取消导出")
        chunk = list(ids[start:start + _CHUNK])
        rows = {r["id"]: dict(r) for r in
                s.execute(select(*h_cols).where(Household.id.in_(chunk))).mappings()}
        people: dict[str, list[dict[str, Any]]] = {i: [] for i in chunk}
        q = (select(*m_cols).where(Member.household_id.in_(chunk), Member.deleted.is_(False),
                                  Member.change_reason.is_(None))
             .order_by(Member.household_id, Member.position))
        for m in s.execute(q).mappings():
            people[m["household_id"]].append(dict(m))
        for i in chunk:
            if i in rows:
                yield rows[i], people[i]


def _household_row(number: int, h: dict[str, Any], villages: dict[str, str],
                   columns: Sequence[Column]) -> list[Any]:
    row: list[Any] = []
    for c in columns:
        if c.key == "household_no":
            row.append(number)
        elif c.key == "village_code":
            row.append(villages.get(h["village_code"], h["village_code"]))
        elif c.key == "village_code_raw":
            row.append(h["village_code"])
        else:
            row.append(show(c.field, h.get(_MODEL_NAME.get(c.key, c.key))))
    return row


def _member_row(number: int, h: dict[str, Any], m: dict[str, Any], villages: dict[str, str],
                columns: Sequence[Column], today: date) -> list[Any]:
    row: list[Any] = []
    for c in columns:
        if c.key == "household_no":
            row.append(number)
        elif c.key == "village_name":
            row.append(villages.get(h["village_code"], h["village_code"]))
        elif c.key in ("group_no", "head_name"):
            row.append(h[c.key])
        elif c.key == "age":
            row.append(derived.age(m["birth_date"], today) if m.get("birth_date") else None)
        else:
            row.append(show(c.field, m.get(c.key)))
    return row


def _write_info(wb: Workbook, store: Store, flt: HouseholdFilter, title: str | None,
                households: int, members: int, aid: dict[str, int]) -> None:
    ws = wb.create_sheet(INFO_SHEET)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    conditions = _describe(flt)
    lines: list[tuple[str, Any]] = [
        ("标题", title or f"{store.info.region_name}贫困户登记簿"),
        ("内部资料", "本表含完整身份证号码、联系电话和银行账号,仅供内部使用,不得公开张贴或外传"),
        ("导出单位", f"{store.info.region_name}({store.info.region_code})"),
        ("导出人", store.user),
        ("导出时间", datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("筛选条件", conditions or "全部农户"),
        ("户数", households),
        ("人数", members),
        ("表格说明", f"“{HOUSEHOLDS_SHEET}”表每户一行,“{MEMBERS_SHEET}”表每人一行,"
         "两表以“户编号”对应;代码项显示为中文名称。"),
        ("帮扶与历史", "“" + "”“".join(SHEETS) + "”表以“户编号”对应农户,重新导入时一并导入"
         f"(共 {sum(aid.values())} 行);“程序记录”只用于导入本站尚无记录的农户。"),
        ("字段来源", f"{HOUSEHOLD_FORM.label}、{MEMBER_FORM.label}"),
    ]
    for key, value in lines:
        ws.append(text_row(ws, [key, value]))  # the title and names are typed by users


def _describe(flt: HouseholdFilter) -> str:
    parts = []
    if flt.text:
        parts.append(f"搜索“{flt.text}”")
    if flt.township_code:
        parts.append(f"乡镇 {flt.township_code}")
    if flt.village_code:
        parts.append(f"行政村 {flt.village_code}")
    if flt.group_no is not None:
        parts.append(f"第{flt.group_no}组")
    if flt.stage:
        parts.append(f"识别阶段:{cl.STAGE.label_of(flt.stage)}")
    if flt.poverty_status:
        parts.append(f"脱贫状态:{cl.POVERTY_STATUS.label_of(flt.poverty_status)}")
    if flt.include_deleted:
        parts.append("含已删除")
    return ",".join(parts)
