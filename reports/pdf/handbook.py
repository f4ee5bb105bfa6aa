"""扶贫手册 / 户卡: one household on A4 portrait — every section of the household form,
the members, 帮扶责任人 with their history, 帮扶计划 and 成效 by year (funds by source),
every year's income beside that year's 扶贫标准, the yearly reviews, member changes
(handbook_aid.py), and its 档案 timeline (registry/procedure/history.py:
each step, notice, objection, county decision and change, with who recorded it and in
which role) — or a whole village, each household from a new page.
Sections, fields and labels all come from forms/ (household, member, aid)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Spacer,
    Table,
)
from sqlalchemy.orm import Session

from forms.aid import HELPER_FORM
from forms.fields import Field
from forms.household import HOUSEHOLD_FORM, MEMBERS
from forms.member import MEMBER_FORM
from registry.aid.poverty_line import Lines
from registry.procedure.history import Item, timelines
from registry.progress import Progress
from registry.roles import role_name
from reports.fonts import FontSet, find_fonts
from reports.pdf import data
from reports.pdf import handbook_aid as aid
from reports.pdf.data import HouseholdRecord, ReportError, Village
from reports.pdf.layout import (
    HEADER_GREY,
    Cells,
    PrintResult,
    Styles,
    build_pdf,
    grid_style,
    page_label,
    page_size,
    quick_table,
    typeset,
)
from reports.pdf.registers import INTERNAL, _Section
from reports.pdf.tables import Column, fit_widths, natural_widths
from reports.pdf.values import display, with_unit

MARGIN = 16 * mm
SECTION_ROOM = 40 * mm  # a section's heading and its first rows
TITLE = "扶贫手册(户卡)"
_NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """0 → 一, 9 → 十, 10 → 十一 … (section numbers up to 九十九)."""
    n += 1
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (_NUMERALS[ones - 1] if ones else "")


class _Line(Flowable):
    """One line of text in a paragraph style, drawn as a string: a village's handbooks
    have thousands of headings, and parsing each into a Paragraph cost seconds."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.text, self.style = text, style
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.style.leading

    def draw(self) -> None:
        s = self.style
        self.canv.setFont(s.fontName, s.fontSize)
        y = (s.leading - s.fontSize) / 2 + s.fontSize * 0.12
        if s.alignment == TA_CENTER:
            self.canv.drawCentredString(self.width / 2, y, self.text)
        else:
            self.canv.drawString(0, y, self.text)


def _line(styles: Styles, text: str, style: ParagraphStyle, width: float) -> Flowable:
    """A _Line when the text fits one line in the main font, else a Paragraph."""
    text = typeset(text)
    if (styles.fonts.fallbacks and styles.fonts.needs_fallback(text)) or \
            stringWidth(text, style.fontName, style.fontSize) > width:
        return styles.para(text, style)
    return _Line(text, style)


def _value(f: Field, values: dict[str, Any], v: Village) -> str:
    if f.name == "village_code":
        return f"{v.name}({values.get(f.name)})"
    if f.name == "group_no":
        return v.group_name(values.get(f.name))
    if not f.applies(values):
        return "—"
    return with_unit(f, values.get(f.name))


def _fields_grid(fields: Sequence[Field], values: dict[str, Any], v: Village,
                 styles: Styles, width: float) -> Table:
    """Label / value pairs, two pairs a row; long texts get a whole row."""
    size = styles.base
    label_w, value_w = width * 0.17, width * 0.33
    cells = Cells(styles, [label_w, value_w, label_w, value_w], size)
    wide_cells = Cells(styles, [label_w, width - label_w], size)
    rows: list[list[Any]] = []
    spans: list[int] = []
    pending: list[Any] = []
    for f in fields:
        text = _value(f, values, v)
        if cells.width(text) > value_w * 0.95 or f.max_length and f.max_length > 100:
            spans.append(len(rows))
            rows.append([f.label, wide_cells(text, 1), "", ""])
            continue
        pending += [cells(f.label, 0), cells(text, 1)]
        if len(pending) == 4:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending + ["", ""])
    style = grid_style(styles.fonts, size, header_rows=0)
    style += [("BACKGROUND", (0, 0), (0, -1), HEADER_GREY),
              ("BACKGROUND", (2, 0), (2, -1), HEADER_GREY)]
    for r in spans:
        style.append(("SPAN", (1, r), (3, r)))
    return quick_table(rows, [label_w, value_w, label_w, value_w], style, repeat_rows=0)


