"""公示 and 公告 posters (两公示一公告), each printed from its record, never from a village's
list: the first notice (a village's) and the second (the township's, grouped by village)
list exactly the households on the Notice record (registry/procedure/notices.py), with its
number and period; the county's 公告 lists the households announced under its 文号
(registry/procedure/county.py), by township and village. A whole village's list is a
花名册 (registers.py), never titled as a notice.

Only public fields reach the table (forms Field.public), never an ID number, phone, bank
account or health detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.household import HOUSEHOLD_FORM
from registry.models import Meta, Region
from registry.procedure import county
from registry.procedure.notices import EXIT, FIRST, KIND_NAMES, notice_households
from registry.progress import Progress
from reports.fonts import FontSet, find_fonts
from reports.pdf import data
from reports.pdf.data import ReportError, Village
from reports.pdf.layout import (
    HEADER_GREY,
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
from reports.pdf.tables import Column, fit_widths, natural_widths, public_only
from reports.pdf.values import chinese_date, display

# The notice table (besides 序号): the fields the 公示 shows, all public.
NOTICE_FIELDS = ("group_no", "head_name", "household_size", "attribute", "main_cause")
# The 公告's: what the county's decisions carry (the households stay the stations').
ANNOUNCEMENT_FIELDS = ("group_no", "head_name", "household_size")
MARGIN = 20 * mm
_CENTERED = {"group_no", "household_size"}


@dataclass
class Group:
    """Rows under one heading (a village on the second notice, a township's village on
    the 公告); heading "" on a village's own notice."""

    heading: str
    rows: list[list[str]] = field(default_factory=list)  # without 序号
    labels: list[str] = field(default_factory=list)  # where each row is, for the glyph check
    households: int = 0
    people: int = 0


@dataclass(frozen=True)
class Poster:
    title: str
    number: str  # 公示编号 or 文号, printed under the title
    intro: str
    period: str
    office: str  # who signs and seals
    signed_on: date
    groups: list[Group]
    kind: str = ""  # the notice's kind (EXIT: the exit columns); "" for a 公告

    @property
    def households(self) -> int:
        return sum(g.households for g in self.groups)

    @property
    def people(self) -> int:
        return sum(g.people for g in self.groups)


def village_committee(v: Village) -> str:
    return v.name + ("居民委员会" if v.name.endswith("社区") else "村民委员会")


def notice_columns(names: Sequence[str] = NOTICE_FIELDS) -> list[Column]:
    fields = public_only(HOUSEHOLD_FORM[n] for n in names)
    return [Column("序号", None, True),
            *(Column(f.label, f, f.name in _CENTERED) for f in fields)]


def objection_text(word: str, office: str) -> str:
    return (f"{word}期间,任何单位和个人如有异议,可通过书面、电话或当面等方式向{office}反映,"
            "我们将及时调查核实并答复。")


# ---- the notices ------------------------------------------------------------------------

def notice_poster(session: Session, number: str) -> Poster:
    """The first or second notice `number`, as recorded: its households, period, number."""
    notice, ids = notice_households(session, number)
    if not ids:
        raise ReportError(f"公示 {notice.number} 上没有农户,无需打印")
    if notice.kind == EXIT:
        from reports.pdf.exits import exit_notice_poster  # noqa: PLC0415 (it builds on this)

        return exit_notice_poster(session, notice, ids)
    records = data.load_households(session, household_ids=ids)
    if not records:
        raise ReportError(f"公示 {notice.number} 上的农户都已删除,无法打印")
    columns = notice_columns()
    count = f"共 {len(records)} 户 {sum(r.size for r in records)} 人"
    period = (f"公示时间:{chinese_date(notice.start_date)}至{chinese_date(notice.end_date)}"
              f"(共 {notice.days} 天)。")
    if notice.kind == FIRST:
        v = data.village(session, notice.region_code)
        office = village_committee(v)
        group = _notice_group("", records, {v.code: v}, columns)
        return Poster(
            f"{v.township}{v.name}建档立卡贫困户{KIND_NAMES[FIRST]}", f"公示编号:{notice.number}",
            f"根据精准扶贫建档立卡工作要求,经农户申请、村民代表大会民主评议,村两委和驻村"
            f"工作队入户核实,{v.name}拟确定建档立卡贫困户{count},现将名单予以公示。",
            period + objection_text("公示", office), office, notice.start_date, [group])
    places = {v.code: v for v in data.villages(session, sorted({r.village_code
                                                                for r in records}))}
    township = _region_name(session, notice.region_code)
    office = f"{township}人民政府"
    groups: list[Group] = []
    for code in dict.fromkeys(r.village_code for r in records):  # records are by village
        place = places.get(code)
        name = place.name if place else code
        mine = [r for r in records if r.village_code == code]
        groups.append(_notice_group(
            f"{name}(共 {len(mine)} 户 {sum(r.size for r in mine)} 人)", mine, places, columns))
    villages = groups[0].heading.split("(")[0] if len(groups) == 1 else f"{len(groups)}个村"
    return Poster(
        f"{township}建档立卡贫困户{KIND_NAMES[notice.kind]}", f"公示编号:{notice.number}",
        f"经农户申请、村民代表大会民主评议、村内第一次公示和{township}人民政府审核,拟确定"
        f"{villages}建档立卡贫困户{count},现将名单予以第二次公示。",
        period + objection_text("公示", office), office, notice.start_date, groups)


