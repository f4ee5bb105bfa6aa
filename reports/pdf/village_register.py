"""贫困村登记表 as a PDF: one village and year on A4, in the CJK font (embedded), "第 n 页
共 m 页" and the print date on every page like the registers. The typed facts come from
the year's village_facts row; every figure about households (建档立卡贫困户数、贫困人口、
贫困发生率、当年脱贫、帮扶责任人、驻村工作队) is counted when printed
(registry/poor_villages/sheet.py) and marked as computed. No personal ID numbers: the
驻村工作队 members are named with their units, as the paper form asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from forms.fields import FieldType
from forms.village import BOOL_FIELDS, VILLAGE_FACTS_FORM
from registry.poor_villages.facts import fact_text
from registry.poor_villages.sheet import VillageSheet
from reports.fonts import FontSet, find_fonts
from reports.pdf.layout import (
    FRAME_PAD,
    HEADER_GREY,
    Cells,
    PrintResult,
    Styles,
    build_pdf,
    grid_style,
    page_label,
    page_size,
)

SIDE, TOP, BOTTOM = 15 * mm, 18 * mm, 15 * mm
COMPUTED_MARK = "*"
COMPUTED_NOTE = "注:带 * 的数字由系统根据建档立卡农户、帮扶责任人和驻村工作队记录计算,不能手填;" \
                "贫困发生率为建档立卡贫困人口占农业户籍人口的百分比(保留两位小数)。"


def _decorate(fonts: FontSet, title: str, width: float, height: float, printed: date
              ) -> Callable[[Canvas, int, int], None]:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        y = height - TOP + 6 * mm
        canvas.setFont(fonts.name, 9)
        canvas.setFillColor(colors.black)
        canvas.drawString(SIDE, y, title)
        canvas.drawRightString(width - SIDE, y, f"打印日期:{printed.isoformat()}")
        canvas.drawCentredString(width / 2, BOTTOM - 8 * mm, page_label(number, total))
    return decorate


def _value(sheet: VillageSheet, name: str) -> str:
    text = fact_text(name, sheet.facts.get(name))
    unit = VILLAGE_FACTS_FORM[name].unit
    if text and unit and VILLAGE_FACTS_FORM[name].type is not FieldType.BOOL:
        text += unit
    return text


def figure_rows(sheet: VillageSheet) -> list[tuple[str, str]]:
    """The computed figures as (label, value), in the 登记表's order (PDF and Excel)."""
    f = sheet.figures
    rate = f"{f.incidence}%" if f.incidence is not None else "无法计算(农业户籍人口未填)"
    team = "、".join(f"{n}({r})" for n, r, _ in f.team)
    return [("建档立卡贫困户数", f"{f.poor_households}户"),
            ("建档立卡贫困人口", f"{f.poor_people}人"),
            ("贫困发生率", rate),
            (f"{sheet.year}年脱贫户数", f"{f.exited_households}户"),
            (f"{sheet.year}年脱贫人口", f"{f.exited_people}人"),
            ("帮扶责任人", f"{f.helpers}人(覆盖{f.covered}户)"),
            ("驻村工作队", f"{len(f.team)}人" + (f":{team}" if team else ""))]


def basic_rows(sheet: VillageSheet) -> list[tuple[str, str]]:
    names = ("households_registered", "people_registered", "people_agricultural",
             "collective_income", "distance_to_township_km")
    return [(VILLAGE_FACTS_FORM[n].label, _value(sheet, n)) for n in names]


def infra_rows(sheet: VillageSheet) -> list[tuple[str, str]]:
    return [(VILLAGE_FACTS_FORM[n].label, _value(sheet, n) or "未填") for n in BOOL_FIELDS]


def _pairs(rows: list[tuple[str, str]], cells: Cells) -> list[list[Any]]:
    """Label, value, label, value: two facts a line."""
    out: list[list[Any]] = []
    for i in range(0, len(rows), 2):
        line: list[Any] = []
        for j, (label, value) in enumerate(rows[i:i + 2]):
            line += [cells(label, 2 * j), cells(value, 2 * j + 1)]
        out.append(line + [""] * (4 - len(line)))
    return out


