"""Reading a filled-in workbook safely (openpyxl read-only mode), refusing malformed files
with a Chinese message before anything is validated: not a workbook at all (a text file
renamed .xlsx, an old .xls, an empty file), a missing sheet, missing or doubled columns,
merged cells. Blank rows are skipped however many there are (a sheet formatted down to
row 50,000 is read as fast as the XML streams and adds nothing), and so are rows where
only the 户编号 was filled in advance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from registry.errors import UserError
from reports.excel.columns import HOUSEHOLD_NO, Column, export_only_headers, normalize_header
from reports.excel.sheetxml import SheetSource, iter_rows

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook
_ZIP = b"PK\x03\x04"
_HEADER_SEARCH_ROWS = 10  # a title line or two above the header is tolerated


class WorkbookError(UserError, ValueError):
    """The file cannot be imported as it is; the message says why, in Chinese."""


def open_workbook(path: Path) -> tuple[Workbook, IO[bytes]]:
    """The workbook in read-only mode and the open file behind it (close it after)."""
    path = Path(path)
    if not path.is_file():
        raise WorkbookError(f"找不到文件:{path}")
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise WorkbookError(f"文件“{path.name}”是空的(0字节),不是Excel工作簿")
    if head.startswith(_OLE2):
        raise WorkbookError(f"“{path.name}”是旧版Excel(.xls)文件,或是设置了打开密码的工作簿:"
                            "请在Excel中去掉密码并“另存为”Excel工作簿(.xlsx)后再导入")
    if not head.startswith(_ZIP):
        raise WorkbookError(f"“{path.name}”不是Excel工作簿(.xlsx)文件,"
                            "可能是改了扩展名的文本或其他文件")
    # A file object, not the path: openpyxl then ignores the extension (F.XLSX, F.tmp).
    source = open(path, "rb")  # noqa: SIM115 - closed by the caller with the workbook
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:
        source.close()
        raise WorkbookError(f"“{path.name}”不是有效的Excel工作簿(.xlsx),"
                            "文件可能已损坏或是其他类型的文件") from None
    return wb, source


@dataclass
class Table:
    """The data rows of one sheet, only the columns we know, blank rows dropped."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # column key → 1-based column number in the file
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row, values)
    ignored_headers: list[str] = field(default_factory=list)

    def letter(self, key: str) -> str | None:
        number = self.columns.get(key)
        return get_column_letter(number) if number else None


def read_table(wb: Workbook, source: IO[bytes], sheet: str, columns: Sequence[Column]
               ) -> Table:
    if sheet not in wb.sheetnames:
        found = "、".join(f"“{n}”" for n in wb.sheetnames)
        raise WorkbookError(f"工作簿中没有名为“{sheet}”的工作表(现有:{found})。"
                            "请使用本系统生成的导入模板,不要改工作表名称")
    ws = wb[sheet]
    src = SheetSource(source, ws._worksheet_path, ws._shared_strings,
                      set(getattr(wb, "_date_formats", set())), wb.epoch)
    rows = iter_rows(src)
    header: tuple[Any, ...] | None = None
    header_row = 0
    for number, cells in rows:
        if number > _HEADER_SEARCH_ROWS:
            break
        values = tuple(cells.get(i) for i in range(1, max(cells, default=0) + 1))
        if any(normalize_header(v) == "户编号" for v in values):
            header, header_row = values, number
            break
    if header is None:
        raise WorkbookError(f"工作表“{sheet}”前{_HEADER_SEARCH_ROWS}行中找不到标题行"
                            "(应有“户编号”等列标题)。请使用本系统生成的导入模板")
    table = Table(sheet, header_row, _match_columns(sheet, header, columns))
    known = set(table.columns.values())
    quiet = export_only_headers(sheet)
    table.ignored_headers = [str(v) for i, v in enumerate(header, start=1)
                             if i not in known and v not in (None, "")
                             and normalize_header(v) not in quiet]
    wanted = list(table.columns.items())
    for number, cells in rows:
        record: dict[str, Any] = {}
        for key, column in wanted:
            value = cells.get(column)
            if isinstance(value, str):
                value = value.strip() or None
            if value is not None:
                record[key] = value
        # A row holding nothing but a pre-filled 户编号 is an unused line, not data.
        if record and set(record) != {HOUSEHOLD_NO}:
            table.rows.append((number, record))
    if src.merged:  # <mergeCells> follows the rows in the sheet's XML
        refs = "、".join(src.merged[:3])
        raise WorkbookError(f"工作表“{sheet}”中有合并单元格({refs}"
                            f"{' 等' if len(src.merged) > 3 else ''}),"
                            "请取消合并并在每一行填写完整后再导入")
    return table


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
