"""公示 posters (两公示一公告): the village's first notice, the township's second notice and
the county's 公告. Only public fields reach the table (forms Field.public), never an ID
number, phone, bank account or health detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from registry.progress import Progress
from reports.fonts import FontSet, find_fonts
from reports.pdf import data
from reports.pdf.data import ReportError, Village
from reports.pdf.layout import (
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
DEFAULT_DAYS = 7
MARGIN = 20 * mm


@dataclass(frozen=True)
class NoticeKind:
    key: str
    stage: str  # forms.codelists.STAGE: households at this step are listed
    name: str  # 第一次公示 / 第二次公示 / 公告
    period_word: str  # 公示 / 公告


KINDS: dict[str, NoticeKind] = {
    "first": NoticeKind("first", "30", "第一次公示", "公示"),
    "second": NoticeKind("second", "50", "第二次公示", "公示"),
    "announcement": NoticeKind("announcement", "70", "公告", "公告"),
}


def village_committee(v: Village) -> str:
    return v.name + ("居民委员会" if v.name.endswith("社区") else "村民委员会")


def issuer(kind: NoticeKind, v: Village) -> str:
    """Who signs (and seals) the poster: 村委会, 乡镇人民政府, 县扶贫开发领导小组办公室."""
    if kind.key == "first":
        return village_committee(v)
    if kind.key == "second":
        return f"{v.township}人民政府"
    return f"{v.county}扶贫开发领导小组办公室"


def title(kind: NoticeKind, v: Village) -> tuple[str, str]:
    """(title, subtitle)"""
    if kind.key == "first":
        return f"{v.township}{v.name}建档立卡贫困户{kind.name}", ""
    if kind.key == "second":
        return f"{v.township}建档立卡贫困户{kind.name}", f"({v.name})"
    return f"{v.county}建档立卡贫困户公告", f"({v.township}{v.name})"


def intro(kind: NoticeKind, v: Village, households: int, people: int) -> str:
    count = f"共 {households} 户 {people} 人"
    if kind.key == "first":
        return (f"根据精准扶贫建档立卡工作要求,经农户申请、村民代表大会民主评议,村两委和"
                f"驻村工作队入户核实,{v.name}拟确定建档立卡贫困户{count},现将名单予以公示。")
    if kind.key == "second":
        return (f"经农户申请、村民代表大会民主评议、村内第一次公示和{v.township}人民政府审核,"
                f"{v.name}拟确定建档立卡贫困户{count},现将名单予以第二次公示。")
    return (f"经农户申请、民主评议、两次公示、乡镇审核和县级复审审定,{v.township}{v.name}"
            f"{count}确定为建档立卡贫困户,现予公告。")


def period_text(kind: NoticeKind, start: date, days: int, office: str) -> str:
    end = start + timedelta(days=days - 1)
    return (f"{kind.period_word}时间:{chinese_date(start)}至{chinese_date(end)}(共 {days} 天)。"
            f"{kind.period_word}期间,任何单位和个人如有异议,可通过书面、电话或当面等方式向"
            f"{office}反映,我们将及时调查核实并答复。")


def notice_columns() -> list[Column]:
    fields = public_only(HOUSEHOLD_FORM[n] for n in NOTICE_FIELDS)
    centered = {"group_no", "household_size"}
    return [Column("序号", None, True),
            *(Column(f.label, f, f.name in centered) for f in fields)]


def _row(number: int, record: data.HouseholdRecord, v: Village,
         columns: list[Column]) -> list[str]:
    out = [str(number)]
    for c in columns[1:]:
        assert c.field is not None
        if c.field.name == "group_no":
            out.append(v.group_name(record.group_no))
        else:
            out.append(display(c.field, record.values.get(c.field.name)))
    return out


def notice_story(kind: NoticeKind, v: Village, records: list[data.HouseholdRecord],
                 styles: Styles, frame_width: float, *, start: date, days: int, phone: str,
                 address: str) -> tuple[list[Flowable], list[tuple[str, str]]]:
    """The flowables of the poster, and every text in it for the glyph check."""
    base = styles.base
    office = issuer(kind, v)
    people = sum(r.size for r in records)
    main_title, subtitle = title(kind, v)
    columns = notice_columns()
    rows = [_row(i, r, v, columns) for i, r in enumerate(records, start=1)]
    size = base * 1.1
    natural = natural_widths(columns, rows, styles.fonts.name, size)
    widths = fit_widths(natural, frame_width)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    header = [cells.header(c.title, i) for i, c in enumerate(columns)]
    body = [[cells(t, i) for i, t in enumerate(row)] for row in rows]
    total_row: list[Any] = ["合计", "", f"{len(records)} 户", str(people), "", ""]
    body.append(total_row[: len(columns)])
    contact = [
        f"监督电话:{phone or '____________________'}",
        f"受理地址:{address or '________________________________________'}",
    ]
    signature = Table(
        [[styles.para(f"{office}(盖章)", styles.right)],
         [styles.para(chinese_date(start), styles.right)]],
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
        if end != len(body):
            return [("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
        total, foot = end - start - 1, end - start  # counted from the chunk's header
        keep_from = max(1, total - 3)
        return [("GRID", (0, 0), (-1, total), 0.5, colors.black),
                ("BACKGROUND", (0, total), (-1, total), SUBTOTAL_GREY),
                ("SPAN", (0, total), (1, total)), ("ALIGN", (0, total), (-1, total), "CENTER"),
                ("SPAN", (0, foot), (-1, foot)), ("VALIGN", (0, foot), (-1, foot), "TOP"),
                ("LEFTPADDING", (0, foot), (-1, foot), 0),
                ("RIGHTPADDING", (0, foot), (-1, foot), 0),
                ("NOSPLIT", (0, keep_from), (-1, foot))]

    tables = chunked_tables(header, body, widths, base_style, row_style=chunk_style)
    texts: list[tuple[str, str]] = [(f"{v.name} {r.head_name}户", " ".join(row))
                                    for r, row in zip(records, rows, strict=True)]
    story: list[Flowable] = [
        styles.para(main_title, styles.title),
    ]
    if subtitle:
        story.append(styles.para(subtitle, styles.subtitle))
    story += [
        styles.para(intro(kind, v, len(records), people), styles.body),
        styles.para(period_text(kind, start, days, office), styles.body),
        Spacer(1, base * 0.6),
        *tables,
    ]
    texts += [("标题", main_title + subtitle), ("正文", intro(kind, v, len(records), people)),
              ("正文", period_text(kind, start, days, office)), ("地址电话", " ".join(contact))]
    return story, texts


def _decorate(fonts: FontSet, size: float, running_title: str, width: float,
              height: float) -> Any:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(fonts.name, size)
        canvas.drawCentredString(width / 2, MARGIN * 0.45, page_label(number, total))
        if number > 1:
            canvas.drawCentredString(width / 2, height - MARGIN * 0.6, running_title)
    return decorate


def print_notice(session: Session, village_code: str, kind: str, out: Path, *,
                 include_all: bool = False, paper: str = "A4", phone: str = "",
                 address: str = "", start: date | None = None, days: int = DEFAULT_DAYS,
                 fonts: FontSet | None = None, progress: Progress | None = None
                 ) -> PrintResult:
    """A 公示/公告 poster for one village: households at the kind's stage (30 first, 50
    second, 70 announcement), or every household with include_all."""
    if kind not in KINDS:
        raise ReportError(f"未知的公示类型:{kind}(可选 first 第一次公示、second 第二次公示、"
                          "announcement 公告)")
    if not 1 <= days <= 90:
        raise ReportError("公示天数应在 1 至 90 天之间")
    try:
        size = page_size(paper)
    except ValueError as e:
        raise ReportError(str(e)) from None
    notice = KINDS[kind]
    v = data.village(session, village_code)
    records = data.load_households(session, [v.code],
                                   None if include_all else [notice.stage])
    if not records:
        stage = cl.STAGE.label_of(notice.stage)
        raise ReportError(f"{v.name}没有处于“{stage}”阶段的农户,无需打印{notice.name};"
                          "如需列出全村农户,请选择“全部农户”(--all)")
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 10.5 if paper == "A4" else 14.5)
    width, height = size
    story, texts = notice_story(notice, v, records, styles, width - 2 * MARGIN,
                                start=start or date.today(), days=days, phone=phone,
                                address=address)
    fonts.check(texts)
    main_title, subtitle = title(notice, v)
    running = typeset(f"{main_title}({subtitle.strip('()')},续)" if subtitle
                      else f"{main_title}(续)")
    pages = build_pdf(out, story, size,
                      _decorate(fonts, styles.base * 0.9, running, width, height),
                      font=fonts.name, title=main_title + subtitle, author=issuer(notice, v),
                      margins=(MARGIN, MARGIN, MARGIN, MARGIN), progress=progress)
    return PrintResult(Path(out), pages, len(records), sum(r.size for r in records))
