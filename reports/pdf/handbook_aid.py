"""The 扶贫手册's 精准扶持 and 动态管理 sections: plans and results by year with funds by
source, every year's income beside that year's 扶贫标准, the yearly reviews (两不愁三保障)
and member changes with their reasons and evidence. Rows come from data.HouseholdRecord
(loaded for a whole village at once); labels from forms/."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable, Table

from forms import codelists as cl
from forms.aid import AID_PLAN_FORM, FUND_FIELDS
from forms.checklists import checklist_for
from registry.aid.poverty_line import Lines, describe
from registry.procedure.exits import answers
from reports.pdf.data import HouseholdRecord
from reports.pdf.layout import SUBTOTAL_GREY, Cells, Styles, grid_style, quick_table, typeset
from reports.pdf.tables import Column, fit_widths, natural_widths
from reports.pdf.values import display

PLANS_TITLE = "帮扶计划及成效(按年度,资金分来源)"
INCOMES_TITLE = "历年收入及扶贫标准"
REVIEWS_TITLE = "年度动态调整核查"
CHANGES_TITLE = "家庭成员变更(进出有据)"
_FUND_LABELS = {f"funds_{c.code}": c.label for c in cl.FUND_SOURCE.choices}
_FIELD = {f.name: f for f in AID_PLAN_FORM.fields}


def money(value: Any) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def text_table(headers: Sequence[str], rows: list[list[str]], styles: Styles, width: float,
               caps: Sequence[float] | None = None, centered: Sequence[int] = (),
               subtotals: Sequence[int] = ()) -> Table:
    """A grid of plain texts under a repeated header; "(无)" when there are no rows.
    `caps`: the widest each column may get (as fractions of `width`); free text wraps."""
    size = styles.base * 0.9
    columns = [Column(t, None, i in centered) for i, t in enumerate(headers)]
    natural = natural_widths(columns, rows, styles.fonts.name, size)
    widths = fit_widths(natural, width, [c * width for c in caps] if caps else None)
    cells = Cells(styles, widths, size, [c.centered for c in columns])
    table_rows: list[list[Any]] = [[cells.header(c.title, i) for i, c in enumerate(columns)]]
    table_rows += [[cells(typeset(t), i) for i, t in enumerate(row)] for row in rows]
    style = grid_style(styles.fonts, size, centered=list(centered))
    for r in subtotals:
        style.append(("BACKGROUND", (0, r + 1), (-1, r + 1), SUBTOTAL_GREY))
    if not rows:
        table_rows.append(["(无)"] + [""] * (len(columns) - 1))
        style += [("SPAN", (0, 1), (-1, 1)), ("ALIGN", (0, 1), (-1, 1), "CENTER")]
    return quick_table(table_rows, widths, style)


def plan_rows(r: HouseholdRecord) -> tuple[list[list[str]], list[int]]:
    """Each plan (funds by source in one cell) and, after each year's, the year's sums by
    source: the rows and which of them are the year's sums."""
    rows: list[list[str]] = []
    subtotals: list[int] = []
    plans = sorted(r.plans, key=lambda p: p.get("year") or 0)
    for i, p in enumerate(plans):
        sources = ";".join(f"{_FUND_LABELS[f]} {money(p.get(f))}" for f in FUND_FIELDS
                           if p.get(f) is not None)
        rows.append([str(p.get("year") or ""), display(_FIELD["measure"], p.get("measure")),
                     p.get("content") or "", sources or "—", money(p.get("funds")),
                     p.get("responsible") or "", display(_FIELD["status"], p.get("status")),
                     p.get("result") or ""])
        last = i + 1 == len(plans) or plans[i + 1].get("year") != p.get("year")
        if last:
            year = [q for q in plans if q.get("year") == p.get("year")]
            sums = {f: sum((Decimal(q[f]) for q in year if q.get(f) is not None), Decimal(0))
                    for f in FUND_FIELDS}
            total = sum((Decimal(q["funds"]) for q in year if q.get("funds") is not None),
                        Decimal(0))
            by_source = ";".join(f"{_FUND_LABELS[f]} {money(v)}" for f, v in sums.items() if v)
            subtotals.append(len(rows))
            rows.append([f"{p.get('year')}年小计", f"{len(year)} 项", "", by_source or "—",
                         money(total), "", "", ""])
    return rows, subtotals


def plans_table(r: HouseholdRecord, styles: Styles, width: float) -> list[Flowable]:
    rows, subtotals = plan_rows(r)
    return [text_table(("年度", "帮扶措施", "帮扶内容", "资金来源(元)", "资金合计(元)",
                        "责任人", "实施状态", "帮扶成效"), rows, styles, width,
                       caps=(0.12, 0.12, 0.22, 0.22, 0.12, 0.1, 0.09, 0.22),
                       centered=(0,), subtotals=subtotals)]


def income_rows(r: HouseholdRecord, lines: Lines) -> list[list[str]]:
    """Each year's income, that year's 扶贫标准 and whether the per-capita is above it."""
    standard = r.values.get("identification_standard")
    out = []
    for i in r.incomes:
        line = lines.line(i["year"], standard)
        per_capita = i["net_income_per_capita"]
        out.append([str(i["year"]), str(i["size"] or ""), money(i["net_income"]),
                    money(per_capita), f"{line.amount:,.0f}" if line else "—",
                    describe(per_capita, line)])
    return out


def incomes_table(r: HouseholdRecord, lines: Lines, styles: Styles, width: float
                  ) -> list[Flowable]:
    return [text_table(("年度", "家庭人口", "家庭纯收入(元)", "人均纯收入(元)",
                        "当年扶贫标准(元)", "是否达到标准"), income_rows(r, lines), styles,
                       width, centered=(0, 1))]


def review_rows(r: HouseholdRecord) -> list[list[str]]:
    out = []
    for rv in r.reviews:
        checklist = checklist_for(r.village_code, rv["year"])
        given = answers(rv["checklist"])
        unmet = checklist.unmet(given)
        met = [i.label for i in checklist.items if i not in unmet]
        proposal = rv["proposal"]
        out.append([str(rv["year"]), checklist.name, "、".join(met) or "—",
                    "、".join(i.label for i in unmet) or "无",
                    cl.REVIEW_PROPOSAL.label_of(proposal) if proposal else "",
                    rv["reviewed_on"].isoformat() if rv["reviewed_on"] else "",
                    rv["reviewed_by"] or "", rv["note"] or ""])
    return out


def reviews_table(r: HouseholdRecord, styles: Styles, width: float) -> list[Flowable]:
    return [text_table(("年度", "核查内容", "已达标", "未达标", "调整意见", "核查日期",
                        "核查人", "备注"), review_rows(r), styles, width,
                       caps=(0.08, 0.12, 0.26, 0.2, 0.1, 0.14, 0.1, 0.2), centered=(0,))]


def change_rows(r: HouseholdRecord) -> list[list[str]]:
    return [[c["name"], c["kind"], cl.MEMBER_CHANGE_REASON.label_of(c["reason"]),
             c["on"].isoformat() if c["on"] else "", c["evidence"] or "未附证明材料"]
            for c in r.changes]


def changes_table(r: HouseholdRecord, styles: Styles, width: float) -> list[Flowable]:
    return [text_table(("姓名", "变动", "原因", "日期", "证明材料"), change_rows(r), styles,
                       width, caps=(0.15, 0.08, 0.14, 0.15, 0.5), centered=(1, 3))]
