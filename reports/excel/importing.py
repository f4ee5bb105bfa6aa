"""Importing a filled-in template: read both sheets, validate every household with its
members (forms.validation through registry.bulk, including ID numbers already registered
at this station and repeated within the file), and only when every row is clean register
them all in one transaction. Otherwise nothing is imported and the user gets a copy of the
workbook with the bad cells filled and commented (see marking.py).

The file is streamed: the members sheet is read first, grouped by 户编号 (limits.py bounds
it), then the households sheet is read, checked and written CHECK_CHUNK households at a
time inside a savepoint, so memory holds one chunk of households however long the sheet
is. The first problem rolls the savepoint back, and the remaining households are only
checked; their problems are counted past the first LISTED_PROBLEMS. A sheet with more rows
than limits.py allows is refused as soon as they are passed.
Cell values are prepared for validation by cellvalues.py (text dates, codes typed as
numbers, numbers Excel has rounded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import idnumber
from forms.household import HOUSEHOLD_FORM
from forms.validation import Invalid
from registry.bulk import BulkInvalid, ItemError, check_households, register_households
from registry.household_access import require_may_edit
from registry.models import Region
from registry.progress import Cancelled, Progress
from registry.store import Store
from reports.excel import aid_sheets, limits
from reports.excel.book import open_book
from reports.excel.cellvalues import cell_value, household_number
from reports.excel.columns import (
    HOUSEHOLD_NO,
    HOUSEHOLD_NO_LABEL,
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    Column,
    normalize_header,
    template_household_columns,
    template_member_columns,
)
from reports.excel.import_report import ImportReport as ImportReport
from reports.excel.marking import default_marked_path, write_marked_copy
from reports.excel.problems import CellProblem as CellProblem  # its old home; kept importable
from reports.excel.problems import ProblemList
from reports.excel.reading import Table, WorkbookError, open_table
from reports.excel.updating import Change, existing_households, update_household

# Templates made before the stage was derived from recorded steps had a 识别阶段 column.
# Such a file is accepted and the column ignored, with this note: the households in it are
# usually right, and a clerk would rather not retype them for a column whose value cannot
# be honoured anyway (a stage is where recorded steps left a household, never typed); the
# note says plainly that every household starts at 农户申请, so nobody takes "已建档立卡"
# typed in an old file for a registration.
STAGE_HEADER = normalize_header(HOUSEHOLD_FORM["stage"].label)
STAGE_IGNORED = ("“识别阶段”列已忽略:识别阶段由程序中记录的步骤得出,不能在表格中填写。"
                 "导入的每一户都从“农户申请”开始,民主评议、入户核实、公示等步骤请在程序中"
                 "逐户(或按村成批)记录。")
STAGE_FROM_STEPS = ("“识别阶段”列已忽略:识别阶段由“程序记录”表中的步骤得出(随农户一并导入);"
                    "没有程序记录的户从“农户申请”开始。")
# 脱贫状态 and its year come from the exit steps (销号, 返贫), never from typing: an export
# or an old template carries them; they are ignored, with this note.
STATUS_HEADERS = {normalize_header(HOUSEHOLD_FORM[n].label) for n in ("poverty_status",
                                                                        "exit_year")}
STATUS_IGNORED = ("“脱贫状态”“脱贫(返贫)年度”列已忽略:脱贫状态只由退出程序的“销号”和“返贫”"
                  "步骤改变;导出文件的“程序记录”表会随农户一并导入。")
_READ_PROGRESS_EVERY = 5_000  # member rows between progress(0, 0) calls while reading
_SHARED_TEXT_LENGTH = 8  # labels (户主, 彝族, 健康) and names, kept once however often typed
_SHARED_TEXTS = 100_000


class _DryRun(Exception):
    """Raised inside the transaction of a dry run: everything is rolled back."""


def import_workbook(store: Store, path: Path, marked_path: Path | None = None,
                    progress: Progress | None = None, *, update: bool = False,
                    dry_run: bool = False) -> ImportReport:
    """Imports every household of the workbook at `path`, or none.

    Refuses at a county (NotOwner: households are registered at their station) and for a
    role that may not register households (roles.NotAllowed), before reading anything.
    Each household imported is an application: its 农户申请 step is recorded (today),
    with the importing user and role.

    Raises WorkbookError (Chinese message) for a malformed or oversized file. With bad
    rows, returns a report with `problems` (the first LISTED_PROBLEMS) and writes the
    marked copy to `marked_path` (default: beside the file, “<name>.errors.xlsx”) unless
    the file is too large for one. `progress(done, total)` counts households through
    validation, total as the sheet announces it (progress(0, 0) while the members are
    read); returning False cancels (raises Cancelled, nothing imported).

    `update`: a household whose head's ID number is registered here is updated instead of
    refused (updating.py); `report.changes` says what changed, household by household.
    `dry_run`: everything is checked and the changes listed, then rolled back.
    """
    path = Path(path)
    require_may_edit(store)  # NotOwner at a county: the households are the stations'
    if progress and not progress(0, 0):  # 0 of 0: reading the file, length not known yet
        raise Cancelled("已取消导入")
    report = ImportReport(path)
    h_columns, m_columns = template_household_columns(), template_member_columns()
    with open_book(path) as book:
        h_table = open_table(book, HOUSEHOLDS_SHEET, h_columns)
        m_table = open_table(book, MEMBERS_SHEET, m_columns)
        report.ignored_columns = {HOUSEHOLDS_SHEET: h_table.ignored_headers,
                                  MEMBERS_SHEET: m_table.ignored_headers}
        aid_rows = aid_sheets.read_rows(_aid_book(path)) \
            if set(aid_sheets.SHEETS) & set(book.sheetnames) else aid_sheets.AidRows()
        if STAGE_HEADER in h_table.headers:
            report.notes.append(STAGE_FROM_STEPS if aid_rows.steps else STAGE_IGNORED)
        if STATUS_HEADERS & set(h_table.headers):
            report.notes.append(STATUS_IGNORED)
        with store.session() as s:
            villages = _villages(s)
        run = _Import(h_table, m_table, h_columns, m_columns, villages, progress,
                      store.role, update)
        for sheet, row, message in aid_rows.problems:
            run.problems.add(sheet, row, "A", sheet, None, message)
        run.read_members()
        try:
            with store.transaction() as s:
                run.check_households(s, store.user, f"Excel导入:{path.name}")
                if not run.problems and aid_rows.any():
                    applied = aid_sheets.apply_rows(s, store.user, aid_rows,
                                                    run.ids_by_number, run.fresh)
                    report.notes += applied.notes
                    report.aid = applied
                if dry_run:
                    raise _DryRun
        except _DryRun:
            report.dry_run = True
        report.changes = [c.text() for c in run.changes]
    if run.household_rows == 0 and run.member_rows == 0:
        raise WorkbookError(f"“{path.name}”中没有可导入的数据:“{HOUSEHOLDS_SHEET}”和"
                            f"“{MEMBERS_SHEET}”表的标题行下面都是空的")
    report.rows_checked = run.checked
    report.households, report.members = run.imported
    report.problems = run.problems.listed()
    report.not_listed = run.problems.total - len(report.problems)
    report.rows_with_problems = run.problems.rows
    if run.problems:
        data_rows = run.household_rows + run.member_rows
        if data_rows > limits.MARKED_COPY_MAX_ROWS:
            report.marked_copy_note = (
                f"文件共有 {data_rows} 行数据,超过 {limits.MARKED_COPY_MAX_ROWS} 行,"
                "没有生成标出错误的副本:请按列出的问题在原文件中改正(数据较多时可分成几个"
                "文件导入)。")
        else:
            report.marked_copy = marked_path or default_marked_path(path)
            write_marked_copy(path, report.marked_copy, report.problems, data_rows=data_rows,
                              not_listed=report.not_listed)
    return report


def _aid_book(path: Path) -> Any:
    """The workbook again, for the 帮扶 and history sheets (small beside the members)."""
    return load_workbook(path, read_only=True, data_only=True)


def _villages(s: Session) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for code, name in s.execute(select(Region.code, Region.name)
                                .where(Region.level == "village", Region.deleted.is_(False))):
        names[name].append(code)
    return names


@dataclass
class _Chunk:
    """Households read since the last check, with their members and sheet rows."""

    items: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    h_rows: list[int] = field(default_factory=list)
    m_rows: list[list[int]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


class _Import:
    """One import's reading, grouping and checking, and the problems found on the way."""

    def __init__(self, h_table: Table, m_table: Table, h_columns: list[Column],
                 m_columns: list[Column], villages: dict[str, list[str]],
                 progress: Progress | None, role: str | None = None,
                 update: bool = False) -> None:
        self.h_table, self.m_table = h_table, m_table
        self.role = role  # recorded on each household's 农户申请 step
        self.h_fields = {c.key: c for c in h_columns}
        self.m_fields = {c.key: c for c in m_columns}
        self.villages = villages
        self.progress = progress
        self.problems = ProblemList(limits.LISTED_PROBLEMS)
        # Members waiting for their household: (row, values in _member_keys order), a
        # tuple and shared short texts being a third of a dict's memory (200,000 of them).
        self.members: dict[str, list[tuple[int, tuple[Any, ...]]]] = defaultdict(list)
        self._member_keys = [k for k in m_table.columns if k != HOUSEHOLD_NO]
        self._texts: dict[str, str] = {}
        self.id_numbers: dict[str, tuple[str, str]] = {}  # → (household label, member name)
        self.ids_by_number: dict[str, str] = {}  # 户编号 → the household registered
        self.fresh: set[str] = set()  # households this import registered (not updated)
        self.update = update
        self.changes: list[Change] = []
        self.household_rows = self.member_rows = self.checked = 0
        self.imported = (0, 0)
        self._letters = {t.sheet: {k: t.letter(k) or "" for k in t.columns}
                         for t in (h_table, m_table)}

    def read_members(self) -> None:
        for row, values in self.m_table.data_rows():
            self.member_rows += 1
            if self.member_rows > limits.MAX_MEMBER_ROWS:
                raise _too_many(self.m_table, limits.MAX_MEMBER_ROWS, "人")
            if self.progress and self.member_rows % _READ_PROGRESS_EVERY == 0 \
                    and not self.progress(0, 0):
                raise Cancelled("已取消导入")
            raw = self._raw_record(self.m_table, self.m_fields, row, values)
            number = household_number(raw.pop(HOUSEHOLD_NO, None))
            if number is None:
                self._problem(self.m_table, row, HOUSEHOLD_NO, None,
                              "请填写户编号(与“农户”表中该户的户编号相同)")
            else:
                self.members[number].append((row, self._packed(raw)))

    def _packed(self, raw: dict[str, Any]) -> tuple[Any, ...]:
        texts = self._texts
        values = []
        for key in self._member_keys:
            value = raw.get(key)
            if value.__class__ is str and len(value) <= _SHARED_TEXT_LENGTH:
                value = texts.get(value) or (texts.setdefault(value, value)
                                             if len(texts) < _SHARED_TEXTS else value)
            values.append(value)
        return tuple(values)

    def _unpacked(self, values: tuple[Any, ...]) -> dict[str, Any]:
        return {k: v for k, v in zip(self._member_keys, values, strict=True) if v is not None}

    def check_households(self, s: Session, user: str, reason: str) -> None:
        """Streams the households sheet through the checks; writes them (inside a
        savepoint) as long as no problem has been found."""
        writing: Any = s.begin_nested()
        numbers: dict[str, int] = {}  # 户编号 → its row
        chunk = _Chunk()
        for row, values in self.h_table.data_rows():
            self.household_rows += 1
            if self.household_rows > limits.MAX_HOUSEHOLD_ROWS:
                raise _too_many(self.h_table, limits.MAX_HOUSEHOLD_ROWS, "户")
            raw = self._raw_record(self.h_table, self.h_fields, row, values)
            number = household_number(raw.pop(HOUSEHOLD_NO, None))
            if number is None:
                self._problem(self.h_table, row, HOUSEHOLD_NO, None, "请填写户编号")
                continue
            if number in numbers:
                self._problem(self.h_table, row, HOUSEHOLD_NO, number,
                              f"户编号“{number}”与第{numbers[number]}行重复,每户的户编号应不同")
                continue
            numbers[number] = row
            self._resolve_village(raw, row)
            people = self.members.pop(number, [])
            chunk.items.append((raw, [self._unpacked(m) for _, m in people]))
            chunk.labels.append(f"户编号为{number}的户")
            chunk.numbers.append(number)
            chunk.h_rows.append(row)
            chunk.m_rows.append([r for r, _ in people])
            if len(chunk.items) == limits.CHECK_CHUNK:
                writing = self._check(s, chunk, writing, user, reason)
                chunk = _Chunk()
        if chunk.items:
            writing = self._check(s, chunk, writing, user, reason)
        for number, people in self.members.items():
            for row, _ in people:
                self._problem(self.m_table, row, HOUSEHOLD_NO, number,
                              f"“{HOUSEHOLDS_SHEET}”表中没有户编号为“{number}”的户")
        if self.problems:
            self.imported = (0, 0)
            if writing is not None:
                writing.rollback()
        elif writing is not None:
            writing.commit()

    def _check(self, s: Session, chunk: _Chunk, writing: Any, user: str, reason: str) -> Any:
        """Checks a chunk, and writes it while the whole file so far is clean; returns the
        savepoint, or None once it has been rolled back."""
        base = self.checked
        self.checked += len(chunk.items)
        self._repeated_id_numbers(chunk)
        if self.update:
            chunk = self._updates(s, chunk, writing, user, reason)
            if not chunk.items:
                return writing
        errors: list[ItemError] = []
        if self.problems and writing is not None:
            writing.rollback()
            writing = None
        if writing is None:
            _, errors = check_households(s, chunk.items, chunk.labels, self._progress(base))
        else:
            try:
                result = register_households(s, user, chunk.items, reason=reason,
                                             labels=chunk.labels, progress=self._progress(base),
                                             role=self.role)
                self.imported = (self.imported[0] + len(result.household_ids),
                                 self.imported[1] + result.members)
                self.ids_by_number.update(zip(chunk.numbers, result.household_ids,
                                              strict=True))
                self.fresh.update(result.household_ids)
            except BulkInvalid as e:
                errors = e.item_errors
                writing.rollback()
                writing = None
        seen: set[tuple[int, int | None, str, str]] = set()
        for error in errors:
            found = (error.item, error.error.row, error.error.field, error.error.message)
            if found not in seen:
                seen.add(found)
                self._item_error(chunk, error)
        return writing

    def _updates(self, s: Session, chunk: _Chunk, writing: Any, user: str, reason: str
                 ) -> _Chunk:
        """Updates the chunk's households already registered here (by the head's ID
        number), in a savepoint kept only while the whole file is clean; returns the
        households left to register."""
        existing = existing_households(s, [people for _, people in chunk.items])
        if not existing:
            return chunk
        local = s.begin_nested()
        for i, hid in existing.items():
            try:
                change = update_household(s, user, hid, chunk.items[i][0], chunk.items[i][1],
                                          f"{chunk.labels[i]}({_head_of(chunk.items[i][1])})",
                                          reason)
            except Invalid as e:
                for fe in e.errors:
                    self._item_error(chunk, ItemError(i, fe))
                continue
            self.ids_by_number[chunk.numbers[i]] = hid
            if change.lines:
                self.changes.append(change)
        if self.problems or writing is None:
            local.rollback()
        else:
            local.commit()
        rest = _Chunk()
        for i in range(len(chunk.items)):
            if i not in existing:
                rest.items.append(chunk.items[i])
                rest.labels.append(chunk.labels[i])
                rest.h_rows.append(chunk.h_rows[i])
                rest.m_rows.append(chunk.m_rows[i])
                rest.numbers.append(chunk.numbers[i])
        return rest

    def _repeated_id_numbers(self, chunk: _Chunk) -> None:
        """ID numbers already used by a household of an earlier chunk (repeats within the
        chunk are found by the batch check)."""
        earlier = self.id_numbers
        mine: dict[str, tuple[str, str]] = {}
        for i, (_, people) in enumerate(chunk.items):
            for position, person in enumerate(people):
                raw = person.get("id_number")
                if not isinstance(raw, str):
                    continue
                number = idnumber.normalize(raw)
                if number in earlier:
                    label, name = earlier[number]
                    self._problem(self.m_table, chunk.m_rows[i][position], "id_number", raw,
                                  f"与本次导入的{label}(成员 {name})身份证号码重复")
                else:
                    mine.setdefault(number, (chunk.labels[i], str(person.get("name") or "")))
        earlier.update(mine)

    def _progress(self, base: int) -> Callable[[int, int], bool] | None:
        outer = self.progress
        if outer is None:
            return None
        expected = self.h_table.expected_rows()
        return lambda done, total: outer(base + done, max(expected, base + total))

    def _raw_record(self, table: Table, fields: dict[str, Column], row: int,
                    values: dict[str, Any]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for key, value in values.items():
            converted, message = cell_value(fields[key], value)
            if message:
                self._problem(table, row, key, value, message)
            raw[key] = converted
        return raw

    def _resolve_village(self, household: dict[str, Any], row: int) -> None:
        """行政村 may be typed as the village's name; 12 digits are taken as the code."""
        typed = household.get("village_code")
        if typed is None:
            return
        text = str(typed).strip()
        if text.isdigit():
            household["village_code"] = text
            return
        codes = self.villages.get(text, [])
        if len(codes) == 1:
            household["village_code"] = codes[0]
        elif len(codes) > 1:
            self._problem(self.h_table, row, "village_code", typed,
                          f"本站有{len(codes)}个名为“{text}”的行政村,请填写12位区划代码")

    def _item_error(self, chunk: _Chunk, error: ItemError) -> None:
        e = error.error
        household, people = chunk.items[error.item]
        if e.row is None:
            table, row, raw = self.h_table, chunk.h_rows[error.item], household
        else:
            table, row, raw = self.m_table, chunk.m_rows[error.item][e.row], people[e.row]
        key = e.field if e.field in table.columns else HOUSEHOLD_NO
        self._problem(table, row, key, raw.get(key) if key != HOUSEHOLD_NO else None,
                      e.message)

    def _problem(self, table: Table, row: int, key: str, value: Any, message: str) -> None:
        letters = self._letters[table.sheet]
        letter = letters.get(key) or letters.get(HOUSEHOLD_NO) or "A"
        fields = self.h_fields if table is self.h_table else self.m_fields
        column = fields.get(key)
        header = column.header.lstrip("*") if column else HOUSEHOLD_NO_LABEL
        self.problems.add(table.sheet, row, letter, header, value, message)


def _head_of(people: list[dict[str, Any]]) -> str:
    head = next((p for p in people if str(p.get("relation") or "") in ("01", "户主")),
                people[0] if people else {})
    return str(head.get("name") or "")


def _too_many(table: Table, limit: int, unit: str) -> WorkbookError:
    announced = table.expected_rows()
    extent = f"(表格范围到第 {announced + table.header_row:,} 行)" if announced > limit else ""
    return WorkbookError(
        f"工作表“{table.sheet}”的数据超过 {limit:,} 行{extent},超出一次导入的上限"
        f"({limit:,} {unit})。一个乡镇的数据远少于此:请检查是否选错了文件、表格下方是否"
        "有多余的内容;确需导入的,请分成几个文件分批导入")
