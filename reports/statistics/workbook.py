"""The statistics as a workbook: one sheet per table (openpyxl; the tables are small, units
× keys), figures as numbers, a title row naming the unit and the date, and a native Excel
chart beside each table drawn from the same definition as the PDF's (charts.CHARTS)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from registry.files import write_atomic
from registry.store import Store
from reports.statistics.charts import CHARTS, PIE, chart_points, chart_title
from reports.statistics.report import report_title
from reports.statistics.tables import REPORT_ORDER, StatTable, load_tables, place_name

TITLE_ROWS = 2  # the title, then the header row


def sheet_name(n: int, table: StatTable) -> str:
    bad = set("[]:*?/\\")
    name = "".join(ch for ch in table.title if ch not in bad)
    return f"{n}.{name}"[:31]


def write_workbook(store: Store, out: Path, level: str = "county", code: str | None = None,
                   bys: Sequence[str] = REPORT_ORDER, on: date | None = None) -> int:
    """Writes the workbook atomically; returns the number of sheets."""
    on = on or date.today()
    with store.session() as s:
        tables = load_tables(s, level, code, bys, on)
        place = place_name(s, code, store.info.region_name)
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for n, table in enumerate(tables, start=1):
        ws = book.create_sheet(sheet_name(n, table))
        ws.append([f"{report_title(place, level)} — {table.title}"
                   f"(统计日期 {on.isoformat()})"])
        ws.append(list(table.columns))
        for cells in table.cells():
            ws.append(cells)
        for column, width in zip("ABCDEFG", (14, 16, 22, 10, 10, 12, 14), strict=False):
            ws.column_dimensions[column].width = width
        _chart(ws, table, len(table.columns))
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(Path(out), buffer.getvalue())
    return len(tables)


def _chart(ws: Worksheet, table: StatTable, width: int) -> None:
    """The chart's points below-right of the table, and a native chart over them."""
    points = chart_points(table)
    if not points:
        return
    col = width + 2
    ws.cell(row=TITLE_ROWS, column=col, value="图表数据")
    ws.cell(row=TITLE_ROWS, column=col + 1, value=chart_title(table))
    for i, p in enumerate(points, start=TITLE_ROWS + 1):
        ws.cell(row=i, column=col, value=p.label)
        ws.cell(row=i, column=col + 1, value=p.value)
    last = TITLE_ROWS + len(points)
    kind = CHARTS[table.by].kind
    # the trend's points are "2016年脱贫", "2016年返贫" …: bars read right, a line would not
    chart: BarChart | PieChart = PieChart() if kind == PIE else BarChart()
    chart.title = chart_title(table)
    data = Reference(ws, min_col=col + 1, min_row=TITLE_ROWS, max_row=last)
    labels = Reference(ws, min_col=col, min_row=TITLE_ROWS + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, ws.cell(row=last + 2, column=col).coordinate)
