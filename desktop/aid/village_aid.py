"""按村帮扶: a village's 结对帮扶 (the households that need a helper, each with its current
one; check many and assign one cadre to all at once; 只看无帮扶责任人的户), its 驻村工作队
(members, 第一书记 first; add, end) and its 村帮扶规划 (projects and funds by source)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.aid.lists import day, fill, plain_widths, selected_id, text_of
from desktop.aid.record_dialog import EndDialog, RecordDialog
from desktop.procedure.checked_rows import CheckedRowsModel
from desktop.procedure.form_dialog import FormDialog
from desktop.widgets.labels import hint
from desktop.widgets.places import village_box
from forms.aid import FUND_FIELDS, HELPER_FORM, TEAM_MEMBER_FORM, VILLAGE_PLAN_FORM
from registry.aid import access
from registry.aid.access import RosterRow, Row
from registry.aid.common import NOT_AT_COUNTY
from registry.households import not_owner
from registry.roles import Act
from registry.villages import Village

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


class RosterModel(CheckedRowsModel[RosterRow]):
    headers = ("", "组", "户主", "人口", "阶段", "帮扶责任人", "单位", "帮扶开始")
    right_aligned = frozenset({1, 3})

    def __init__(self) -> None:
        super().__init__()
        self._all: list[RosterRow] = []
        self.uncovered_only = False

    def set_rows(self, rows: list[RosterRow]) -> None:
        self.beginResetModel()
        self._all = rows
        self._filter()
        self.endResetModel()

    def set_uncovered_only(self, on: bool) -> None:
        self.beginResetModel()
        self.uncovered_only = on
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._rows = [r for r in self._all if not self.uncovered_only or not r.helper]
        self._checked &= {r.household_id for r in self._rows}

    def uncovered(self) -> int:
        return sum(1 for r in self._all if not r.helper)

    def cell(self, r: RosterRow, col: int) -> str:
        return ("", "" if r.group_no is None else f"{r.group_no}组", r.head_name, str(r.size),
                r.stage_label, r.helper or "(无)", r.helper_unit, day(r.since))[col]

    def extra(self, r: RosterRow, col: int, role: int) -> object:
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and not r.helper:
            from PySide6.QtGui import QColor  # noqa: PLC0415
            return QColor("#c62f2f")
        return None


class VillageAidDialog(QDialog):
    loaded = Signal(str)  # which list was (re)loaded: roster, team, plans
    dialog_opened = Signal(object)

    def __init__(self, window: MainWindow, villages: list[Village],
                 village_code: str | None = None) -> None:
        super().__init__(window)
        self.main = window
        self.store = window.workspace.store
        self.setObjectName("villageAid")
        self.setWindowTitle("按村帮扶:结对帮扶、驻村工作队、村帮扶规划")
        self.resize(1040, 660)
        self.allowed = not self.store.info.office and self.store.can(Act.AID)
        self.team_rows: list[Row] = []
        self.plan_rows: list[Row] = []
        self.dialog: FormDialog | None = None

        self.village = village_box(self, villages, village_code, self.store.info.kind)
        self.village.setObjectName("aidVillage")
        top = QHBoxLayout()
        top.addWidget(QLabel("行政村", self))
        top.addWidget(self.village)
        top.addStretch(1)
        if not self.allowed:
            # An office's aid records are its stations' (in the refusal's own words).
            note = hint(not_owner(self.store.info.kind, "的帮扶记录", NOT_AT_COUNTY)
                        if self.store.info.office
                        else f"当前用户的角色是{self.store.role_name},只能查看。", self)
            note.setWordWrap(True)
            if not self.store.info.office:
                note.setProperty("role", "error")
            top.addWidget(note)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._roster_page(), "结对帮扶")
        self.tabs.addTab(self._team_page(), "驻村工作队")
        self.tabs.addTab(self._plans_page(), "村帮扶规划")
        self.status = hint("", self)
        self.status.setObjectName("aidStatus")
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.village.currentIndexChanged.connect(lambda _i: self.load())

    def _button(self, text: str, slot: Any, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False: slot())
        button.setEnabled(self.allowed)
        if not self.allowed:
            button.setToolTip(f"当前用户的角色是{self.store.role_name},无权"
                              f"{Act.AID.value}")
        return button

    def _roster_page(self) -> QWidget:
        page = QWidget(self)
        self.roster = RosterModel()
        self.roster_view = QTableView(page)
        self.roster_view.setObjectName("rosterTable")
        self.roster_view.setModel(self.roster)
        self.roster_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.roster_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roster_view.setAlternatingRowColors(True)
        self.roster_view.verticalHeader().setVisible(False)
        self.roster_view.verticalHeader().setDefaultSectionSize(24)
        header = self.roster_view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        for col, width in enumerate((30, 48, 100, 48, 96, 100, 200)):
            self.roster_view.setColumnWidth(col, width)
        self.uncovered_only = QCheckBox("只看无帮扶责任人的户", page)
        self.uncovered_only.setObjectName("uncoveredOnly")
        self.uncovered_only.toggled.connect(self.roster.set_uncovered_only)
        check_all = QPushButton("全选", page)
        check_none = QPushButton("全不选", page)
        for b in (check_all, check_none):
            b.setAutoDefault(False)
        check_all.clicked.connect(lambda: self.roster.check_all(True))
        check_none.clicked.connect(lambda: self.roster.check_all(False))
        self.roster_count = QLabel("", page)
        self.roster_count.setObjectName("rosterCount")
        self.assign_button = self._button("为勾选的户指定帮扶责任人…", self.assign, page)
        self.assign_button.setObjectName("assignHelper")
        row = QHBoxLayout()
        row.addWidget(self.uncovered_only)
        row.addWidget(check_all)
        row.addWidget(check_none)
        if not self.allowed:  # nothing to tick households for
            for b in (check_all, check_none):
                b.hide()
            self.roster_view.setColumnHidden(0, True)
        row.addStretch(1)
        row.addWidget(self.roster_count)
        row.addWidget(self.assign_button)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.roster_view, 1)
        layout.addWidget(hint("已建档立卡(含退出程序中)的户都应有帮扶责任人;" + (
            "勾选多户后可一次指定同一名干部,各户原责任人于前一天结束。" if self.allowed
            else "选中“只看无帮扶责任人的户”可查出尚未结对的户。"), page))
        self.roster.dataChanged.connect(lambda *_: self._count())
        self.roster.modelReset.connect(self._count)
        return page

    def _team_page(self) -> QWidget:
        page = QWidget(self)
        self.team = plain_widths(page, ["姓名", "队内职务", "派出单位", "职务", "联系电话",
                                        "驻村开始", "驻村结束"], [90, 80, 200, 100, 110, 96])
        self.team.setObjectName("teamTable")
        add = self._button("添加队员…", self.add_team_member, page)
        add.setObjectName("addTeamMember")
        self.end_member_button = self._button("结束驻村…", self.end_team_member, page)
        facts = self._button("贫困村基本情况…", self.edit_village_facts, page)
        facts.setObjectName("editVillageFacts")
        row = QHBoxLayout()
        row.addWidget(hint("第一书记排在最前;已结束驻村的队员以灰色显示。", page), 1)
        row.addWidget(facts)
        row.addWidget(add)
        row.addWidget(self.end_member_button)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.team, 1)
        return page

    def _plans_page(self) -> QWidget:
        page = QWidget(self)
        headers = ["年度", "项目名称", "帮扶措施", "建设内容",
                   *[VILLAGE_PLAN_FORM[f].label for f in FUND_FIELDS], "资金合计",
                   "责任单位", "实施状态", "建设成效"]
        self.plans = plain_widths(page, headers,
                                  [48, 140, 100, 160, 84, 84, 84, 84, 96, 100, 70])
        self.plans.setObjectName("villagePlanTable")
        add = self._button("添加规划项目…", self.add_village_plan, page)
        add.setObjectName("addVillagePlan")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(add)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.plans, 1)
        return page

    # ---- loading -------------------------------------------------------------------------
    def village_code(self) -> str:
        return str(self.village.currentData())

    def load(self) -> None:
        store, code = self.store, self.village_code()

        def work(_p: object) -> tuple[list[RosterRow], list[Row], list[Row]]:
            return (access.village_roster(store, code), access.team(store, code),
                    access.village_plans(store, code))

        def done(result: tuple[list[RosterRow], list[Row], list[Row]]) -> None:
            roster, team, plans = result
            self.roster.set_rows(roster)
            self.team_rows, self.plan_rows = team, plans
            fill(self.team, [[text_of(TEAM_MEMBER_FORM, n, m.values.get(n)) for n in
                              ("name", "role", "unit", "title", "phone", "start_date",
                               "end_date")] for m in team], [m.id for m in team],
                 greyed=[not m.current for m in team])
            fields = ("year", "project", "measure", "content", *FUND_FIELDS, "funds",
                      "responsible", "status", "result")
            fill(self.plans, [[text_of(VILLAGE_PLAN_FORM, n, p.values.get(n)) for n in fields]
                              for p in plans], [p.id for p in plans],
                 right=frozenset(range(4, 5 + len(FUND_FIELDS))))
            self.loaded.emit("all")

        self.main.op("读取村帮扶情况", work, owner=self).success(done).run()

    def _count(self) -> None:
        said = f"共 {len(self.roster._all)} 户,其中无帮扶责任人 {self.roster.uncovered()} 户"
        if self.allowed:
            said += f";已勾选 {len(self.roster.checked())} 户"
        self.roster_count.setText(said)

    # ---- acts ----------------------------------------------------------------------------
    def _run(self, dialog: FormDialog, doing: str, work: Any, said: Any) -> None:
        def submit() -> None:
            job = work()  # reads the dialog here, on the UI thread
            self.main.op(doing, lambda _p: job(), owner=self).success(
                lambda r: self._done(dialog, said(r))).failure(dialog.refused).with_progress(
                f"正在{doing}…").run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _done(self, dialog: FormDialog, text: str) -> None:
        dialog.done_ok()
        self.status.setText(text)
        self.load()

    def assign(self) -> None:
        checked = self.roster.checked()
        if not checked:
            self.status.setText("请先勾选要结对的农户")
            return
        names = "、".join(r.head_name for r in checked[:10]) + (
            f" 等 {len(checked)} 户" if len(checked) > 10 else f"(共 {len(checked)} 户)")
        dialog = RecordDialog(HELPER_FORM, "指定帮扶责任人", self, {"start_date": date.today()},
                              f"<b>{self.village.currentText()}</b>:{names}<br>同一名干部"
                              "帮扶以上各户;各户原责任人于开始日期前一天结束。",
                              only=[f.name for f in HELPER_FORM.fields if f.name != "end_date"])
        store, ids = self.store, [r.household_id for r in checked]
        self._run(dialog, "指定帮扶责任人",
                  lambda: partial(access.assign_helper, store, ids, dialog.raw()),
                  lambda n: f"已为 {n} 户指定帮扶责任人")

    def add_team_member(self) -> None:
        dialog = RecordDialog(TEAM_MEMBER_FORM, "添加驻村工作队队员", self,
                              {"start_date": date.today(), "role": "3"},
                              f"<b>{self.village.currentText()}</b>驻村工作队",
                              only=[f.name for f in TEAM_MEMBER_FORM.fields
                                    if f.name != "end_date"])
        store, code = self.store, self.village_code()
        self._run(dialog, "添加驻村工作队队员",
                  lambda: partial(access.add_team_member, store, code, dialog.raw()),
                  lambda _r: "已添加驻村工作队队员")

    def end_team_member(self) -> None:
        member_id = selected_id(self.team)
        member = next((m for m in self.team_rows if m.id == member_id), None)
        if member is None or not member.current:
            self.status.setText("请先选择一名仍在驻村的队员")
            return
        dialog = EndDialog("结束驻村", f"队员 <b>{member.values['name']}</b> 结束驻村"
                           "(记录保留)。", self, with_reason=False)
        store = self.store
        self._run(dialog, "结束驻村", lambda: partial(access.end_team_member, store,
                                                                  member.id, dialog.on()),
                  lambda _r: "已结束驻村")

    def edit_village_facts(self) -> None:
        from desktop.aid.village_facts import edit_village_facts  # noqa: PLC0415

        edit_village_facts(self)

    def add_village_plan(self) -> None:
        dialog = RecordDialog(VILLAGE_PLAN_FORM, "添加村帮扶规划项目", self,
                              {"year": date.today().year, "status": "1"},
                              f"<b>{self.village.currentText()}</b>帮扶规划:项目及资金(按来源)")
        store, code = self.store, self.village_code()
        self._run(dialog, "添加村帮扶规划", lambda: partial(access.add_village_plan,
                                                                      store, code, dialog.raw()),
                  lambda _r: "已添加村帮扶规划项目")
