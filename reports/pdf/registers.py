"""村花名册 (one village) and 乡登记簿 (the whole township): every household with its current
members, one member a row, subtotals per group and per village, totals. Internal papers:
ID numbers are shown, every page says "内部资料". Landscape, headers repeated, long lists
as 500-row tables so a 20,000-household township lays out in seconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry.progress import Cancelled, Progress
from reports.fonts import FontSet, find_fonts
from reports.pdf import data
from reports.pdf.data import HouseholdRecord, ReportError, Village
from reports.pdf.layout import (
    CELL_PAD,
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
    typeset,
)
from reports.pdf.tables import Column, fit_widths, natural_widths
from reports.pdf.values import display

# Household columns are filled on the household's first member row only.
HOUSEHOLD_COLUMNS = ("group_no", "head_name", "household_size", "attribute", "main_cause",
                     "poverty_status")
MEMBER_COLUMNS = ("name", "sex", "id_number", "relation", "ethnicity", "age", "education",
                  "health", "labor_skill", "work_status")
_CENTERED = {"group_no", "household_size", "sex", "age"}
INTERNAL = "内部资料 注意保密"
SIDE, TOP, BOTTOM = 12 * mm, 17 * mm, 13 * mm


def register_columns() -> list[Column]:
    hh = [HOUSEHOLD_FORM[n] for n in HOUSEHOLD_COLUMNS]
    mem = [MEMBER_FORM[n] for n in MEMBER_COLUMNS]
    return [Column("序号", None, True),
            *(Column(f.label, f, f.name in _CENTERED, 0.55) for f in [*hh, *mem])]


@dataclass
class Tally:
    households: int = 0
    people: int = 0
    by_attribute: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, r: HouseholdRecord) -> None:
        self.households += 1
        self.people += r.size
        for key, counts in ((r.values.get("attribute"), self.by_attribute),
                            (r.values.get("poverty_status"), self.by_status)):
            if key:
                counts[str(key)] = counts.get(str(key), 0) + 1

    def text(self) -> str:
        parts = [f"{cl.HOUSEHOLD_ATTRIBUTE.label_of(c)} {n} 户"
                 for c, n in sorted(self.by_attribute.items())]
        parts += [f"{cl.POVERTY_STATUS.label_of(c)} {n} 户"
                  for c, n in sorted(self.by_status.items())]
        detail = f"(其中 {'、'.join(parts)})" if parts else ""
        return typeset(f"{self.households} 户 {self.people} 人{detail}")


class _Section(Flowable):
    """Zero-size marker: tells the page decoration which village the page belongs to."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._fupin_section = self.name


class _PageTable(Flowable):
    """One page of the register, made into a ReportLab Table only while it is drawn: a
    Table keeps a style object per cell, and 2,000 pages of them held at once would take
    a gigabyte. The size is known (rows were measured when paginating), so layout needs
    no Table at all."""

    def __init__(self, rows: list[list[Any]], widths: list[float], heights: list[float],
                 style: list[tuple[Any, ...]]):
        super().__init__()
        self.rows, self.widths, self.heights, self.style = rows, widths, heights, style
        self.width, self.height = sum(widths), sum(heights)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        table = Table(self.rows, colWidths=self.widths, rowHeights=self.heights)
        table.setStyle(TableStyle(self.style))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def _member_cells(m: dict[str, Any], cols: list[Column]) -> list[str]:
    return [display(c.field, m.get(c.field.name)) for c in cols if c.field is not None]


def _village_rows(v: Village, records: list[HouseholdRecord], hh_cols: list[Column],
                  mem_cols: list[Column], first_no: int
                  ) -> tuple[list[list[str]], list[tuple[int, str, str]], Tally]:
    """Rows of one village, and the rows that need a style: (index, kind, subtotal text)."""
    rows: list[list[str]] = []
    marks: list[tuple[int, str, str]] = []
    village_tally = Tally()
    number = first_no
    for group, members in groupby(records, key=lambda r: r.group_no):
        tally = Tally()
        for r in members:
            tally.add(r)
            village_tally.add(r)
            head = [str(number)]
            for c in hh_cols:
                assert c.field is not None
                head.append(v.group_name(r.group_no) if c.field.name == "group_no"
                            else display(c.field, r.values.get(c.field.name)))
            marks.append((len(rows), "household", ""))
            people = r.members or [{}]
            for i, m in enumerate(people):
                rows.append((head if i == 0 else [""] * len(head)) + _member_cells(m, mem_cols))
            number += 1
        label = v.group_name(group) if group is not None else "未分组"
        marks.append((len(rows), "subtotal", f"{label}小计:{tally.text()}"))
        rows.append([])
    marks.append((len(rows), "total", f"{v.name}合计:{village_tally.text()}"))
    rows.append([])
    return rows, marks, village_tally


