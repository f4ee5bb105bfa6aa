"""Importing a filled-in template: read both sheets, validate every household with its
members (forms.validation through registry.bulk, including ID numbers already registered
at this station and repeated within the file), and only when every row is clean register
them all in one transaction. Otherwise nothing is imported and the user gets a copy of the
workbook with the bad cells filled and commented (see marking.py).

Text dates are accepted when they are unambiguous, year first: 1980-05-20, 1980-5-20,
1980/5/20, 1980.5.20, 1980年5月20日 and 19800520; anything else (5/20/1980, a bare Excel
serial number) is refused with the validation's message rather than guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from forms.fields import FieldType as T
from registry.bulk import BulkInvalid, ItemError, check_households, register_households
from registry.models import Region
from registry.progress import Cancelled, Progress
from registry.store import Store
from reports.excel.columns import (
    HOUSEHOLD_NO,
    HOUSEHOLD_NO_LABEL,
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    Column,
    template_household_columns,
    template_member_columns,
)
from reports.excel.marking import default_marked_path, write_marked_copy
from reports.excel.problems import CellProblem as CellProblem  # its old home; kept importable
from reports.excel.reading import Table, WorkbookError, open_workbook, read_table

_TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXACT_DIGITS = 1e15  # Excel keeps 15 significant digits; a longer number is rounded


@dataclass
class ImportReport:
    source: Path
    households: int = 0  # imported (0 when refused)
    members: int = 0
    rows_checked: int = 0  # households read from the file
    problems: list[CellProblem] = field(default_factory=list)
    marked_copy: Path | None = None
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            text = f"已导入 {self.households} 户、{self.members} 人(文件:{self.source.name})。"
        else:
            bad_rows = {(p.sheet, p.row) for p in self.problems}
            text = (f"导入未进行:发现 {len(self.problems)} 处错误,涉及 {len(bad_rows)} 行,"
                    f"一户也没有导入。")
            if self.marked_copy:
                text += f"已标出错误单元格的副本:{self.marked_copy}"
        for sheet, headers in self.ignored_columns.items():
            if headers:
                text += f"\n工作表“{sheet}”中以下列不属于模板,已忽略:{'、'.join(headers)}"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "source": str(self.source), "households": self.households,
            "members": self.members, "rows_checked": self.rows_checked,
            "marked_copy": str(self.marked_copy) if self.marked_copy else None,
            "ignored_columns": self.ignored_columns,
            "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column,
                          "header": p.header, "value": _plain(p.value), "message": p.message}
                         for p in self.problems],
        }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def import_workbook(store: Store, path: Path, marked_path: Path | None = None,
                    progress: Progress | None = None) -> ImportReport:
    """Imports every household of the workbook at `path`, or none.

    Raises WorkbookError (Chinese message) for a malformed file. With bad rows, returns a
    report with `problems` and writes the marked copy to `marked_path` (default: beside
    the file, “<name>.errors.xlsx”). `progress(done, total)` counts households through
    validation (after a first progress(0, 0) while the file is read); returning False
    cancels (raises Cancelled, nothing imported).
    """
    path = Path(path)
    if progress and not progress(0, 0):  # 0 of 0: reading the file, length not known yet
        raise Cancelled("已取消导入")
    report = ImportReport(path)
    h_columns, m_columns = template_household_columns(), template_member_columns()
    wb, source = open_workbook(path)
    try:
        h_table = read_table(wb, source, HOUSEHOLDS_SHEET, h_columns)
        m_table = read_table(wb, source, MEMBERS_SHEET, m_columns)
    finally:
        wb.close()
        source.close()
    report.ignored_columns = {HOUSEHOLDS_SHEET: h_table.ignored_headers,
                              MEMBERS_SHEET: m_table.ignored_headers}
    if not h_table.rows and not m_table.rows:
        raise WorkbookError(f"“{path.name}”中没有可导入的数据:“{HOUSEHOLDS_SHEET}”和"
                            f"“{MEMBERS_SHEET}”表的标题行下面都是空的")

    batch = _Batch(h_table, m_table, h_columns, m_columns)
    with store.session() as s:
        batch.resolve_villages(_villages(s))
    report.rows_checked = len(batch.items)
    item_errors: list[ItemError] = []
    try:
        with store.transaction() as s:
            if batch.problems:
                _, item_errors = check_households(s, batch.items, batch.labels, progress)
            else:
                result = register_households(s, store.user, batch.items,
                                             reason=f"Excel导入:{path.name}",
                                             labels=batch.labels, progress=progress)
                report.households, report.members = len(result.household_ids), result.members
    except BulkInvalid as e:
        item_errors = e.item_errors
    for error in item_errors:
        batch.add_item_error(error)
    report.problems = batch.sorted_problems()
    if report.problems:
        report.marked_copy = marked_path or default_marked_path(path)
        write_marked_copy(path, report.marked_copy, report.problems,
                          data_rows=len(h_table.rows) + len(m_table.rows))
    return report


def _villages(s: Any) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for code, name in s.execute(select(Region.code, Region.name)
                                .where(Region.level == "village", Region.deleted.is_(False))):
        names[name].append(code)
    return names


class _Batch:
    """The file's rows grouped into households, with problems found before validation."""

    def __init__(self, h_table: Table, m_table: Table, h_columns: list[Column],
                 m_columns: list[Column]) -> None:
        self.h_table, self.m_table = h_table, m_table
        self.h_fields = {c.key: c for c in h_columns}
        self.m_fields = {c.key: c for c in m_columns}
        self.problems: list[CellProblem] = []
        self.items: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self.labels: list[str] = []
        self.h_rows: list[int] = []  # sheet row of each item
        self.m_rows: list[list[int]] = []  # sheet rows of each item's members
        self._group()

    def _group(self) -> None:
        by_number: dict[str, int] = {}
        for row, values in self.h_table.rows:
            raw = {k: self._raw(self.h_table, self.h_fields[k], row, v)
                   for k, v in values.items()}
            number = _household_no(raw.pop(HOUSEHOLD_NO, None))
            if number is None:
                self._problem(self.h_table, row, HOUSEHOLD_NO, None, "请填写户编号")
                continue
            if number in by_number:
                first = self.h_rows[by_number[number]]
                self._problem(self.h_table, row, HOUSEHOLD_NO, number,
                              f"户编号“{number}”与第{first}行重复,每户的户编号应不同")
                continue
            by_number[number] = len(self.items)
            self.items.append((raw, []))
            self.labels.append(f"户编号为{number}的户")
            self.h_rows.append(row)
            self.m_rows.append([])
        for row, values in self.m_table.rows:
            raw = {k: self._raw(self.m_table, self.m_fields[k], row, v)
                   for k, v in values.items()}
            number = _household_no(raw.pop(HOUSEHOLD_NO, None))
            if number is None:
                self._problem(self.m_table, row, HOUSEHOLD_NO, None,
                              "请填写户编号(与“农户”表中该户的户编号相同)")
            elif number not in by_number:
                self._problem(self.m_table, row, HOUSEHOLD_NO, number,
                              f"“{HOUSEHOLDS_SHEET}”表中没有户编号为“{number}”的户")
            else:
                item = by_number[number]
                self.items[item][1].append(raw)
                self.m_rows[item].append(row)

    def _raw(self, table: Table, column: Column, row: int, value: Any) -> Any:
        """A cell value as validation expects it; numbers Excel has rounded are refused."""
        if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_DIGITS:
            value = int(value)
        f = column.field
        if f is None:
            return value
        if f.type in (T.TEXT, T.PHONE) and isinstance(value, int | float) \
                and abs(value) >= _EXACT_DIGITS:
            self._problem(table, row, column.key, value,
                          f"{f.label}被Excel存成了数字,末几位已丢失,"
                          "请把单元格设为“文本”后重新输入")
            return None
        if f.codelist is not None and isinstance(value, int) and f.type is not T.CODES:
            text = str(value)
            codes = f.codelist.codes()
            return text if text in codes or text.zfill(2) not in codes else text.zfill(2)
        if f.type is T.DATE or (f.type is T.COMPUTED and f.name == "birth_date"):
            return _date(value)
        return value

    def resolve_villages(self, names: dict[str, list[str]]) -> None:
        """行政村 may be typed as the village's name; 12 digits are taken as the code."""
        for i, (household, _) in enumerate(self.items):
            typed = household.get("village_code")
            if typed is None:
                continue
            text = str(typed).strip()
            if text.isdigit():
                household["village_code"] = text
                continue
            codes = names.get(text, [])
            if len(codes) == 1:
                household["village_code"] = codes[0]
            elif len(codes) > 1:
                self._problem(self.h_table, self.h_rows[i], "village_code", typed,
                              f"本站有{len(codes)}个名为“{text}”的行政村,请填写12位区划代码")

    def add_item_error(self, error: ItemError) -> None:
        e = error.error
        if e.row is None:
            table, row = self.h_table, self.h_rows[error.item]
        else:
            table, row = self.m_table, self.m_rows[error.item][e.row]
        raw = self.items[error.item][0] if e.row is None else self.items[error.item][1][e.row]
        key = e.field if e.field in table.columns else HOUSEHOLD_NO
        self._problem(table, row, key, raw.get(key) if key != HOUSEHOLD_NO else None,
                      e.message)

    def _problem(self, table: Table, row: int, key: str, value: Any, message: str) -> None:
        letter = table.letter(key) or table.letter(HOUSEHOLD_NO) or "A"
        fields = self.h_fields if table is self.h_table else self.m_fields
        column = fields.get(key)
        header = column.header.lstrip("*") if column else HOUSEHOLD_NO_LABEL
        self.problems.append(CellProblem(table.sheet, row, letter, header, value, message))

    def sorted_problems(self) -> list[CellProblem]:
        order = {HOUSEHOLDS_SHEET: 0, MEMBERS_SHEET: 1}
        unique = {(p.sheet, p.row, p.column, p.message): p for p in self.problems}
        return sorted(unique.values(), key=lambda p: (order.get(p.sheet, 2), p.row,
                                                      len(p.column), p.column))


def _household_no(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    match = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return value
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return value

