"""The detail panel beside the table: the selected household at a glance, with its members.
Labels come from the form definitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from forms import codelists as cl
from forms.fields import FieldType
from forms.household import HOUSEHOLD_FORM
from forms.idnumber import age_on, mask
from forms.member import MEMBER_FORM
from registry.household_access import HouseholdDetail

_SUMMARY = ("attribute", "identification_standard", "stage", "poverty_status", "main_cause",
            "other_causes", "phone")


def _text(name: str, value: Any) -> str:
    f = HOUSEHOLD_FORM[name]
    if value is None or value == "":
        return "—"
    if f.type in (FieldType.CODE, FieldType.COMPUTED) and f.codelist:
        return f.codelist.label_of(str(value))
    if f.type is FieldType.CODES and f.codelist:
        return "、".join(f.codelist.label_of(c) for c in str(value).split(","))
    if f.type is FieldType.BOOL:
        return "是" if value else "否"
    return str(value)


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} 元"


class DetailPanel(QTextBrowser):
    history_requested = Signal()  # the 档案 link

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPanel")
        self.setOpenLinks(False)
        self.editable = True  # False at a county: its households are the stations'
        self.anchorClicked.connect(self._link)
        self.show_nothing()

    def _link(self, url: QUrl) -> None:
        if url.toString() == "history":
            self.history_requested.emit()

    def show_nothing(self) -> None:
        self.setHtml("<p style='color:#6b7480'>在左侧表格中选择一户,这里显示详细情况。</p>")

    def show_detail(self, d: HouseholdDetail) -> None:
        v, facts = d.values, d.facts
        group = f"{v['group_no']}组" if v.get("group_no") else ""
        rows = [("户主", escape(facts.get("head_name") or "—")),
                ("住址", escape(f"{d.village_name}{group}")),
                ("家庭人口", f"{facts.get('size', 0)} 人"),
                ("人均纯收入", _money(facts.get("net_income_per_capita"))),
                ("年纯收入", _money(facts.get("net_income")))]
        values = {**v, "stage": facts.get("stage")}  # the stage is derived, not an input
        rows += [(HOUSEHOLD_FORM[n].label, escape(_text(n, values.get(n)))) for n in _SUMMARY]
        table = "".join(f"<tr><td style='color:#6b7480;padding-right:8px'>{k}</td>"
                        f"<td>{val}</td></tr>" for k, val in rows)
        relation = MEMBER_FORM["relation"].codelist
        health = MEMBER_FORM["health"].codelist
        assert relation is not None and health is not None
        today = date.today()
        member_rows = "".join(
            "<tr>"
            f"<td>{escape(m['name'])}</td>"
            f"<td>{relation.label_of(m.get('relation'))}</td>"
            f"<td>{cl.SEX.label_of(m.get('sex'))}</td>"
            f"<td align='right'>{age_on(m['birth_date'], today) if m.get('birth_date') else ''}"
            "</td>"
            f"<td>{health.label_of(m.get('health'))}</td>"
            "</tr>" for m in d.members)
        deleted = "<p style='color:#c62f2f'><b>此户已删除</b></p>" if facts.get("deleted") else ""
        self.setHtml(
            f"<h3 style='margin:0'>{escape(facts.get('head_name') or '')}户</h3>{deleted}"
            f"<table cellspacing='0' cellpadding='2'>{table}</table>"
            "<h4 style='margin-bottom:2px'>家庭成员</h4>"
            "<table cellspacing='0' cellpadding='2' width='100%'>"
            "<tr style='color:#6b7480'><td>姓名</td><td>关系</td><td>性别</td><td>年龄</td>"
            f"<td>健康</td></tr>{member_rows}</table>"
            f"<p style='color:#6b7480'>户主身份证号 {mask(facts.get('head_id_number'))}<br>"
            f"{'按 Enter 或双击修改此户' if self.editable else '双击查看此户(只读)'}</p>"
            "<p><a href='history'>档案:识别程序与修改记录…</a></p>")