def print_village_register(sheet: VillageSheet, out: Path, *, fonts: FontSet | None = None
                           ) -> PrintResult:
    fonts = fonts or find_fonts()
    styles = Styles(fonts, 10.0)
    width, height = size = page_size("A4")
    frame = width - 2 * SIDE - 2 * FRAME_PAD
    base = styles.base
    title = "贫困村登记表"
    place = f"{sheet.county}{sheet.township}{sheet.name}"
    story: list[Flowable] = [
        styles.para(title, styles.title),
        styles.para(f"{place}(行政村代码 {sheet.code})    年度:{sheet.year}", styles.subtitle),
        styles.para(f"贫困村状态:{sheet.status_name};程序进度:{sheet.stage_name}"
                    + (f";退出年度:{sheet.exit_year}" if sheet.exit_year else ""),
                    styles.line)]
    widths = [frame * 0.2, frame * 0.3, frame * 0.2, frame * 0.3]
    cells = Cells(styles, widths, base)
    texts: list[tuple[str, str]] = [(title, place + title)]

    def section(heading: str, rows: list[tuple[str, str]], computed: bool = False) -> None:
        shown = [((label + COMPUTED_MARK) if computed else label, value)
                 for label, value in rows]
        texts.extend((heading, a + b) for a, b in shown)
        body = _pairs(shown, cells)
        style = grid_style(fonts, base, header_rows=0)
        style += [("BACKGROUND", (0, 0), (0, -1), HEADER_GREY),
                  ("BACKGROUND", (2, 0), (2, -1), HEADER_GREY)]
        t = Table(body, colWidths=widths)
        t.setStyle(TableStyle(style))
        story.append(KeepTogether([styles.para(heading, styles.heading), t]))

    section("一、基本情况", basic_rows(sheet))
    section("二、建档立卡情况(系统计算)", figure_rows(sheet), computed=True)
    section("三、基础设施和公共服务", infra_rows(sheet))

    def table(heading: str, header: list[str], share: list[float], rows: list[list[str]],
              empty: str) -> None:
        if not rows:
            story.append(KeepTogether([styles.para(heading, styles.heading),
                                       styles.para(empty, styles.line)]))
            return
        w = [frame * s for s in share]
        c = Cells(styles, w, base)
        texts.extend((heading, "".join(r)) for r in rows)
        t = Table([[c.header(h, i) for i, h in enumerate(header)],
                   *[[c(v, i) for i, v in enumerate(r)] for r in rows]],
                  colWidths=w, repeatRows=1)
        t.setStyle(TableStyle(grid_style(fonts, base)))
        # The heading stays with the table's first rows (never alone at a page's foot).
        story.append(KeepTogether([styles.para(heading, styles.heading), t])
                     if len(rows) <= 20 else styles.para(heading, styles.heading))
        if len(rows) > 20:
            story.append(t)

    f = sheet.figures
    table("四、历年脱贫(系统计算)", ["年度", "脱贫户数*", "脱贫人口*"], [0.3, 0.35, 0.35],
          [[str(y), str(h), str(p)] for y, (h, p) in sorted(f.exits_by_year.items())],
          "尚无脱贫销号的农户。")
    table("五、驻村工作队", ["姓名", "队内职务", "派出单位"], [0.2, 0.2, 0.6],
          [[n, r, u] for n, r, u in f.team], "尚未登记驻村工作队。")
    c = sheet.checklist
    table(f"六、贫困村退出核查({c.name},{c.year}年):{'符合' if c.passed else '不符合'}",
          ["核查项目", "实际情况", "是否达到"], [0.4, 0.35, 0.25],
          [[i.label, i.value, "达到" if i.met else "未达到"] for i in c.items], "")
    table("七、识别和退出程序", ["日期", "步骤", "结果", "记录人", "文号或说明"],
          [0.15, 0.17, 0.1, 0.2, 0.38],
          [[st.on.isoformat(), st.name, st.result, st.user,
            str(st.facts.get("文号") or st.reason or "")] for st in sheet.steps],
          "尚未申请贫困村。")
    if sheet.facts.get("note"):
        story.append(styles.para(f"备注:{sheet.facts['note']}", styles.line))
    signs = Table([["村委会（盖章）：", "乡镇人民政府（盖章）：", "填表日期：    年    月    日"]],
                  colWidths=[frame / 3] * 3)
    signs.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.name),
                               ("FONTSIZE", (0, 0), (-1, -1), base * 1.1)]))
    story += [Spacer(1, 4 * mm), styles.para(COMPUTED_NOTE, styles.small), Spacer(1, 10 * mm),
              signs]
    fonts.check(texts)
    pages = build_pdf(out, story, size, _decorate(fonts, f"{place} {title}", width, height,
                                                  date.today()),
                      font=fonts.name, title=f"{place}{title}", author="扶贫工作站",
                      margins=(SIDE, SIDE, TOP, BOTTOM))
    return PrintResult(Path(out), pages, sheet.figures.poor_households,
                       sheet.figures.poor_people)