def _notice_group(heading: str, records: list[data.HouseholdRecord],
                  places: dict[str, Village], columns: list[Column]) -> Group:
    group = Group(heading)
    for r in records:
        v = places.get(r.village_code)
        row = []
        for c in columns[1:]:
            assert c.field is not None
            if c.field.name == "group_no":
                row.append(v.group_name(r.group_no) if v else display(c.field, r.group_no))
            else:
                row.append(display(c.field, r.values.get(c.field.name)))
        group.rows.append(row)
        group.labels.append(f"{v.name if v else r.village_code} {r.head_name}户")
        group.households += 1
        group.people += r.size
    return group


def _region_name(session: Session, code: str) -> str:
    name = session.scalar(select(Region.name).where(Region.code == code))
    return name or session.scalar(select(Meta.value).where(Meta.key == "region_name")) or code


# ---- the county's 公告 ----------------------------------------------------------------------

def announcement_poster(session: Session, ref: str) -> Poster:
    """The 公告 under the 文号 `ref`: the households announced, by township and village."""
    ann = county.announcement(session, ref.strip())
    county_code = session.scalar(select(Meta.value).where(Meta.key == "region_code")) or ""
    county_name = _region_name(session, county_code[:6]) if county_code else ""
    office = f"{county_name}扶贫开发领导小组办公室"
    groups: dict[tuple[str, str], Group] = {}
    for h in ann.households:
        g = groups.setdefault((h.township_name, h.village_name),
                              Group(f"{h.township_name}{h.village_name}"))
        g.rows.append([f"{h.group_no}组" if h.group_no is not None else "", h.head_name,
                       str(h.size)])
        g.labels.append(f"{h.village_name} {h.head_name}户")
        g.households += 1
        g.people += h.size
    for g in groups.values():
        g.heading += f"(共 {g.households} 户 {g.people} 人)"
    townships = len({t for t, _ in groups})
    people = sum(g.people for g in groups.values())
    return Poster(
        f"{county_name}建档立卡贫困户公告", ann.ref,
        f"经农户申请、村民代表大会民主评议、两次公示、乡镇审核和县级复审审定,确定{townships}个"
        f"乡镇{len(groups)}个村共 {len(ann.households)} 户 {people} 人为建档立卡贫困户,"
        "现予公告。",
        objection_text("公告", office), office, ann.on, list(groups.values()))


# ---- the poster -------------------------------------------------------------------------

