"""数据质量核查 as a PDF (internal: ID numbers are shown): the counts per rule and village,
then every problem, village by village. Landscape, in the CJK font, headers repeated,
"第 n 页 共 m 页" and the print date on every page, like the registers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import groupby
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer

from forms import quality as q
from registry.quality import QualityReport
from reports.fonts import FontSet, find_fonts
from reports.pdf.data import ReportError
from reports.pdf.layout import (
    FRAME_PAD,
    SUBTOTAL_GREY,
    Cells,
    PrintResult,
    Styles,
    build_pdf,
    chunked_tables,
    grid_style,
    page_label,
    page_size,
)

INTERNAL = "内部资料 注意保密"
SIDE, TOP, BOTTOM = 12 * mm, 17 * mm, 13 * mm
_DETAIL = (("序号", 0.05), ("户主", 0.08), ("户主身份证号", 0.15), ("规则", 0.17),
           ("类别", 0.05), ("问题说明", 0.50))


def _decorate(fonts: FontSet, title: str, width: float, height: float, printed: date
              ) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        y = height - TOP + 5 * mm
        canvas.setFont(fonts.name, 11)
        canvas.drawCentredString(width / 2, y, title)
        canvas.setFont(fonts.name, 9)
        canvas.setFillColor(colors.HexColor("#B00000"))
        canvas.drawString(SIDE, y, INTERNAL)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(width - SIDE, y, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, BOTTOM - 7 * mm, page_label(number, total))
    return decorate


def print_quality(report: QualityReport, out: Path, *, paper: str = "A4",
                  fonts: FontSet | None = None) -> PrintResult:
    try:
        size = page_size(paper, wide=True)
    except ValueError as e:
        raise ReportError(str(e)) from None
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 9.0 if paper == "A4" else 12.0)
    width, height = size
    frame = width - 2 * SIDE - 2 * FRAME_PAD
    base = styles.base
    title = f"{report.scope_name}数据质量核查"
    names = report.village_names
    villages = report.villages()
    counts = report.counts()

    story: list[Flowable] = [styles.para(title, styles.title), styles.para(
        f"核查日期 {report.checked_on.isoformat()},共 {report.households} 户,发现问题 "
        f"{len(report.problems)} 条(其中错误 {report.hard()} 条)。", styles.subtitle)]
    # Summary: rules down, villages across (at most 10 village columns a table).
    for start in range(0, max(len(villages), 1), 10):
        part = villages[start:start + 10]
        titles = ["规则", "类别", *(names.get(v, v) for v in part), "合计"]
        rows: list[list[str]] = []
        for rule in q.RULES:
            n = [counts.get((rule.key, v), 0) for v in part]
            rows.append([rule.title, rule.severity_name, *map(str, n), str(sum(n))])
        totals = [sum(counts.get((r.key, v), 0) for r in q.RULES) for v in part]
        rows.append(["合计", "", *map(str, totals), str(sum(totals))])
        first = frame * 0.22
        rest = (frame - first - frame * 0.05) / (len(part) + 1)
        widths = [first, frame * 0.05, *([rest] * (len(part) + 1))]
        cells = Cells(styles, widths, base, [False, True, *([True] * (len(part) + 1))])
        header = [cells.header(t, i) for i, t in enumerate(titles)]
        style = grid_style(fonts, base, centered=range(1, len(titles)))
        style += [("BACKGROUND", (0, len(rows)), (-1, len(rows)), SUBTOTAL_GREY)]
        body = [[cells(t, c) for c, t in enumerate(r)] for r in rows]
        story += [Spacer(1, 3 * mm), *chunked_tables(header, body, widths, style)]
    # Detail, village by village.
    widths = [frame * w for _, w in _DETAIL]
    cells = Cells(styles, widths, base, [True, False, False, False, True, False])
    header = [cells.header(t, i) for i, (t, _) in enumerate(_DETAIL)]
    style = grid_style(fonts, base, centered=(0, 4))
    texts: list[tuple[str, str]] = [(title, title)]
    for village, problems in groupby(report.problems, key=lambda p: p.village_code):
        items = list(problems)
        name = names.get(village, village)
        story.append(styles.para(f"{name}({village}) 问题 {len(items)} 条", styles.heading))
        rows = []
        for i, p in enumerate(items, start=1):
            rule = q.RULE[p.rule]
            row = [str(i), p.head_name, p.head_id_number, rule.title, rule.severity_name,
                   p.message]
            texts.append((f"{name} {p.head_name}户", "".join(row)))
            rows.append([cells(t, c) for c, t in enumerate(row)])
        story += chunked_tables(header, rows, widths, style)
    if not report.problems:
        story.append(styles.para("未发现问题。", styles.heading))
    fonts.check(texts)
    pages = build_pdf(out, story, size, _decorate(fonts, title, width, height, date.today()),
                      font=fonts.name, title=title, author="扶贫工作站",
                      margins=(SIDE, SIDE, TOP, BOTTOM))
    return PrintResult(Path(out), pages, len({p.household_id for p in report.problems}),
                       0)
