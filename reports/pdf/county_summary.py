"""县汇总表: the county's households and people per township — by stage of the procedure,
by 脱贫状态, and the exits of each year — counted from the rows at the time it is printed.
One A4 landscape page for a county of up to ~40 townships; marked 内部资料."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import codelists as cl
from registry.models import Household, Meta, Region
from registry.progress import Progress
from reports.fonts import FontSet, find_fonts
from reports.pdf.data import ReportError
from reports.pdf.layout import (
    SUBTOTAL_GREY,
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
ONE_PAGE = 8  # townships: up to this many, both tables share the first page

# The stages in the groups a county reads them in (forms/ codelists.STAGE).
STAGE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("识别中", ("10", "20", "25", "30", "35", "40", "50")),
    ("县复审至公告", ("60", "65", "70")),
    ("已建档立卡", ("80",)),
    ("退出程序中", ("82", "83", "84", "85", "86", "87", "88", "89")),
    ("已脱贫销号", ("95",)),
    ("未通过", ("90",)),
)


@dataclass
class TownshipCount:
    code: str
    name: str
    households: int = 0
    people: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)  # group label → households
    by_status: dict[str, tuple[int, int]] = field(default_factory=dict)  # code → (户, 人)
    exits: dict[int, int] = field(default_factory=dict)  # exit year → households

    def add(self, other: TownshipCount) -> None:
        self.households += other.households
        self.people += other.people
        for k, n in other.by_stage.items():
            self.by_stage[k] = self.by_stage.get(k, 0) + n
        for k, (h, p) in other.by_status.items():
            h0, p0 = self.by_status.get(k, (0, 0))
            self.by_status[k] = (h0 + h, p0 + p)
        for y, n in other.exits.items():
            self.exits[y] = self.exits.get(y, 0) + n


def county_name(session: Session) -> str:
    """The store's region name (昭觉县 at a county store)."""
    return str(session.scalar(select(Meta.value).where(Meta.key == "region_name")) or "")


def _stage_group(code: str) -> str:
    for label, codes in STAGE_GROUPS:
        if code in codes:
            return label
    return cl.STAGE.label_of(code)


def county_counts(session: Session) -> list[TownshipCount]:
    """Per township, from one grouped query over the live households."""
    township = func.substr(Household.village_code, 1, 9)
    q = (select(township, Household.stage, Household.poverty_status, Household.exit_year,
                func.count(), func.coalesce(func.sum(Household.size), 0))
         .where(Household.deleted.is_(False))
         .group_by(township, Household.stage, Household.poverty_status, Household.exit_year))
    names = dict(session.execute(select(Region.code, Region.name)
                                 .where(Region.level == "township")).all())
    out: dict[str, TownshipCount] = {}
    for code, stage, status, exit_year, households, people in session.execute(q).all():
        t = out.setdefault(code, TownshipCount(code, names.get(code, code)))
        n, p = int(households), int(people)
        t.households += n
        t.people += p
        group = _stage_group(stage or "")
        t.by_stage[group] = t.by_stage.get(group, 0) + n
        h0, p0 = t.by_status.get(status or "", (0, 0))
        t.by_status[status or ""] = (h0 + n, p0 + p)
        if exit_year:
            t.exits[int(exit_year)] = t.exits.get(int(exit_year), 0) + n
    return [out[k] for k in sorted(out)]


def _tables(rows: list[TownshipCount], styles: Styles, frame: float) -> list[Flowable]:
    total = TownshipCount("", "全县合计")
    for r in rows:
        total.add(r)
    every = [*rows, total]
    size = styles.base
    story: list[Flowable] = []

    def table(title: str, header: list[str], body: list[list[str]], first: float
              ) -> None:
        rest = (frame - first) / (len(header) - 1)
        style = grid_style(styles.fonts, size, centered=range(1, len(header)))
        style.append(("BACKGROUND", (0, len(body)), (-1, len(body)), SUBTOTAL_GREY))
        story.extend([styles.para(title, styles.heading),
                      *chunked_tables(header, body, [first] + [rest] * (len(header) - 1),
                                      style)])

    first = 32 * mm
    stage_labels = [label for label, _ in STAGE_GROUPS]
    table("一、按识别阶段(户)", ["乡镇", "户数", "人数", *stage_labels],
          [[r.name, str(r.households), str(r.people),
            *(str(r.by_stage.get(label, 0)) for label in stage_labels)] for r in every],
          first)
    story += [Spacer(1, 1.5 * mm),
              styles.para("识别中:农户申请至第二次公示;县复审至公告:已报县、尚未公告;"
                          "退出程序中:拟退出至退出公告。", styles.small),
              # the second table from a page of its own, rather than split at once
              PageBreak() if len(rows) > ONE_PAGE else Spacer(1, 3 * mm)]
    statuses = cl.POVERTY_STATUS.choices
    years = sorted(total.exits)
    header = ["乡镇", *(f"{c.label}{unit}" for c in statuses for unit in ("户", "人")),
              *(f"{y}年脱贫" for y in years)]
    body = []
    for r in every:
        cells = [r.name]
        for c in statuses:
            h, p = r.by_status.get(c.code, (0, 0))
            cells += [str(h), str(p)]
        cells += [str(r.exits.get(y, 0)) for y in years]
        body.append(cells)
    table("二、按脱贫状态(户、人)与各年脱贫退出(户)", header, body, first)
    return story


def _decorate(fonts: FontSet, width: float, height: float, printed: date
              ) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        y = height - TOP + 5 * mm
        canvas.setFont(fonts.name, 9)
        canvas.setFillColorRGB(0.69, 0, 0)
        canvas.drawString(SIDE, y, INTERNAL)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.drawRightString(width - SIDE, y, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, BOTTOM - 7 * mm, page_label(number, total))
    return decorate


def print_county_summary(session: Session, out: Path, *, county_name: str,
                         year: int | None = None, paper: str = "A4",
                         fonts: FontSet | None = None, progress: Progress | None = None
                         ) -> PrintResult:
    """县汇总表 of the county store the session reads."""
    rows = county_counts(session)
    if not rows:
        raise ReportError("没有可汇总的农户")
    try:
        size = page_size(paper, wide=True)
    except ValueError as e:
        raise ReportError(str(e)) from None
    fonts = fonts or find_fonts()
    # a county of 30-odd townships: small enough that each table keeps to one page
    base = 9.0 if len(rows) <= 20 else 7.5
    styles = Styles(fonts, base if paper == "A4" else base * 4 / 3)
    width, height = size
    frame = width - 2 * SIDE - 12
    today = date.today()
    title = f"{county_name}精准扶贫建档立卡汇总表"
    when = f"{year}年度 · " if year else ""
    story: list[Flowable] = [
        styles.para(title, styles.title),
        styles.para(f"{when}截至 {today.isoformat()},按乡镇(户数、人数为现有农户)",
                    styles.subtitle),
        *_tables(rows, styles, frame)]
    fonts.check([(r.name, r.name) for r in rows] + [(title, title)])
    pages = build_pdf(out, story, size, _decorate(fonts, width, height, today),
                      font=fonts.name, title=title, author=f"{county_name}扶贫开发办公室",
                      margins=(SIDE, SIDE, TOP, BOTTOM), progress=progress)
    return PrintResult(Path(out), pages, sum(r.households for r in rows),
                       sum(r.people for r in rows))