def _row_height(row: list[Any], widths: list[float], size: float) -> float:
    """What ReportLab will make of the row: a line per line of a string, wrapped Paragraphs."""
    pads = size * 0.55  # TOPPADDING + BOTTOMPADDING of grid_style
    tallest = size * 1.2
    for cell, width in zip(row, widths, strict=False):
        if isinstance(cell, Flowable):
            tallest = max(tallest, cell.wrap(width - 2 * CELL_PAD, 10_000)[1])
        elif isinstance(cell, str) and "\n" in cell:  # Cells broke it into lines
            tallest = max(tallest, size * 1.2 * (cell.count("\n") + 1))
    return tallest + pads


def paginate(heights: list[float], starts: set[int], header: float, room: float
             ) -> list[tuple[int, int]]:
    """Page ranges of rows, laid out here rather than by ReportLab's table splitting
    (quadratic in a long table, and blind to households): a page may begin only at a
    household's first row, so a household is never cut and a subtotal stays with its
    group; only a household taller than a page is split."""
    pages: list[tuple[int, int]] = []
    first, used, last_start = 0, header, -1
    for i, h in enumerate(heights):
        if i in starts and i > first:
            last_start = i
        if used + h <= room:
            used += h
            continue
        end = last_start if last_start > first else i
        if end == first:  # a single row taller than the page: give it the page
            end = i + 1
        pages.append((first, end))
        first, last_start = end, -1
        used = header + sum(heights[end:i + 1])
    if first < len(heights) or not pages:
        pages.append((first, len(heights)))
    return pages


def _page_style(marks: list[tuple[int, str, str]], first: int, end: int
                ) -> list[tuple[Any, ...]]:
    cmds: list[tuple[Any, ...]] = []
    for index, kind, _ in marks:
        if not first <= index < end:
            continue
        row = index - first + 1
        if kind == "household":
            cmds.append(("LINEABOVE", (0, row), (-1, row), 1.0, colors.black))
        else:
            cmds += [("SPAN", (0, row), (-1, row)),
                     ("BACKGROUND", (0, row), (-1, row), SUBTOTAL_GREY),
                     ("LINEABOVE", (0, row), (-1, row), 1.0, colors.black)]
    return cmds


def _decorate(fonts: FontSet, title: str, width: float, height: float, printed: date
              ) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        y = height - TOP + 5 * mm
        canvas.setFont(fonts.name, 11)
        section = getattr(canvas, "_fupin_section", "")
        heading = title if section in title else f"{title} {section}"
        canvas.drawCentredString(width / 2, y, heading)
        canvas.setFont(fonts.name, 9)
        canvas.setFillColor(colors.HexColor("#B00000"))
        canvas.drawString(SIDE, y, INTERNAL)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(width - SIDE, y, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, BOTTOM - 7 * mm, page_label(number, total))
    return decorate


def _story(villages: list[Village], records: list[HouseholdRecord], styles: Styles,
           frame_width: float, frame_height: float, size: float
           ) -> tuple[list[Flowable], list[tuple[str, str]], dict[str, Tally], int]:
    """The flowables (one table a page), the texts for the glyph check, the tallies per
    village and the number of pages."""
    columns = register_columns()
    hh_cols = columns[1:1 + len(HOUSEHOLD_COLUMNS)]
    mem_cols = columns[1 + len(HOUSEHOLD_COLUMNS):]
    by_village: dict[str, list[HouseholdRecord]] = {}
    for r in records:
        by_village.setdefault(r.village_code, []).append(r)
    built: list[tuple[Village, list[list[str]], list[tuple[int, str, str]]]] = []
    tallies: dict[str, Tally] = {}
    texts: list[tuple[str, str]] = []
    for v in villages:
        mine = by_village.get(v.code, [])
        if not mine:
            continue
        rows, marks, tally = _village_rows(v, mine, hh_cols, mem_cols, 1)
        built.append((v, rows, marks))
        tallies[v.code] = tally
        texts += [(f"{v.name} {r.head_name}户",
                   " ".join(m.get("name") or "" for m in r.members) + r.head_name)
                  for r in mine]
        texts.append((v.name, v.name + " ".join(v.groups.values())))
    all_rows = [row for _, rows, _ in built for row in rows if row]
    widths = fit_widths(natural_widths(columns, all_rows, styles.fonts.name, size),
                        frame_width)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    header = [cells.header(c.title, i) for i, c in enumerate(columns)]
    centered = [i for i, c in enumerate(columns) if c.centered]
    base = grid_style(styles.fonts, size, centered=centered)
    header_h = _row_height(header, widths, size)
    story: list[Flowable] = []
    page_count = 0
    for n, (v, rows, marks) in enumerate(built):
        if n:
            story.append(PageBreak())
        story.append(_Section(v.name))
        texts_by_row = {i: t for i, k, t in marks if k != "household"}
        body = [[cells(t, c) for c, t in enumerate(row)] if row
                else [styles.para(texts_by_row[i], styles.cell)] + [""] * (len(columns) - 1)
                for i, row in enumerate(rows)]
        heights = [_row_height(row, [frame_width] if not rows[i] else widths, size)
                   for i, row in enumerate(body)]
        starts = {i for i, k, _ in marks if k == "household"}
        pages = paginate(heights, starts, header_h, frame_height)
        page_count += len(pages)
        for p, (first, end) in enumerate(pages):
            if p:
                story.append(PageBreak())
            story.append(_PageTable(
                [header, *body[first:end]], widths, [header_h, *heights[first:end]],
                [*base, *_page_style(marks, first, end)]))
    return story, texts, tallies, page_count


