"""数据质量核查 as an Excel book: 汇总 (problems per rule × village, totals both ways) and
明细 (one problem a row: village, head, ID number, rule, severity, message). Written in
write-only mode, saved atomically."""

from __future__ import annotations

from pathlib import Path

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from forms import quality as q
from registry.quality import QualityReport
from reports.excel.saving import save_atomic

SUMMARY, DETAIL = "汇总", "明细"
DETAIL_COLUMNS = (("行政村代码", 14), ("行政村", 12), ("户主", 10), ("户主身份证号", 21),
                  ("规则", 26), ("类别", 6), ("问题说明", 70), ("户编号", 38))
_BOLD = Font(bold=True)
_GREY = PatternFill("solid", fgColor="E6E6E6")


def _head(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = _BOLD
    cell.fill = _GREY
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def write_quality_book(report: QualityReport, out: Path) -> Path:
    wb = Workbook(write_only=True)
    counts = report.counts()
    villages = report.villages()
    names = report.village_names

    ws = wb.create_sheet(SUMMARY)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 6
    ws.append([f"数据质量核查汇总 {report.scope_name}(核查日期 {report.checked_on.isoformat()},"
               f"共 {report.households} 户,问题 {len(report.problems)} 条)"])
    ws.append([_head(ws, "规则"), _head(ws, "类别"),
               *(_head(ws, names.get(v, v)) for v in villages), _head(ws, "合计")])
    for rule in q.RULES:
        row = [counts.get((rule.key, v), 0) for v in villages]
        ws.append([rule.title, rule.severity_name, *row, sum(row)])
    totals = [sum(counts.get((r.key, v), 0) for r in q.RULES) for v in villages]
    ws.append([_head(ws, "合计"), "", *totals, sum(totals)])

    ws = wb.create_sheet(DETAIL)
    for i, (_, width) in enumerate(DETAIL_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    ws.append([_head(ws, title) for title, _ in DETAIL_COLUMNS])
    for p in report.problems:
        rule = q.RULE[p.rule]
        ws.append([p.village_code, names.get(p.village_code, ""), p.head_name,
                   p.head_id_number, rule.title, rule.severity_name, p.message,
                   p.household_id])
    save_atomic(wb, Path(out))
    return Path(out)
