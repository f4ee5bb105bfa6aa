"""Large workbooks for the import's size limits, made fast: the template is written once,
then rows (or header cells) are spliced into its “农户” sheet XML as text, streamed into
the zip (a million rows in seconds, where openpyxl's normal mode would need gigabytes).
Used by tests/reports/test_excel_sizes.py and benchmarks/bench_excel.py."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from openpyxl import load_workbook

from reports.excel.template import write_template
from tests.reports.excel_fill import idn

_ROWS_PER_WRITE = 10_000


def incomplete_households(path: Path, rows: int) -> Path:
    """A filled template whose “农户” sheet holds `rows` households numbered 1..rows with
    行政村, 村民小组, 联系电话 and 识别标准 only (贫困户属性 and 主要致贫原因
    missing) and no members: every row is refused with three problems. The sheet
    declares its size (<dimension>), as Excel does."""
    return _splice(path, "农户", lambda head: _with_dimension(head, rows + 1), _rows(rows))


def incomplete_members(path: Path, rows: int) -> Path:
    """A filled template whose “家庭成员” sheet holds `rows` people with 户编号, 姓名,
    a distinct 身份证号码 and 与户主关系 (民族 and 健康状况 missing), of households numbered
    1..rows that the empty “农户” sheet does not have."""
    return _splice(path, "家庭成员", lambda head: _with_dimension(head, rows + 1),
                   _member_rows(rows))


def wide_header(path: Path, columns: int) -> Path:
    """A template whose “农户” header row runs on to column `columns` (past Excel's XFD
    and openpyxl's ZZZ), one household below it."""
    def header(head: str) -> str:
        extra = "".join(f'<c r="{_letters(n)}1" t="inlineStr"><is><t>列{n}</t></is></c>'
                        for n in range(46, columns + 1))
        first_row_end = head.index("</row>", head.index("<sheetData>"))
        return head[:first_row_end] + extra + head[first_row_end:]
    return _splice(path, "农户", header, _rows(1))


def _splice(path: Path, sheet: str, edit_head: Callable[[str], str], rows: Iterable[bytes]
            ) -> Path:
    template = write_template(path.with_name(path.stem + ".template.xlsx"))
    wb = load_workbook(template, read_only=True)
    sheet_part = wb[sheet]._worksheet_path  # e.g. xl/worksheets/sheet2.xml
    wb.close()
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(template) as src, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != sheet_part:
                dst.writestr(item, data)
                continue
            head, tail = data.decode("utf-8").split("</sheetData>")
            with dst.open(item.filename, "w", force_zip64=True) as out:
                out.write(edit_head(head).encode("utf-8"))
                for chunk in rows:
                    out.write(chunk)
                out.write(("</sheetData>" + tail).encode("utf-8"))
    partial.replace(path)
    template.unlink()
    return path


def _with_dimension(head: str, last_row: int) -> str:
    return re.sub(r"<sheetViews>", f'<dimension ref="A1:AS{last_row}"/><sheetViews>', head,
                  count=1)


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _rows(count: int) -> Iterator[bytes]:
    return _in_writes(
        f'<row r="{n + 1}"><c r="A{n + 1}" t="n"><v>{n}</v></c>'
        f'<c r="B{n + 1}" t="inlineStr"><is><t>尼日村</t></is></c>'
        f'<c r="C{n + 1}" t="n"><v>{n % 9 + 1}</v></c>'
        f'<c r="D{n + 1}" t="inlineStr"><is><t>138{n:08d}</t></is></c>'
        f'<c r="G{n + 1}" t="inlineStr"><is><t>国家标准</t></is></c></row>'
        for n in range(1, count + 1))


def _member_rows(count: int) -> Iterator[bytes]:
    return _in_writes(
        f'<row r="{n + 1}"><c r="A{n + 1}" t="n"><v>{n}</v></c>'
        f'<c r="B{n + 1}" t="inlineStr"><is><t>吉克阿呷</t></is></c>'
        f'<c r="D{n + 1}" t="inlineStr"><is><t>{idn(f"5134311970{n:07d}")}</t></is></c>'
        f'<c r="G{n + 1}" t="inlineStr"><is><t>户主</t></is></c></row>'
        for n in range(1, count + 1))


def _in_writes(rows: Iterable[str]) -> Iterator[bytes]:
    parts: list[str] = []
    for row in rows:
        parts.append(row)
        if len(parts) == _ROWS_PER_WRITE:
            yield "".join(parts).encode("utf-8")
            parts = []
    if parts:
        yield "".join(parts).encode("utf-8")