def _grid_section(fields: Sequence[Field], values: dict[str, Any], v: Village,
                  styles: Styles, width: float) -> list[Flowable]:
    return [_fields_grid(fields, values, v, styles, width)]


def _list_table(fields: Sequence[Field], rows_values: list[dict[str, Any]], styles: Styles,
                width: float, numbered: bool = True) -> list[Flowable]:
    """A table of rows (members, helpers, plans), columns sized to what they hold."""
    size = styles.base * 0.9
    columns = ([Column("序号", None, True)] if numbered else []) + [
        Column(f.label + (f"({f.unit})" if f.unit and f.unit != "岁" else ""), f,
               False, 0.55) for f in fields]
    rows = [([str(i)] if numbered else []) + [display(f, rv.get(f.name)) for f in fields]
            for i, rv in enumerate(rows_values, start=1)]
    natural = natural_widths(columns, rows, styles.fonts.name, size)
    # Free text (帮扶内容, 帮扶成效) wraps instead of taking the whole page.
    cap = [width * 0.28] * len(columns)
    widths = fit_widths(natural, width, cap)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    table_rows: list[list[Any]] = [[cells.header(c.title, i) for i, c in enumerate(columns)]]
    table_rows += [[cells(t, i) for i, t in enumerate(row)] for row in rows]
    style = grid_style(styles.fonts, size, centered=[0] if numbered else [])
    if not rows:
        table_rows.append(["(无)"] + [""] * (len(columns) - 1))
        style += [("SPAN", (0, 1), (-1, 1)), ("ALIGN", (0, 1), (-1, 1), "CENTER")]
    return [quick_table(table_rows, widths, style)]


def _member_tables(r: HouseholdRecord, styles: Styles, width: float) -> list[Flowable]:
    """The member form is too wide for portrait A4: two tables, each led by the name."""
    name, *rest = MEMBER_FORM.fields
    half = (len(rest) + 1) // 2
    return [*_list_table([name, *rest[:half]], r.members, styles, width),
            Spacer(1, 2 * mm),
            *_list_table([name, *rest[half:]], r.members, styles, width)]


TIMELINE_TITLE = "档案记录(识别和退出程序、公示公告、县级决定、帮扶和修改)"
HELPERS_TITLE = "帮扶责任人(含历任)"
_TIMELINE_HEADERS = ("日期", "事项", "内容", "记录人")


def timeline_rows(items: Sequence[Item]) -> list[list[str]]:
    """The household's 档案 timeline as table rows: date, what, detail, who (role)."""
    return [[i.on.isoformat(), typeset(i.title), typeset(i.detail or ""),
             typeset(f"{i.user}({role_name(i.role)})" if i.role else i.user)] for i in items]


def _timeline_table(rows: list[list[str]], styles: Styles, width: float) -> list[Flowable]:
    size = styles.base * 0.9
    columns = [Column(t, None, t == "日期") for t in _TIMELINE_HEADERS]
    natural = natural_widths(columns, rows, styles.fonts.name, size)
    # the date and who stay on one line; what and detail wrap
    cap = [natural[0], width * 0.26, width * 0.5, width * 0.24]
    widths = fit_widths(natural, width, cap)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    table_rows: list[list[Any]] = [[cells.header(c.title, i) for i, c in enumerate(columns)]]
    table_rows += [[cells(t, i) for i, t in enumerate(row)] for row in rows]
    style = grid_style(styles.fonts, size, centered=[0])
    if not rows:
        table_rows.append(["(无)", "", "", ""])
        style += [("SPAN", (0, 1), (-1, 1)), ("ALIGN", (0, 1), (-1, 1), "CENTER")]
    return [quick_table(table_rows, widths, style)]


