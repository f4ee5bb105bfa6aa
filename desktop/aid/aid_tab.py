"""The household editor's 帮扶 tab: 脱贫状态 (from the exit steps, shown only), the current
帮扶责任人 and every earlier one (指定/更换, 结束), the plans by year (添加, 修改 status and
成效; funds by source with their total), and the income of every year beside that year's
扶贫标准 (线上/线下). Each change is recorded at once through registry/aid/access.py, as
the logged-in user; the household's own 保存 is not needed for them.

It also answers the editor's 成员变更 requests (减员 of a registered member, 增员)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.aid.lists import day, fill, money, plain_widths, selected_id, text_of
from desktop.aid.member_change import JOIN, LEAVE, MemberChangeDialog
from desktop.aid.record_dialog import EndDialog, RecordDialog
from desktop.procedure.form_dialog import FormDialog
from desktop.widgets.labels import hint
from forms.aid import AID_PLAN_FORM, FUND_FIELDS, HELPER_FORM
from forms.household import HOUSEHOLD_FORM
from registry.aid import access
from registry.aid.access import HouseholdAid
from registry.aid.incomes import MONEY_FIELDS
from registry.roles import Act

if TYPE_CHECKING:
    from desktop.households.editor import HouseholdEditor
    from desktop.main_window import MainWindow

HELPER_HEADERS = ["姓名", "单位名称", "职务", "单位性质", "联系电话", "开始日期", "结束日期"]
PLAN_HEADERS = ["年度", "帮扶措施", "帮扶内容", *[AID_PLAN_FORM[f].label for f in FUND_FIELDS],
                "资金合计", "责任人", "实施状态", "帮扶成效"]
INCOME_HEADERS = ["年度", "人口", "家庭纯收入", "人均纯收入", "当年扶贫标准", "线上/线下", "说明"]


class AidTab(QWidget):
    loaded = Signal(object)  # the HouseholdAid shown (tests wait for it)
    dialog_opened = Signal(object)  # each FormDialog it opens (tests fill them in)
    changed = Signal(str)  # what was recorded, in words

    def __init__(self, window: MainWindow, editor: HouseholdEditor, household_id: str,
                 read_only: bool = False) -> None:
        super().__init__()
        self.setObjectName("aidTab")
        self.main = window
        self.editor = editor
        self.store = window.workspace.store
        self.household_id = household_id
        self.aid: HouseholdAid | None = None
        self.dialog: FormDialog | None = None
        allowed = not read_only and self.store.can(Act.AID)
        may_change_members = not read_only and self.store.can(Act.EDIT_HOUSEHOLDS)

        self.status = QLabel("", self)
        self.status.setObjectName("aidStatus")
        self.status.setWordWrap(True)
        self.status.setToolTip("脱贫状态由退出程序(销号、返贫)得出,不能直接修改")

        # 帮扶责任人
        self.current = QLabel("", self)
        self.current.setObjectName("currentHelper")
        self.helpers = plain_widths(self, HELPER_HEADERS, [90, 180, 90, 90, 110, 96, 96])
        self.helpers.setObjectName("helperTable")
        self.assign_button = self._button("指定/更换帮扶责任人…", self.assign, allowed)
        self.end_button = self._button("结束帮扶…", self.end_helper, allowed)
        helper_box = self._box("帮扶责任人(结对帮扶)", self.current, self.helpers,
                               [self.assign_button, self.end_button])

        # 帮扶计划
        self.plans = plain_widths(self, PLAN_HEADERS,
                                  [48, 110, 180, 84, 84, 84, 84, 96, 70, 70, 160])
        self.plans.setObjectName("planTable")
        self.plans.doubleClicked.connect(lambda _i: self.edit_plan())
        self.add_plan_button = self._button("添加帮扶计划…", self.add_plan, allowed)
        self.edit_plan_button = self._button("修改(状态、成效)…", self.edit_plan, allowed)
        plan_box = self._box("帮扶计划与成效(按年度)", None, self.plans,
                             [self.add_plan_button, self.edit_plan_button])

        # 年度收入
        self.incomes = plain_widths(self, INCOME_HEADERS, [56, 48, 100, 100, 110, 80, 240])
        self.incomes.setObjectName("incomeTable")
        self.incomes.doubleClicked.connect(lambda _i: self.edit_income())
        self.income_button = self._button("录入/修改年度收入…", self.edit_income, allowed)
        income_box = self._box("收入(逐年保留,与当年扶贫标准比较)", None, self.incomes,
                               [self.income_button])

        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.status)
        if not allowed:
            note = hint(f"当前用户的角色是{self.store.role_name},只能查看帮扶记录。"
                        if not read_only else "只能查看。", page)
            layout.addWidget(note)
        # All three in sight on the editor's 660 px (a few rows each; they scroll).
        self.helpers.setMaximumHeight(100)
        self.plans.setMaximumHeight(150)
        self.incomes.setMaximumHeight(120)
        layout.addWidget(helper_box)
        layout.addWidget(plan_box)
        layout.addWidget(income_box)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        if may_change_members:
            editor.member_changes = True
            editor.member_leave_requested.connect(self.member_leaves)
            editor.member_join_requested.connect(self.member_joins)
        else:
            editor.join_button.setEnabled(False)

    def _button(self, text: str, slot: Any, enabled: bool) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False: slot())
        button.setEnabled(enabled)
        if not enabled:
            button.setToolTip(f"当前用户的角色是{self.store.role_name},无权"
                              f"{Act.AID.value}")
        return button

    def _box(self, title: str, top: QWidget | None, table: QWidget,
             buttons: list[QPushButton]) -> QGroupBox:
        box = QGroupBox(title, self)
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        if top is not None:
            row.addWidget(top, 1)
        else:
            row.addStretch(1)
        for b in buttons:
            row.addWidget(b)
        layout.addLayout(row)
        table.setMinimumHeight(80)
        layout.addWidget(table, 1)
        return box

    # ---- loading -------------------------------------------------------------------------
    def load(self) -> None:
        store, hid = self.store, self.household_id
        self.main.op("读取帮扶记录", lambda _p: access.household_aid(store, hid),
                     owner=self).success(self.show_aid).run()

    def show_aid(self, aid: HouseholdAid) -> None:
        if not shiboken6.isValid(self) or not shiboken6.isValid(self.status):
            return  # the editor was closed before the records arrived
        self.aid = aid
        exit_year = f"({aid.exit_year} 年)" if aid.exit_year else ""
        self.status.setText(f"<b>脱贫状态:</b>{aid.status or '—'}{exit_year}    "
                            f"<b>所处阶段:</b>{aid.stage_label}    "
                            "<span style='color:#7a7a7a'>脱贫状态由退出程序(销号、返贫)得出,"
                            "不能直接修改</span>")
        now = aid.current_helper
        self.current.setText(f"当前帮扶责任人:<b>{now.values['name']}</b>"
                             f"({now.values.get('unit') or '单位未填'},"
                             f"{day(now.values.get('start_date'))} 起)"
                             if now else "<span style='color:#c62f2f'>当前没有帮扶责任人</span>")
        fill(self.helpers, [[text_of(HELPER_FORM, n, h.values.get(n)) for n in
                             ("name", "unit", "title", "unit_kind", "phone", "start_date",
                              "end_date")] for h in aid.helpers],
             [h.id for h in aid.helpers], greyed=[not h.current for h in aid.helpers])
        plan_fields = ("year", "measure", "content", *FUND_FIELDS, "funds", "responsible",
                       "status", "result")
        fill(self.plans, [[text_of(AID_PLAN_FORM, n, p.values.get(n)) for n in plan_fields]
                          for p in aid.plans], [p.id for p in aid.plans],
             right=frozenset(range(3, 3 + len(FUND_FIELDS) + 1)))
        fill(self.incomes, [[str(i.year), str(i.size), money(i.net_income),
                             money(i.per_capita), money(i.line), i.standing_short, i.standing]
                            for i in aid.incomes], [str(i.year) for i in aid.incomes],
             right=frozenset({1, 2, 3, 4}), red=[i.above_line is False for i in aid.incomes])
        self.end_button.setEnabled(self.assign_button.isEnabled() and now is not None)
        self.loaded.emit(aid)

    # ---- dialogs -------------------------------------------------------------------------
    def _run(self, dialog: FormDialog, doing: str, work: Any, said: str) -> None:
        """Opens `dialog`; on 确定 runs `work()` in the DB worker, then reloads."""
        def submit() -> None:
            job = work()  # reads the dialog here, on the UI thread
            self.main.op(doing, lambda _p: job(), owner=self).success(
                lambda _r: self._done(dialog, said)).failure(dialog.refused).with_progress(
                f"正在{doing}…").run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _done(self, dialog: FormDialog, said: str) -> None:
        dialog.done_ok()
        self.changed.emit(said)
        self.load()

    def _who(self) -> str:
        return f"<b>{self.aid.head_name if self.aid else ''}户</b>"

    def assign(self) -> None:
        dialog = RecordDialog(HELPER_FORM, "指定帮扶责任人", self,
                              {"start_date": date.today()},
                              f"{self._who()}:新的帮扶责任人从开始日期起帮扶,原责任人于前一天"
                              "结束(记录保留)。", only=[f.name for f in HELPER_FORM.fields
                                                    if f.name != "end_date"])
        store, hid = self.store, self.household_id
        self._run(dialog, "指定帮扶责任人",
                  lambda: partial(access.assign_helper, store, [hid], dialog.raw()),
                  "已指定帮扶责任人")

    def end_helper(self) -> None:
        now = self.aid.current_helper if self.aid else None
        if now is None:
            return
        dialog = EndDialog("结束帮扶", f"{self._who()}:帮扶责任人 <b>{now.values['name']}</b>"
                           "的帮扶到此结束(记录保留)。", self)
        store = self.store
        self._run(dialog, "结束帮扶", lambda: partial(
            access.end_helper, store, now.id, dialog.on(), dialog.reason_text()), "已结束帮扶")

    def add_plan(self) -> None:
        dialog = RecordDialog(AID_PLAN_FORM, "添加帮扶计划", self,
                              {"year": date.today().year, "status": "1"},
                              f"{self._who()}:一项帮扶措施及其资金(按来源)。")
        store, hid = self.store, self.household_id
        self._run(dialog, "添加帮扶计划",
                  lambda: partial(access.add_plan, store, hid, dialog.raw()),
                  "已添加帮扶计划")

    def edit_plan(self) -> None:
        plan_id = selected_id(self.plans)
        plan = next((p for p in self.aid.plans if p.id == plan_id), None) if self.aid else None
        if plan is None or not self.edit_plan_button.isEnabled():
            self.changed.emit("请先在帮扶计划中选择一项")
            return
        dialog = RecordDialog(AID_PLAN_FORM, "修改帮扶计划", self, plan.values,
                              f"{self._who()}:随实施进展更新状态和帮扶成效。")
        store = self.store
        self._run(dialog, "修改帮扶计划",
                  lambda: partial(access.update_plan, store, plan.id, dialog.raw()),
                  "已修改帮扶计划")

    def edit_income(self) -> None:
        if not self.income_button.isEnabled():
            return
        year = selected_id(self.incomes)
        shown = next((i for i in self.aid.incomes if str(i.year) == year), None) \
            if self.aid else None
        values: dict[str, Any] = {"income_year": date.today().year - 1}
        if shown is not None:
            values = {"income_year": shown.year, **shown.values}
        dialog = RecordDialog(HOUSEHOLD_FORM, "录入年度收入", self, values,
                              f"{self._who()}:一个年度的收入;其他年度的记录保留。"
                              "人均纯收入按目前家庭人口计算,并与该年度扶贫标准比较。",
                              only=["income_year", *MONEY_FIELDS])
        store, hid = self.store, self.household_id

        def work() -> Any:
            raw = dialog.raw()
            return partial(access.set_income, store, hid, raw.pop("income_year"), raw)
        self._run(dialog, "保存年度收入", work, "已保存年度收入")

    # ---- 成员变更 ---------------------------------------------------------------------------
    def member_leaves(self, row: int, values: dict[str, Any]) -> None:
        dialog = MemberChangeDialog(LEAVE, self.aid.head_name if self.aid else "",
                                    self.editor, str(values.get("name") or ""))
        store, hid, member_id = self.store, self.household_id, str(values["id"])
        editor = self.editor

        def submit() -> None:
            reason, on, evidence = dialog.reason_code() or "", dialog.on(), dialog.evidence_text()
            self.main.op("记录减员", lambda _p: access.member_leaves(
                store, hid, member_id, reason, on, evidence), owner=self).success(
                lambda left: self._member_done(dialog, lambda: editor.member_left(row, left),
                                               "已记录减员")).failure(
                dialog.refused).with_progress("正在记录减员…").run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _member_done(self, dialog: FormDialog, apply: Any, said: str) -> None:
        dialog.done_ok()
        apply()
        self.changed.emit(said)
        self.load()

    def member_joins(self) -> None:
        dialog = MemberChangeDialog(JOIN, self.aid.head_name if self.aid else "", self.editor)
        store, hid, editor = self.store, self.household_id, self.editor

        def submit() -> None:
            reason, on, evidence = dialog.reason_code() or "", dialog.on(), dialog.evidence_text()
            raw = dialog.member_raw()
            self.main.op("记录增员", lambda _p: access.member_joins(
                store, hid, raw, reason, on, evidence), owner=self).success(
                lambda joined: self._member_done(dialog, lambda: editor.member_joined(joined),
                                                 "已记录增员")).failure(
                dialog.refused).with_progress("正在记录增员…").run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)


def install(window: MainWindow, editor: HouseholdEditor, household_id: str,
            read_only: bool) -> AidTab:
    """Adds the 帮扶 tab to an editor of a saved household and loads it."""
    tab = AidTab(window, editor, household_id, read_only)
    editor.tabs.addTab(tab, "帮扶")
    editor.aid_tab = tab
    tab.load()
    return tab
