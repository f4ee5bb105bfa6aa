"""Reading one sheet of a filled-in workbook (opened by book.py) as a stream of data rows,
refusing a malformed sheet with a Chinese message: a missing sheet, missing or doubled
columns, merged cells, a sheet far wider than the form (20,000 header columns are refused
before anything else is read). Blank rows are skipped however many there are (a sheet
formatted down to row 50,000 is read as fast as the XML streams and adds nothing), and so
are rows where only the 户编号 was filled in advance."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from reports.excel.book import Book
from reports.excel.columns import (
    HOUSEHOLD_NO,
    HOUSEHOLDS_SHEET,
    Column,
    export_household_columns,
    export_member_columns,
    export_only_headers,
    normalize_header,
)
from reports.excel.errors import WorkbookError as WorkbookError  # its old home; importable
from reports.excel.sheetxml import SheetSource, iter_rows

_HEADER_SEARCH_ROWS = 10  # a title line or two above the header is tolerated
EXTRA_COLUMNS = 50  # columns of one's own a user may add right of the form (ignored)


def max_columns(sheet: str) -> int:
    """The widest a sheet may be: every column an export has, and EXTRA_COLUMNS more."""
    exported = export_household_columns() if sheet == HOUSEHOLDS_SHEET else export_member_columns()
    return len(exported) + EXTRA_COLUMNS


@dataclass
class Table:
    """One sheet: its header matched to the form's columns, and its data rows to stream
    once with `data_rows` (only the columns we know, blank rows dropped)."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # column key → 1-based column number in the file
    source: SheetSource
    rows: Iterator[tuple[int, dict[int, Any]]]  # the sheet's rows after the header
    ignored_headers: list[str] = field(default_factory=list)
    width_limit: int = 0
    headers: set[str] = field(default_factory=set)  # every header of the file, normalized

    def letter(self, key: str) -> str | None:
        number = self.columns.get(key)
        return get_column_letter(number) if number else None

    def expected_rows(self) -> int:
        """Data rows the writer's <dimension> announces (0 when absent): for progress
        only, since it counts blank and formatted rows too and may lie."""
        ref = (self.source.dimension or "").rpartition(":")[2].lstrip("$")
        digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$")
        return max(0, int(digits) - self.header_row) if digits.isdigit() else 0

    def data_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {column key: value}) of each row holding data, text stripped;
        after the last row, refuses merged cells and content right of the form."""
        wanted = list(self.columns.items())
        for number, cells in self.rows:
            record: dict[str, Any] = {}
            for key, column in wanted:
                value = cells.get(column)
                if value.__class__ is str:
                    value = value.strip() or None
                if value is not None:
                    record[key] = value
            # A row holding nothing but a pre-filled 户编号 is an unused line, not data.
            if record and (len(record) > 1 or HOUSEHOLD_NO not in record):
                yield number, record
        _refuse_wide(self.sheet, self.source, self.width_limit)
        if self.source.merged:  # <mergeCells> follows the rows in the sheet's XML
            refs = "、".join(self.source.merged[:3])
            raise WorkbookError(f"工作表“{self.sheet}”中有合并单元格({refs}"
                                f"{' 等' if len(self.source.merged) > 3 else ''}),"
                                "请取消合并并在每一行填写完整后再导入")


def open_table(book: Book, sheet: str, columns: Sequence[Column]) -> Table:
    """Finds the header of `sheet` and matches it to `columns`; the rows below are read
    when the table's data_rows are."""
    if sheet not in book.sheets:
        found = "、".join(f"“{n}”" for n in book.sheetnames)
        raise WorkbookError(f"工作簿中没有名为“{sheet}”的工作表(现有:{found})。"
                            "请使用本系统生成的导入模板,不要改工作表名称")
    src = book.source(sheet)
    limit = max_columns(sheet)
    rows = iter_rows(src, max_column=limit)
    header: tuple[Any, ...] | None = None
    header_row = 0
    for number, cells in rows:
        _refuse_wide(sheet, src, limit)
        if number > _HEADER_SEARCH_ROWS:
            break
        values = tuple(cells.get(i) for i in range(1, max(cells, default=0) + 1))
        if any(normalize_header(v) == "户编号" for v in values):
            header, header_row = values, number
            break
    if header is None:
        raise WorkbookError(f"工作表“{sheet}”前{_HEADER_SEARCH_ROWS}行中找不到标题行"
                            "(应有“户编号”等列标题)。请使用本系统生成的导入模板")
    table = Table(sheet, header_row, _match_columns(sheet, header, columns), src, rows,
                  width_limit=limit)
    table.headers = {normalize_header(v) for v in header if v not in (None, "")}
    known = set(table.columns.values())
    quiet = export_only_headers(sheet)
    table.ignored_headers = [str(v) for i, v in enumerate(header, start=1)
                             if i not in known and v not in (None, "")
                             and normalize_header(v) not in quiet]
    return table


def _refuse_wide(sheet: str, src: SheetSource, limit: int) -> None:
    if src.widest <= limit:
        return
    letter = f"({get_column_letter(src.widest)}列)" if src.widest <= 16384 else ""
    raise WorkbookError(
        f"工作表“{sheet}”第{src.widest_row}行有内容一直到第{src.widest}列{letter},而本系统的"
        f"“{sheet}”表只有{limit - EXTRA_COLUMNS}列(另可自加{EXTRA_COLUMNS}列,导入时忽略)。"
        "请使用本系统生成的导入模板或导出的表格,删去右侧多余的列后再导入")


def _match_columns(sheet: str, header: Sequence[Any], columns: Sequence[Column]
                   ) -> dict[str, int]:
    by_alias = {alias: c for c in columns for alias in c.aliases()}
    found: dict[str, int] = {}
    for number, value in enumerate(header, start=1):
        column = by_alias.get(normalize_header(value))
        if column is None:
            continue
        if column.key in found:
            raise WorkbookError(f"工作表“{sheet}”中“{column.header.lstrip('*')}”列出现了两次"
                                f"(第{get_column_letter(found[column.key])}列和第"
                                f"{get_column_letter(number)}列),请删去一列")
        found[column.key] = number
    missing = [c.header.lstrip("*") for c in columns if c.required and c.key not in found]
    if missing:
        raise WorkbookError(f"工作表“{sheet}”缺少必填列:{'、'.join(missing)}。"
                            "请使用本系统生成的导入模板,不要删除或改动列标题")
    assert HOUSEHOLD_NO in found
    return found