def poster_story(poster: Poster, columns: list[Column], styles: Styles, frame_width: float, *,
                 phone: str, address: str) -> tuple[list[Flowable], list[tuple[str, str]]]:
    """The flowables of the poster, and every text in it for the glyph check."""
    base = styles.base
    size = base * 1.1
    numbered: list[list[str]] = []
    headings: list[int] = []  # rows of `body` that are a group's heading
    n = 0
    for g in poster.groups:
        if g.heading:
            headings.append(len(numbered))
            numbered.append([g.heading] + [""] * (len(columns) - 1))
        for row in g.rows:
            n += 1
            numbered.append([str(n), *row])
    plain = [r for i, r in enumerate(numbered) if i not in set(headings)]
    widths = fit_widths(natural_widths(columns, plain, styles.fonts.name, size), frame_width)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    heading_cells = Cells(styles, [frame_width], size)
    header = [cells.header(c.title, i) for i, c in enumerate(columns)]
    body: list[list[Any]] = []
    for i, row in enumerate(numbered):
        if i in headings:
            body.append([heading_cells(typeset(row[0]), 0)] + [""] * (len(columns) - 1))
        else:
            body.append([cells(t, c) for c, t in enumerate(row)])
    total_row: list[Any] = ["合计", "", f"{poster.households} 户", str(poster.people)]
    body.append((total_row + [""] * len(columns))[: len(columns)])
    contact = [
        f"监督电话:{phone or '____________________'}",
        f"受理地址:{address or '________________________________________'}",
    ]
    signature = Table(
        [[styles.para(f"{poster.office}(盖章)", styles.right)],
         [styles.para(chinese_date(poster.signed_on), styles.right)]],
        colWidths=[frame_width])
    signature.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.fonts.name),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), base * 2)]))
    # The contacts and the seal are the table's last row (borderless), held to the last
    # households with NOSPLIT: the signature never stands alone on a page, and whatever
    # moves to a new page takes the repeated header with it.
    footer: list[Flowable] = [
        Spacer(1, base * 1.2),
        *(styles.para(line, styles.line) for line in contact),
        # Room for the round seal (42 mm) to straddle the office name and the date.
        Spacer(1, 22 * mm * base / 10.5),
        signature,
        Spacer(1, 8 * mm * base / 10.5),
    ]
    body.append([footer] + [""] * (len(columns) - 1))
    centered = [i for i, c in enumerate(columns) if c.centered]
    base_style = [c for c in grid_style(styles.fonts, size, centered=centered)
                  if c[0] != "GRID"]

    def chunk_style(start: int, end: int) -> list[tuple[Any, ...]]:
        cmds: list[tuple[Any, ...]] = []
        for h in headings:  # a village's heading: one grey cell across, kept with its rows
            if start <= h < end:
                r = h - start + 1
                cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), HEADER_GREY),
                         ("ALIGN", (0, r), (-1, r), "LEFT"),
                         ("NOSPLIT", (0, r), (-1, min(r + 1, end - start)))]
        if end != len(body):
            return [("GRID", (0, 0), (-1, -1), 0.5, colors.black), *cmds]
        total, foot = end - start - 1, end - start  # counted from the chunk's header
        keep_from = max(1, total - 3)
        return [("GRID", (0, 0), (-1, total), 0.5, colors.black), *cmds,
                ("BACKGROUND", (0, total), (-1, total), SUBTOTAL_GREY),
                ("SPAN", (0, total), (1, total)), ("ALIGN", (0, total), (-1, total), "CENTER"),
                ("SPAN", (0, foot), (-1, foot)), ("VALIGN", (0, foot), (-1, foot), "TOP"),
                ("LEFTPADDING", (0, foot), (-1, foot), 0),
                ("RIGHTPADDING", (0, foot), (-1, foot), 0),
                ("NOSPLIT", (0, keep_from), (-1, foot))]

    tables = chunked_tables(header, body, widths, base_style, row_style=chunk_style)
    texts: list[tuple[str, str]] = []
    for g in poster.groups:
        texts += [(label, " ".join(row)) for label, row in zip(g.labels, g.rows, strict=True)]
        if g.heading:
            texts.append(("分组标题", g.heading))
    story: list[Flowable] = [
        styles.para(poster.title, styles.title),
        styles.para(poster.number, styles.subtitle),
        styles.para(poster.intro, styles.body),
        styles.para(poster.period, styles.body),
        Spacer(1, base * 0.6),
        *tables,
    ]
    texts += [("标题", poster.title + poster.number), ("正文", poster.intro),
              ("正文", poster.period), ("地址电话", " ".join(contact))]
    return story, texts


def _decorate(fonts: FontSet, size: float, running_title: str, width: float,
              height: float) -> Any:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(fonts.name, size)
        canvas.drawCentredString(width / 2, MARGIN * 0.45, page_label(number, total))
        if number > 1:
            canvas.drawCentredString(width / 2, height - MARGIN * 0.6, running_title)
    return decorate


def _print(poster: Poster, columns: list[Column], out: Path, paper: str, phone: str,
           address: str, fonts: FontSet | None, progress: Progress | None) -> PrintResult:
    try:
        size = page_size(paper)
    except ValueError as e:
        raise ReportError(str(e)) from None
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 10.5 if paper == "A4" else 14.5)
    width, height = size
    story, texts = poster_story(poster, columns, styles, width - 2 * MARGIN, phone=phone,
                                address=address)
    fonts.check(texts)
    running = typeset(f"{poster.title}({poster.number},续)")
    pages = build_pdf(out, story, size,
                      _decorate(fonts, styles.base * 0.9, running, width, height),
                      font=fonts.name, title=f"{poster.title} {poster.number}",
                      author=poster.office, margins=(MARGIN, MARGIN, MARGIN, MARGIN),
                      progress=progress)
    return PrintResult(Path(out), pages, poster.households, poster.people)


def print_notice_record(session: Session, number: str, out: Path, *, paper: str = "A4",
                        phone: str = "", address: str = "", progress: Progress | None = None,
                        fonts: FontSet | None = None) -> PrintResult:
    """The poster of the notice `number` (2026-001): exactly the households on it, its
    period and number; the second notice grouped by village; the 退出公示 with each
    household's per-capita income of its exit year beside that year's 扶贫标准."""
    poster = notice_poster(session, number)
    if poster.kind == EXIT:
        from reports.pdf.exits import exit_columns  # noqa: PLC0415 (it builds on this)

        columns = exit_columns()
    else:
        columns = notice_columns()
    return _print(poster, columns, out, paper, phone, address, fonts, progress)


def print_announcement(session: Session, ref: str, out: Path, *, paper: str = "A4",
                       phone: str = "", address: str = "", progress: Progress | None = None,
                       fonts: FontSet | None = None) -> PrintResult:
    """The county's 公告 under the 文号 `ref` (county store): households announced, by
    township and village, public columns only."""
    poster = announcement_poster(session, ref)
    return _print(poster, notice_columns(ANNOUNCEMENT_FIELDS), out, paper, phone, address,
                  fonts, progress)
