"""贫困村基本情况: the 贫困村登记表's facts of a village for one year, entered in a dialog
generated from forms/village.py (RecordDialog), with the figures counted from the
households (建档立卡贫困户数、贫困人口、贫困发生率) and the exit checklist shown above the
fields, read-only: they are computed, never typed. No store access here: reading and saving
go through registry/poor_villages/access.py as StoreOps of the owning window."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from desktop.aid.record_dialog import RecordDialog
from forms.village import FACT_FIELDS, VILLAGE_FACTS_FORM
from registry.poor_villages import access
from registry.poor_villages.sheet import VillageSheet

if TYPE_CHECKING:
    from desktop.aid.village_aid import VillageAidDialog


def about(sheet: VillageSheet) -> str:
    """The counted figures and the checklist, as the dialog's header (HTML)."""
    f = sheet.figures
    rate = f"{f.incidence}%" if f.incidence is not None else "无法计算(请填农业户籍人口)"
    missing = "、".join(i.label for i in sheet.checklist.missing())
    check = "符合" if sheet.checklist.passed else f"不符合(未达到:{missing})"
    return (f"<b>{sheet.name}</b> {sheet.year}年 · {sheet.status_name} · {sheet.stage_name}"
            f"<br>建档立卡贫困户数 <b>{f.poor_households}</b> 户,贫困人口 "
            f"<b>{f.poor_people}</b> 人,贫困发生率 <b>{rate}</b>(系统计算)"
            f"<br>退出核查({sheet.checklist.name}):{check}")


def edit_village_facts(owner: VillageAidDialog) -> None:
    """Reads the village's sheet for this year, then opens the dialog; saving refreshes."""
    store, code = owner.store, owner.village_code()
    year = date.today().year

    def show(sheet: VillageSheet) -> None:
        values = {"year": sheet.year, **{n: sheet.facts.get(n) for n in FACT_FIELDS}}
        dialog = RecordDialog(VILLAGE_FACTS_FORM, "贫困村基本情况", owner, values,
                              about(sheet))
        owner._run(dialog, "保存贫困村基本情况",
                   lambda: partial(access.save_facts, store, code, dialog.raw()),
                   lambda y: f"已保存 {sheet.name} {y}年基本情况")

    owner.main.op("读取贫困村情况", lambda _p: access.load_sheet(store, code, year),
                  owner=owner).success(show).run()
