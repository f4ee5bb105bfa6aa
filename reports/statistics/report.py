"""The 统计报告 PDF: a title page (the unit, the level, the date), then each table with its
chart (charts.py), page numbers on every page.

    result = write_report(store, out, level="township", code="522633")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from registry import statistics
from registry.progress import Progress
from registry.store import Store
from reports.fonts import FontSet, find_fonts
from reports.pdf.layout import (
    CELL_PAD,
    HEADER_GREY,
    Styles,
    build_pdf,
    draw_centered,
    page_label,
)
from reports.statistics.charts import chart_drawing
from reports.statistics.tables import REPORT_ORDER, Cell, StatTable, load_tables, place_name

NUMERIC_FROM = 3  # columns from here on are figures, right-aligned


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: int
    tables: int


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def report_title(place: str, level: str) -> str:
    return f"{place}扶贫开发建档立卡统计报告(按{statistics.LEVEL_NAMES[level]})"


def write_report(store: Store, out: Path, level: str = "county", code: str | None = None,
                 bys: Sequence[str] = REPORT_ORDER, on: date | None = None,
                 fonts: FontSet | None = None, progress: Progress | None = None
                 ) -> ReportResult:
    fonts = fonts or find_fonts()
    on = on or date.today()
    with store.session() as s:
        tables = load_tables(s, level, code, bys, on)
        place = place_name(s, code, store.info.region_name)
    story = report_story(tables, place, level, on, fonts)
    title = report_title(place, level)

    def decorate(canvas: Canvas, number: int, total: int) -> None:
        if number > 1:
            draw_centered(canvas, fonts, 8, A4[0] / 2, 10 * mm, f"{title}  "
                          f"{page_label(number, total)}")

    pages = build_pdf(out, story, A4, decorate, font=fonts.name, title=title,
                      progress=progress)
    return ReportResult(Path(out), pages, len(tables))


def report_story(tables: Sequence[StatTable], place: str, level: str, on: date,
                 fonts: FontSet) -> list[Flowable]:
    st = Styles(fonts, 10)
    story: list[Flowable] = [
        Spacer(1, 70 * mm),
        st.para(f"{place}", st.title),
        st.para("扶贫开发建档立卡统计报告", st.title),
        Spacer(1, 10 * mm),
        st.para(f"统计单位:按{statistics.LEVEL_NAMES[level]}", st.subtitle),
        st.para(f"统计日期:{on.year}年{on.month}月{on.day}日", st.subtitle),
        st.para(f"共 {len(tables)} 张统计表,数据取自统计当时的登记记录", st.subtitle),
        PageBreak(),
    ]
    width = A4[0] - 30 * mm - 12
    for n, table in enumerate(tables, start=1):
        story.append(CondPageBreak(120 * mm))
        story.append(st.para(f"表{n} {table.title}", st.heading))
        story.append(KeepTogether([chart_drawing(table, fonts, width=width)]))
        story.append(Spacer(1, 4 * mm))
        story += _grid(table, fonts, width)
    return story


def _grid(table: StatTable, fonts: FontSet, width: float) -> list[Flowable]:
    rows = [[cell_text(c) for c in cells] for cells in table.cells()]
    if not rows:
        rows = [["", "没有数据", *[""] * (len(table.columns) - 2)]]
    count = len(table.columns)
    fixed = {0: 24 * mm, 1: 28 * mm}
    rest = (width - sum(fixed.values())) / (count - 2)
    key_width = max(rest, 34 * mm) if count > 5 else rest
    others = (width - sum(fixed.values()) - key_width) / (count - 3)
    widths = [fixed[0], fixed[1], key_width, *[others] * (count - 3)]
    return [Grid(list(table.columns), rows, widths, fonts.name)]


class Grid(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A statistics table drawn straight onto the page: a header (grey, centred, repeated
    on every page the table runs onto), one line a row, figures right-aligned, a grid.
    The cells are short (codes, names, labels, figures), so every row has one height and a
    page break falls between rows. ReportLab's Table keeps a style object per cell and
    measures every row: for the 208 pages of a county's report by village that cost more
    than counting the figures."""

    SIZE = 8.0
    ROW = SIZE * 1.75  # the leading (1.2) and the padding above and below

    def __init__(self, header: list[str], rows: list[list[str]], widths: list[float],
                 font: str):
        super().__init__()
        self.header, self.rows, self.widths, self.font = header, rows, widths, font
        self.width = sum(widths)
        self.height = self.ROW * (1 + len(rows))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fit = int(available_height // self.ROW) - 1  # rows under the header
        if fit >= len(self.rows):
            return [self]
        if fit < 1:
            return []
        return [Grid(self.header, self.rows[:fit], self.widths, self.font),
                Grid(self.header, self.rows[fit:], self.widths, self.font)]

    def draw(self) -> None:
        canvas, row, size = self.canv, self.ROW, self.SIZE
        edges = [0.0]
        for w in self.widths:
            edges.append(edges[-1] + w)
        lines = [self.header, *self.rows]
        top = row * len(lines)
        canvas.setFillColor(HEADER_GREY)
        canvas.rect(0, top - row, self.width, row, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        canvas.grid(edges, [top - i * row for i in range(len(lines) + 1)])
        text = canvas.beginText()
        text.setFont(self.font, size, size * 1.2)
        lift = (row - size) / 2 + size * 0.15  # the baseline, the text centred in its row
        for i, cells in enumerate(lines):
            y = top - (i + 1) * row + lift
            for j, cell in enumerate(cells):
                if not cell:
                    continue
                if i == 0:
                    x = (edges[j] + edges[j + 1] - canvas.stringWidth(cell, self.font, size)) / 2
                elif j >= NUMERIC_FROM:
                    x = edges[j + 1] - CELL_PAD - canvas.stringWidth(cell, self.font, size)
                else:
                    x = edges[j] + CELL_PAD
                text.setTextOrigin(x, y)
                text.textOut(cell)
        canvas.drawText(text)