def household_story(r: HouseholdRecord, v: Village, styles: Styles, width: float,
                    history: list[list[str]] | None = None, lines: Lines | None = None
                    ) -> list[Flowable]:
    story: list[Flowable] = [
        _Section(f"户主 {r.head_name}({v.name}{v.group_name(r.group_no)})"),
        _line(styles, TITLE, styles.title, width),
        _line(styles, " ".join(x for x in (v.province, v.city, v.county, v.township, v.name,
                                           v.group_name(r.group_no)) if x)
              + f"    户主:{r.head_name}", styles.subtitle, width),
    ]
    sections: list[tuple[str, Callable[[], list[Flowable]]]] = []
    for section in HOUSEHOLD_FORM.sections:
        if section == MEMBERS:
            sections.append((section, lambda: _member_tables(r, styles, width)))
        else:
            sections.append((section, partial(_grid_section, HOUSEHOLD_FORM.in_section(section),
                                              r.values, v, styles, width)))
    sections.append((HELPERS_TITLE, partial(_list_table, HELPER_FORM.fields, r.helpers,
                                            styles, width)))
    sections.append((aid.PLANS_TITLE, partial(aid.plans_table, r, styles, width)))
    if lines is not None:
        sections.append((aid.INCOMES_TITLE, partial(aid.incomes_table, r, lines, styles,
                                                     width)))
    sections.append((aid.REVIEWS_TITLE, partial(aid.reviews_table, r, styles, width)))
    sections.append((aid.CHANGES_TITLE, partial(aid.changes_table, r, styles, width)))
    for n, (label, make) in enumerate(sections):
        # Not KeepTogether: it lays every section out twice (a third of the time of a
        # village's handbooks); a heading with less than SECTION_ROOM below it starts a
        # new page, and a long table runs on with its header repeated.
        story += [CondPageBreak(SECTION_ROOM),
                  _line(styles, f"{numeral(n)}、{label}", styles.heading, width), *make()]
    if history is not None:  # long: may run over pages, its header repeated
        story += [CondPageBreak(SECTION_ROOM),
                  _line(styles, f"{numeral(len(sections))}、{TIMELINE_TITLE}", styles.heading,
                        width),
                  *_timeline_table(history, styles, width)]
    story += [Spacer(1, 8 * mm), _line(styles,
        "户主签字:______________    帮扶责任人签字:______________    "
        "填写日期:______年____月____日", styles.line, width)]
    return story


def _decorate(fonts: FontSet, width: float, height: float, printed: date
              ) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        y = height - MARGIN + 5 * mm
        canvas.setFont(fonts.name, 9)
        canvas.setFillColor(colors.HexColor("#B00000"))
        canvas.drawString(MARGIN, y, INTERNAL)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(width - MARGIN, y,
                               typeset(getattr(canvas, "_fupin_section", "")))
        canvas.drawString(MARGIN, MARGIN - 8 * mm, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, MARGIN - 8 * mm, page_label(number, total))
    return decorate


def _texts(r: HouseholdRecord, v: Village, history: list[list[str]], lines: Lines
           ) -> list[tuple[str, str]]:
    where = f"{v.name} {r.head_name}户"
    parts = [str(x) for x in r.values.values() if isinstance(x, str)]
    for rows in (r.members, r.helpers):
        parts += [str(x) for row in rows for x in row.values() if isinstance(x, str)]
    for table in (aid.plan_rows(r)[0], aid.income_rows(r, lines), aid.review_rows(r),
                  aid.change_rows(r), history):
        parts += [" ".join(row) for row in table]
    return [(where, " ".join(parts))]


def print_handbook(session: Session, out: Path, *, household_id: str | None = None,
                   village_code: str | None = None, fonts: FontSet | None = None,
                   progress: Progress | None = None) -> PrintResult:
    """One household's 扶贫手册 (household_id), or every household of a village, each
    from a new page (village_code)."""
    if (household_id is None) == (village_code is None):
        raise ReportError("请指定一户(户编号)或一个行政村,二者选一")
    if household_id is not None:
        records = data.load_households(session, household_ids=[household_id], with_aid=True)
        if not records:
            raise ReportError(f"没有这一户(户编号 {household_id}),或该户已删除")
        v = data.village(session, records[0].village_code)
    else:
        assert village_code is not None
        v = data.village(session, village_code)
        records = data.load_households(session, [v.code], with_aid=True)
        if not records:
            raise ReportError(f"{v.name}没有农户")
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 9.5)
    size = page_size("A4")
    width, height = size
    frame = width - 2 * MARGIN
    story: list[Flowable] = []
    texts: list[tuple[str, str]] = []
    lines = Lines(session)
    histories = timelines(session, [r.id for r in records])  # a few queries per village
    for n, r in enumerate(records):
        if n:
            story.append(PageBreak())
        history = timeline_rows(histories[r.id])
        story += household_story(r, v, styles, frame, history, lines)
        texts += _texts(r, v, history, lines)
    fonts.check(texts)
    title = (f"{v.name} {records[0].head_name}户 扶贫手册" if household_id
             else f"{v.township}{v.name} 扶贫手册")
    pages = build_pdf(out, story, size, _decorate(fonts, width, height, date.today()),
                      font=fonts.name, title=title, author=f"{v.township}扶贫工作站",
                      margins=(MARGIN, MARGIN, MARGIN, MARGIN), progress=progress)
    return PrintResult(Path(out), pages, len(records), sum(r.size for r in records))
