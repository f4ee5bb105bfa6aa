"""村帮扶责任人名单: a village's households that need help (建档立卡 and not 销号), each with
its current 帮扶责任人 (registry/aid/helpers.roster) — name, unit, 单位性质, title, phone —
on A4 landscape; a household without one says 未落实 so it is seen. Internal (phones)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from forms import codelists as cl
from registry.aid.helpers import roster
from registry.progress import Progress
from reports.fonts import FontSet, find_fonts
from reports.pdf import data
from reports.pdf.data import ReportError
from reports.pdf.handbook_aid import text_table
from reports.pdf.layout import PrintResult, Styles, build_pdf, page_label, page_size
from reports.pdf.registers import INTERNAL

MARGIN = 14 * mm
HEADERS = ("序号", "村民小组", "户主姓名", "家庭人口", "帮扶责任人", "单位名称", "单位性质",
           "职务", "联系电话", "帮扶开始日期")
MISSING = "未落实"


def roster_rows(session: Session, village_code: str, on: date | None = None
                ) -> tuple[list[list[str]], int, int]:
    """The roster's rows, the households and the people on it."""
    v = data.village(session, village_code)
    rows: list[list[str]] = []
    people = 0
    for n, (h, helper) in enumerate(roster(session, village_code, on), start=1):
        people += h.size or 0
        base = [str(n), v.group_name(h.group_no), h.head_name or "", str(h.size or 0)]
        if helper is None:
            rows.append(base + [MISSING, "", "", "", "", ""])
        else:
            rows.append(base + [
                helper.name, helper.unit or "",
                cl.UNIT_KIND.label_of(helper.unit_kind) if helper.unit_kind else "",
                helper.title or "", helper.phone or "",
                helper.start_date.isoformat() if helper.start_date else ""])
    return rows, len(rows), people


def print_helper_roster(session: Session, village_code: str, out: Path, *,
                        on: date | None = None, fonts: FontSet | None = None,
                        progress: Progress | None = None) -> PrintResult:
    v = data.village(session, village_code)
    rows, households, people = roster_rows(session, village_code, on)
    if not rows:
        raise ReportError(f"{v.name}没有需要帮扶的建档立卡贫困户")
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 10)
    size = page_size("A4", wide=True)
    width, height = size
    frame = width - 2 * MARGIN
    missing = sum(1 for r in rows if r[4] == MISSING)
    title = f"{v.township}{v.name}建档立卡贫困户帮扶责任人名单"
    summary = (f"共 {households} 户 {people} 人;已落实帮扶责任人 {households - missing} 户"
               + (f",未落实 {missing} 户" if missing else "") + "。")
    fonts.check([("标题", title + summary)]
                + [(f"{v.name} {r[2]}户", " ".join(r)) for r in rows])
    story: list[Flowable] = [
        styles.para(title, styles.title),
        styles.para(f"截至 {(on or date.today()).isoformat()}  {summary}", styles.subtitle),
        text_table(HEADERS, rows, styles, frame, centered=(0, 1, 3, 9)),
        Spacer(1, 10 * mm),
        styles.para("村委会(盖章):______________    驻村工作队长签字:______________    "
                    "填表日期:______年____月____日", styles.line),
    ]
    printed = date.today()

    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(fonts.name, 9)
        canvas.drawString(MARGIN, height - MARGIN + 4 * mm, INTERNAL)
        canvas.drawString(MARGIN, MARGIN - 8 * mm, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, MARGIN - 8 * mm, page_label(number, total))

    pages = build_pdf(out, story, size, decorate, font=fonts.name, title=title,
                      author=f"{v.township}扶贫工作站",
                      margins=(MARGIN, MARGIN, MARGIN, MARGIN), progress=progress)
    return PrintResult(Path(out), pages, households, people)
