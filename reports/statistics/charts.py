"""Each statistics table's chart, declared once (CHARTS) and drawn with ReportLab graphics:
the same Drawing goes into the 统计报告 PDF (report.py) and, rendered by pdfium
(reports/preview.py), into the app's 统计 screen (chart_pdf → page image).

Why ReportLab graphics and not QtCharts: QtCharts ships in PySide6-Addons, not in
PySide6-Essentials, which the installer depends on (STACK.md: essentials 272 MB vs 834 MB for
the whole PySide6, and a bigger installer). The statistics need no interaction beyond
choosing a table, ReportLab is already there for every PDF, and one definition rendered by
one library cannot show the screen and the paper different numbers.

    drawing = chart_drawing(table, fonts)      # a Flowable for the PDF
    pdf_bytes = chart_pdf(table, fonts)        # a one-page PDF for the app's preview
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reports.fonts import FontSet
from reports.statistics.tables import StatTable, Total, totals

BAR, PIE, TREND = "bar", "pie", "trend"
VALUE_NAMES = {"households": "户数", "people": "人数", "amount": "资金(万元)",
               "rate": "贫困发生率(%)"}


@dataclass(frozen=True)
class Chart:
    kind: str  # BAR, PIE or TREND (a line per series over the years)
    value: str  # households, people, amount, rate


# which chart each table gets
CHARTS: dict[str, Chart] = {
    "stage": Chart(BAR, "households"),
    "attribute": Chart(PIE, "households"),
    "cause": Chart(BAR, "households"),
    "status": Chart(PIE, "households"),
    "standard": Chart(PIE, "households"),
    "incidence": Chart(BAR, "rate"),
    "skill": Chart(BAR, "people"),
    "health": Chart(BAR, "people"),
    "education": Chart(BAR, "people"),
    "year": Chart(TREND, "households"),
    "helper": Chart(PIE, "households"),
    "measure": Chart(BAR, "amount"),
    "source": Chart(PIE, "amount"),
}

PALETTE = [colors.HexColor(c) for c in (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
    "#9C755F", "#BAB0AC", "#86BCB6", "#D37295", "#A0CBE8", "#FFBE7D")]
WIDTH, HEIGHT = 170 * mm, 85 * mm


@dataclass(frozen=True)
class Point:
    label: str
    value: float


def chart_points(table: StatTable) -> list[Point]:
    """The values the chart shows, summed over the table's units (per unit for 贫困发生率)."""
    chart = CHARTS[table.by]
    if chart.value == "rate":
        return [Point(r.name, float(r.rate)) for r in table.rows if r.rate is not None]
    return [Point(t.key, _value(t, chart.value)) for t in totals(table)
            if _value(t, chart.value) > 0]


def _value(t: Total, value: str) -> float:
    if value == "amount":
        return float((t.amount / Decimal(10000)).quantize(Decimal("0.01")))
    return float(getattr(t, value))


def chart_title(table: StatTable) -> str:
    value = VALUE_NAMES[CHARTS[table.by].value]
    return value if value.startswith(table.title) else f"{table.title}:{value}"


def chart_drawing(table: StatTable, fonts: FontSet, width: float = WIDTH,
                  height: float = HEIGHT) -> Drawing:
    d = Drawing(width, height)
    font = fonts.name
    d.initialFontName = font  # else the renderer's state names Helvetica, never embedded
    d.add(String(width / 2, height - 12, chart_title(table), fontName=font, fontSize=10,
                 textAnchor="middle"))
    points = chart_points(table)
    if not points:
        d.add(String(width / 2, height / 2, "没有数据", fontName=font, fontSize=10,
                     textAnchor="middle", fillColor=colors.grey))
        return d
    kind = CHARTS[table.by].kind
    if kind == PIE:
        _pie(d, points, font, width, height)
    elif kind == TREND:
        _trend(d, table, font, width, height)
    else:
        _bars(d, points, font, width, height)
    return d


def _label_room(labels: list[str], font: str, size: float) -> float:
    return float(max(stringWidth(s, font, size) for s in labels))


def _bars(d: Drawing, points: list[Point], font: str, width: float, height: float) -> None:
    labels = [p.label for p in points]
    size = 8.0
    longest = _label_room(labels, font, size)
    plot = min(width - 60, 90.0 * len(points))  # a lone bar stays a bar, not a wall
    slot = plot / len(points)
    angle = 0 if longest <= slot - 4 else 35
    # rotated labels need room below the axis: their length times sin(angle)
    below = 16 if angle == 0 else 10 + longest * 0.574 + size
    chart = VerticalBarChart()
    chart.x, chart.y = 45 + (width - 60 - plot) / 2, below
    chart.width, chart.height = plot, height - below - 30
    chart.data = [[p.value for p in points]]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = size
    if angle:
        chart.categoryAxis.labels.angle = angle
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx = 2
        chart.categoryAxis.labels.dy = -2
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = size
    chart.valueAxis.forceZero = True
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _number
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    top = max(p.value for p in points)
    chart.valueAxis.valueMax = top * 1.12 if top > 0 else 1
    d.add(chart)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def _pie(d: Drawing, points: list[Point], font: str, width: float, height: float) -> None:
    total = sum(p.value for p in points) or 1
    side = min(height - 40, width * 0.45)
    pie = Pie()
    pie.x, pie.y = 30, (height - 20 - side) / 2
    pie.width = pie.height = side
    pie.data = [p.value for p in points]
    pie.labels = None
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for i in range(len(points)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    d.add(pie)
    legend = Legend()
    legend.x, legend.y = 30 + side + 30, height - 30
    legend.alignment = "right"
    legend.fontName = font
    legend.fontSize = 8
    legend.columnMaximum = max(1, int((height - 40) // 13))
    legend.deltay = 13
    legend.dx = legend.dy = 8
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)],
         f"{p.label}  {_number(p.value)}({p.value * 100 / total:.1f}%)")
        for i, p in enumerate(points)]
    d.add(legend)


def _trend(d: Drawing, table: StatTable, font: str, width: float, height: float) -> None:
    """Exits and re-entries per year: one line each, years along the axis."""
    by_year: dict[str, dict[str, float]] = {}
    for t in totals(table):
        year, kind = t.key[:4], t.key[5:]
        by_year.setdefault(year, {})[kind] = t.households
    years = sorted(by_year)
    series = ["脱贫", "返贫"]
    chart = HorizontalLineChart()
    chart.x, chart.y = 45, 30
    chart.width, chart.height = width - 150, height - 60
    chart.data = [[by_year[y].get(s, 0) for y in years] for s in series]
    chart.categoryAxis.categoryNames = [f"{y}年" for y in years]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    top = max((max(row) for row in chart.data if row), default=0)
    chart.valueAxis.valueMax = top * 1.15 if top > 0 else 1
    chart.joinedLines = True
    for i in range(len(series)):
        chart.lines[i].strokeColor = PALETTE[i * 2]
        chart.lines[i].strokeWidth = 1.5
    chart.lineLabelFormat = _number
    chart.lineLabels.fontName = font
    chart.lineLabels.fontSize = 7
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 90, height - 35
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(PALETTE[i * 2], f"{s}户数") for i, s in enumerate(series)]
    d.add(legend)


def chart_pdf(table: StatTable, fonts: FontSet) -> bytes:
    """The chart alone as a one-page PDF the size of the drawing (the app renders it)."""
    drawing = chart_drawing(table, fonts)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(drawing.width, drawing.height),
                    initialFontName=fonts.name)
    drawing.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