def _summary(villages: list[Village], tallies: dict[str, Tally], styles: Styles,
             frame_width: float) -> list[Flowable]:
    """The township's totals, one row per village: labels from the code lists."""
    attrs = cl.HOUSEHOLD_ATTRIBUTE.choices
    statuses = cl.POVERTY_STATUS.choices
    titles = ["行政村", "户数", "人数", *(c.label for c in attrs), *(c.label for c in statuses)]
    rows: list[list[str]] = []
    grand = Tally()
    for v in villages:
        t = tallies.get(v.code)
        if t is None:
            continue
        rows.append([v.name, str(t.households), str(t.people),
                     *(str(t.by_attribute.get(c.code, 0)) for c in attrs),
                     *(str(t.by_status.get(c.code, 0)) for c in statuses)])
        grand.households += t.households
        grand.people += t.people
        for src, dst in ((t.by_attribute, grand.by_attribute), (t.by_status, grand.by_status)):
            for k, n in src.items():
                dst[k] = dst.get(k, 0) + n
    rows.append(["全乡合计", str(grand.households), str(grand.people),
                 *(str(grand.by_attribute.get(c.code, 0)) for c in attrs),
                 *(str(grand.by_status.get(c.code, 0)) for c in statuses)])
    size = styles.base
    width = frame_width / len(titles)
    base = grid_style(styles.fonts, size, centered=range(1, len(titles)))
    base += [("BACKGROUND", (0, len(rows)), (-1, len(rows)), SUBTOTAL_GREY)]
    return [PageBreak(), _Section("汇总"), styles.para("各村汇总", styles.title),
            Spacer(1, 4 * mm),
            *chunked_tables(titles, rows, [width] * len(titles), base)]


def _print(session: Session, villages: list[Village], out: Path, title: str, author: str,
           paper: str, fonts: FontSet | None, progress: Progress | None,
           summary: bool) -> PrintResult:
    try:
        size = page_size(paper, wide=True)
    except ValueError as e:
        raise ReportError(str(e)) from None
    records = data.load_households(session, [v.code for v in villages])
    if not records:
        raise ReportError("没有可打印的农户")
    # Reading 20,000 households takes a few seconds: give the dialog a chance to cancel.
    if progress is not None and not progress(0, len(records)):
        raise Cancelled("已取消打印,未生成文件")
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 9.0 if paper == "A4" else 12.0)
    width, height = size
    frame = width - 2 * SIDE - 2 * FRAME_PAD
    room = height - TOP - BOTTOM - 2 * FRAME_PAD - 1  # a point to spare for rounding
    story, texts, tallies, pages = _story(villages, records, styles, frame, room,
                                          styles.base * 0.9)
    known: int | None = pages
    if summary:
        story += _summary(villages, tallies, styles, frame)
        # one page holds the totals of up to ~20 villages; beyond, let ReportLab count
        known = pages + 1 if len(tallies) <= 20 else None
    fonts.check(texts)
    pages = build_pdf(out, story, size, _decorate(fonts, title, width, height, date.today()),
                      font=fonts.name, title=title, author=author,
                      margins=(SIDE, SIDE, TOP, BOTTOM), progress=progress, pages=known)
    return PrintResult(Path(out), pages, len(records), sum(r.size for r in records))


def print_roster(session: Session, village_code: str, out: Path, *, paper: str = "A4",
                 fonts: FontSet | None = None, progress: Progress | None = None
                 ) -> PrintResult:
    """村花名册: every household of one village with its members."""
    v = data.village(session, village_code)
    return _print(session, [v], out, f"{v.township}{v.name}花名册", v.name, paper, fonts,
                  progress, summary=False)


def print_register(session: Session, out: Path, *, paper: str = "A4",
                   fonts: FontSet | None = None, progress: Progress | None = None,
                   township: str | None = None) -> PrintResult:
    """乡登记簿: every village of the township, each from a new page, then the totals.
    At a station its own township; at a county one township (`township`, its 9-digit
    code) at a time, titled with that township's name (the county's figures as a whole
    are the county summary, reports/pdf/county_summary.py)."""
    villages = data.villages(session)
    if township is not None:
        villages = [v for v in villages if v.township_code == township]
        if not villages:
            raise ReportError(f"本库没有乡镇 {township} 的行政村,请检查9位乡镇代码")
    elif len({v.township_code for v in villages}) > 1:
        raise ReportError("县扶贫办的登记簿按乡镇打印,请选择乡镇;全县的数字见县汇总表")
    if not villages:
        raise ReportError("本站没有行政村")
    name = villages[0].township
    return _print(session, villages, out, f"{name}农户登记簿", f"{name}扶贫工作站",
                  paper, fonts, progress, summary=True)
