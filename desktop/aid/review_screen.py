"""年度动态调整: choose an opened review year (管理员: 开启年度…) and a village; its registered
households with the year's income against the year's line, checklist items met and the
proposal; per household the 两不愁三保障 checklist, the proposal (脱贫 / 继续帮扶 / 返贫), the
year's income (录入…) and the member changes (减员…, 增员…)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.aid.lists import money
from desktop.aid.member_change import JOIN, LEAVE, MemberChangeDialog
from desktop.aid.record_dialog import RecordDialog
from desktop.procedure.form_dialog import FormDialog
from desktop.widgets.labels import hint
from desktop.widgets.places import village_box
from desktop.widgets.tables import ListModel
from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from registry.aid import access
from registry.aid.access import HouseholdAid, ReviewDetail
from registry.aid.incomes import MONEY_FIELDS
from registry.aid.review import ReviewRow
from registry.roles import Act
from registry.villages import Village

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

HEADERS = ("组", "户主", "人口", "阶段", "脱贫状态", "当年人均纯收入", "当年扶贫标准", "线上/线下",
           "核查达标", "调整意见")
IdRole = Qt.ItemDataRole.UserRole + 1


class ReviewModel(ListModel[ReviewRow]):
    headers = HEADERS

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r, col = self.row(index.row()), index.column()
        if role == IdRole:
            return r.household_id
        if role == Qt.ItemDataRole.DisplayRole:
            side = {True: "线上", False: "线下"}.get(r.above_line, "—") \
                if r.above_line is not None else "—"
            return ("" if r.group_no is None else f"{r.group_no}组", r.head_name, str(r.size),
                    r.stage_label, r.status_label, money(r.per_capita) or "未填",
                    money(r.line) or "—", side,
                    f"{r.met}/{r.items}", r.proposal_label)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 7 and r.above_line is False:
            return QColor("#c62f2f")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class OpenYearDialog(FormDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__("开启年度动态调整", parent,
                         "开启后,各村可逐户填写该年度的两不愁三保障核查和调整意见。",
                         ok_text="开启")
        self.setObjectName("openYearDialog")
        self.year = QSpinBox(self)
        self.year.setRange(2014, date.today().year)
        self.year.setValue(date.today().year)
        self.year.setSuffix(" 年")
        self.year.setFixedWidth(110)
        self.add_row("year", "年度*", self.year)


class ReviewDialog(QDialog):
    loaded = Signal(int)  # rows of the list
    detail_loaded = Signal(object)  # ReviewDetail
    dialog_opened = Signal(object)
    saved = Signal(str)

    def __init__(self, window: MainWindow, villages: list[Village],
                 village_code: str | None = None) -> None:
        super().__init__(window)
        self.main = window
        self.store = window.workspace.store
        self.setObjectName("reviewScreen")
        self.setWindowTitle("年度动态调整")
        self.resize(1180, 680)
        self.allowed = not self.store.info.office and self.store.can(Act.AID)
        self.may_change_members = (not self.store.info.office
                                   and self.store.can(Act.EDIT_HOUSEHOLDS))
        self.detail: ReviewDetail | None = None
        self.aid: HouseholdAid | None = None
        self.dialog: FormDialog | None = None
        self.checks: dict[str, QCheckBox] = {}

        self.year = QComboBox(self)
        self.year.setObjectName("reviewYear")
        self.year.setMinimumWidth(100)
        self.open_button = QPushButton("开启年度…", self)
        self.open_button.setObjectName("openYear")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_year)
        may_open = not self.store.info.office and self.store.can(Act.OPEN_REVIEW_YEAR)
        self.open_button.setEnabled(may_open)
        if self.store.info.office:
            self.open_button.setToolTip("年度动态调整由各乡镇工作站开启,核查结果随数据包报送")
        elif not may_open:
            self.open_button.setToolTip(f"当前用户的角色是{self.store.role_name},无权"
                                        f"{Act.OPEN_REVIEW_YEAR.value}(需要管理员)")
        self.village = village_box(self, villages, village_code, self.store.info.kind)
        self.village.setObjectName("reviewVillage")
        self.count = QLabel("", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度", self))
        top.addWidget(self.year)
        top.addWidget(self.open_button)
        top.addSpacing(16)
        top.addWidget(QLabel("行政村", self))
        top.addWidget(self.village)
        top.addStretch(1)
        top.addWidget(self.count)

        self.model = ReviewModel()
        self.table = QTableView(self)
        self.table.setObjectName("reviewTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((44, 76, 40, 90, 64, 104, 96, 70, 64)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.load_detail())

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self._detail_panel())
        split.setSizes([740, 420])
        split.setChildrenCollapsible(False)

        self.status = hint("", self)
        self.status.setObjectName("reviewStatus")
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.year.currentIndexChanged.connect(lambda _i: self.load())
        self.village.currentIndexChanged.connect(lambda _i: self.load())

    def _detail_panel(self) -> QWidget:
        panel = QWidget(self)
        self.who = QLabel("在左侧选择一户", panel)
        self.who.setObjectName("reviewWho")
        self.who.setWordWrap(True)
        self.checklist_box = QGroupBox("两不愁三保障", panel)
        self.checklist_layout = QVBoxLayout(self.checklist_box)
        self.proposal = QComboBox(panel)
        self.proposal.setObjectName("proposal")
        self.proposal.addItem("(暂不提出)", None)
        for c in cl.REVIEW_PROPOSAL.choices:
            self.proposal.addItem(c.label, c.code)
        self.note = QLineEdit(panel)
        self.note.setObjectName("reviewNote")
        self.note.setPlaceholderText("备注(可不填)")
        self.note.setMaxLength(200)
        self.income = QLabel("", panel)
        self.income.setObjectName("reviewIncome")
        self.income.setWordWrap(True)
        self.save_button = QPushButton("保存本户核查", panel)
        self.save_button.setObjectName("saveReview")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_review)
        self.income_button = QPushButton("录入当年收入…", panel)
        self.income_button.setAutoDefault(False)
        self.income_button.clicked.connect(self.edit_income)
        self.member = QComboBox(panel)
        self.member.setObjectName("leavingMember")
        self.leave_button = QPushButton("减员…", panel)
        self.leave_button.setObjectName("leaveButton")
        self.leave_button.setAutoDefault(False)
        self.leave_button.clicked.connect(self.member_leaves)
        self.join_button = QPushButton("增员…", panel)
        self.join_button.setObjectName("joinButton")
        self.join_button.setAutoDefault(False)
        self.join_button.clicked.connect(self.member_joins)
        proposal_row = QHBoxLayout()
        proposal_row.addWidget(QLabel("调整意见", panel))
        proposal_row.addWidget(self.proposal, 1)
        income_row = QHBoxLayout()
        income_row.addWidget(self.income, 1)
        income_row.addWidget(self.income_button)
        members_box = QGroupBox("成员变更", panel)
        members_row = QHBoxLayout(members_box)
        members_row.addWidget(self.member, 1)
        members_row.addWidget(self.leave_button)
        members_row.addWidget(self.join_button)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.who)
        layout.addLayout(income_row)
        layout.addWidget(self.checklist_box)
        layout.addLayout(proposal_row)
        layout.addWidget(self.note)
        layout.addWidget(self.save_button)
        layout.addWidget(members_box)
        layout.addStretch(1)
        self._enable(False)
        return panel

    def _enable(self, on: bool) -> None:
        for w in (self.proposal, self.note, self.save_button, self.income_button):
            w.setEnabled(on and self.allowed)
        for w in (self.member, self.leave_button, self.join_button):
            w.setEnabled(on and self.may_change_members)
        for c in self.checks.values():
            c.setEnabled(on and self.allowed)

    # ---- loading -------------------------------------------------------------------------
    def start(self) -> None:
        """Reads the opened years, then the list."""
        store = self.store
        self.main.op("读取年度", lambda _p: access.open_years(store), owner=self).success(
            self._years).run()

    def _years(self, years: list[int], chosen: int | None = None) -> None:
        self.year.blockSignals(True)
        self.year.clear()
        for y in years:
            self.year.addItem(f"{y} 年", y)
        if chosen is not None:
            self.year.setCurrentIndex(max(0, self.year.findData(chosen)))
        self.year.blockSignals(False)
        if not years and self.store.info.office:
            self.status.setText("各乡镇尚未报送年度动态调整的核查结果")
        elif not years:
            self.status.setText("尚未开启任何年度的动态调整"
                                + (",请先“开启年度…”" if self.open_button.isEnabled()
                                   else ",请管理员开启"))
        self.load()

    def chosen_year(self) -> int | None:
        y = self.year.currentData()
        return int(y) if y is not None else None

    def load(self) -> None:
        year, code = self.chosen_year(), self.village.currentData()
        if year is None or code is None:
            self.model.set_rows([])
            self.loaded.emit(0)
            return
        store = self.store

        def done(rows: list[ReviewRow]) -> None:
            selected = self.detail.household_id if self.detail else None
            self.model.set_rows(rows)
            below = sum(1 for r in rows if r.above_line is False)
            reviewed = sum(1 for r in rows if r.met or r.proposal)
            self.count.setText(f"共 {len(rows)} 户,已核查 {reviewed} 户,当年收入在线下 "
                               f"{below} 户")
            row = next((i for i, r in enumerate(rows) if r.household_id == selected), -1)
            if row >= 0:
                self.table.selectRow(row)
            self.loaded.emit(len(rows))

        self.main.op("读取年度调整名单", lambda _p: access.review_list(
            store, str(code), year), owner=self).success(done).run()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(rows[0].data(IdRole)) if rows else None

    def load_detail(self) -> None:
        hid, year = self.selected_id(), self.chosen_year()
        if hid is None or year is None:
            return
        store = self.store

        def work(_p: object) -> tuple[ReviewDetail, HouseholdAid]:
            return access.review_detail(store, hid, year), access.household_aid(store, hid)

        self.main.op("读取本户核查", work, owner=self).success(self._show_detail).run()

    def _show_detail(self, result: tuple[ReviewDetail, HouseholdAid]) -> None:
        detail, aid = result
        if detail.household_id != self.selected_id():
            return
        self.detail, self.aid = detail, aid
        self.who.setText(f"<b>{detail.head_name}户</b>  {detail.year} 年度 · 阶段:"
                         f"{aid.stage_label} · 脱贫状态:{aid.status or '—'}")
        i = detail.income
        self.income.setText(f"{detail.year}年人均纯收入 <b>{money(i.per_capita)}</b> 元,"
                            f"{i.standing}" if i is not None and i.per_capita is not None
                            else f"<span style='color:#c62f2f'>没有{detail.year}年的收入记录"
                                 "</span>")
        self.checklist_box.setTitle(detail.checklist_name)
        for c in self.checks.values():
            c.deleteLater()
        self.checks = {}
        for key, label, tip in detail.items:
            check = QCheckBox(label, self.checklist_box)
            check.setObjectName(f"check_{key}")
            check.setToolTip(tip)
            check.setChecked(detail.answers.get(key) is True)
            self.checklist_layout.addWidget(check)
            self.checks[key] = check
        self.proposal.setCurrentIndex(max(0, self.proposal.findData(detail.proposal)))
        self.note.setText(detail.note)
        self.member.clear()
        for m in aid.members:
            relation = cl.RELATION.label_of(m["relation"]) if m.get("relation") else ""
            self.member.addItem(f"{m.get('name') or ''}({relation})", m["id"])
        self._enable(True)
        self.detail_loaded.emit(detail)

    # ---- acts ----------------------------------------------------------------------------
    def open_year(self) -> None:
        dialog = OpenYearDialog(self)
        store = self.store

        def submit() -> None:
            year = dialog.year.value()
            self.main.op("开启年度", lambda _p: (access.open_year(store, year),
                                                access.open_years(store)), owner=self).success(
                lambda r: self._opened(dialog, *r)).failure(dialog.refused).run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _opened(self, dialog: FormDialog, year: int, years: list[int]) -> None:
        dialog.done_ok()
        self.status.setText(f"已开启 {year} 年度动态调整")
        self._years(years, year)

    def save_review(self) -> None:
        if self.detail is None:
            return
        store, hid, year = self.store, self.detail.household_id, self.detail.year
        answers = {k: c.isChecked() for k, c in self.checks.items()}
        proposal = self.proposal.currentData()
        note = self.note.text()

        def done(_r: object) -> None:
            self.status.setText(f"已保存{self.detail.head_name if self.detail else ''}户"
                                f"{year}年度核查")
            self.saved.emit(hid)
            self.load()

        def failed(error: BaseException) -> None:
            from registry import failures  # noqa: PLC0415
            self.status.setText(failures.user_message(error))
            self.status.setProperty("role", "error")
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)

        self.status.setProperty("role", "hint")
        self.main.op("保存年度核查", lambda _p: access.set_review(
            store, hid, year, answers, proposal, note), owner=self).success(done).failure(
                failed).run()

    def _run(self, dialog: FormDialog, doing: str, work: Any, said: str) -> None:
        def submit() -> None:
            job = work()  # reads the dialog here, on the UI thread
            self.main.op(doing, lambda _p: job(), owner=self).success(
                lambda _r: self._done(dialog, said)).failure(dialog.refused).run()
        dialog.submitted.connect(submit)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _done(self, dialog: FormDialog, said: str) -> None:
        dialog.done_ok()
        self.status.setText(said)
        self.load()
        self.load_detail()

    def edit_income(self) -> None:
        if self.detail is None:
            return
        i = self.detail.income
        values: dict[str, Any] = {"income_year": self.detail.year,
                                  **(i.values if i is not None else {})}
        dialog = RecordDialog(HOUSEHOLD_FORM, "录入年度收入", self, values,
                              f"<b>{self.detail.head_name}户</b>:{self.detail.year} 年度收入"
                              "(其他年度的记录保留)。", only=["income_year", *MONEY_FIELDS])
        store, hid = self.store, self.detail.household_id

        def work() -> Any:
            raw = dialog.raw()
            return partial(access.set_income, store, hid, raw.pop("income_year"), raw)
        self._run(dialog, "保存年度收入", work, "已保存年度收入")

    def member_leaves(self) -> None:
        if self.detail is None or self.member.currentData() is None:
            return
        dialog = MemberChangeDialog(LEAVE, self.detail.head_name, self,
                                    self.member.currentText())
        store, hid, mid = self.store, self.detail.household_id, str(self.member.currentData())
        self._run(dialog, "记录减员", lambda: partial(
            access.member_leaves, store, hid, mid, dialog.reason_code() or "", dialog.on(),
            dialog.evidence_text()),
            "已记录减员")

    def member_joins(self) -> None:
        if self.detail is None:
            return
        dialog = MemberChangeDialog(JOIN, self.detail.head_name, self)
        store, hid = self.store, self.detail.household_id
        self._run(dialog, "记录增员", lambda: partial(
            access.member_joins, store, hid, dialog.member_raw(), dialog.reason_code() or "",
            dialog.on(), dialog.evidence_text()), "已记录增员")
