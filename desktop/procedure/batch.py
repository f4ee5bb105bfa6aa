"""按村办理: a village's households with their stage, checked by hand or by stage, and the
steps recorded for the checked ones as clerks do it — 民主评议, 入户核实, 发起第一次公示
(then its poster), 乡镇审核 (规模 shown, override when over), 发起第二次公示, 建档立卡.
The track switch (识别 / 退出) shows the exit steps instead: 拟退出 (refused, naming what is
missing), 退出民主评议, 贫困户认可, 发起退出公示 (its end in 到期公示), 乡镇审核退出, 销号,
and 返贫 (reason and evidence).

What the user's role may not do is greyed out (store.can); the core refuses anyway, and a
refusal is said in the step's dialog, which stays open with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.main_window import MainWindow
from desktop.procedure import printing
from desktop.procedure.batch_model import (
    COL_CHECK,
    COL_GROUP,
    COL_HEAD,
    COL_ID,
    COL_SIZE,
    BatchModel,
)
from desktop.procedure.form_dialog import FormDialog
from desktop.procedure.step_dialogs import (
    EvaluateDialog,
    ExitAgreeDialog,
    ExitCloseDialog,
    ExitProposeDialog,
    ExitReviewDialog,
    NoticeDialog,
    RegisterDialog,
    RelapseDialog,
    StepDialog,
    TownshipReviewDialog,
    VerifyDialog,
)
from desktop.widgets.labels import hint
from forms import codelists as cl
from registry.procedure import access
from registry.procedure.access import BatchRow, OpenedNotice, QuotaLine
from registry.procedure.notices import EXIT, FIRST, KIND_NAMES, SECOND
from registry.procedure.steps import STEPS
from registry.progress import Progress
from registry.roles import Act
from registry.villages import Village

T = TypeVar("T")

# (key, button text, the act it needs, the stage the households wait at)
ACTIONS: tuple[tuple[str, str, Act, str], ...] = (
    ("evaluate", "民主评议…", Act.VILLAGE_STEPS, "10"),
    ("verify", "入户核实…", Act.VILLAGE_STEPS, "20"),
    ("first_notice", "发起第一次公示…", Act.VILLAGE_STEPS, "25"),
    ("township_review", "乡镇审核…", Act.TOWNSHIP_STEPS, "35"),
    ("second_notice", "发起第二次公示…", Act.TOWNSHIP_STEPS, "40"),
    ("register", "建档立卡…", Act.TOWNSHIP_STEPS, "70"),
)
EXIT_ACTIONS: tuple[tuple[str, str, Act, str], ...] = (
    ("exit_propose", "拟退出…", Act.VILLAGE_STEPS, "80"),
    ("exit_evaluate", "退出民主评议…", Act.VILLAGE_STEPS, "82"),
    ("exit_agree", "贫困户认可…", Act.VILLAGE_STEPS, "83"),
    ("exit_notice", "发起退出公示…", Act.VILLAGE_STEPS, "84"),
    ("relapse", "返贫…", Act.VILLAGE_STEPS, "95"),
    ("exit_township_review", "乡镇审核退出…", Act.TOWNSHIP_STEPS, "86"),
    ("exit_close", "销号…", Act.TOWNSHIP_STEPS, "89"),
)
EXIT_KEYS = frozenset(key for key, *_ in EXIT_ACTIONS)
IDENTIFY, EXIT_TRACK = "identify", "exit"
# The stages each track's filter offers (the exit track: 已建档立卡 and after).
EXIT_STAGE_CODES = ("80", "82", "83", "84", "85", "86", "87", "88", "89", "95")
ALL_VILLAGES = ""  # the village combo's "whole township" entry


class VillageBatchDialog(QDialog):
    loaded = Signal(int)  # rows shown (tests wait for it)
    recorded = Signal(str)  # a step or notice was recorded (its key)
    step_dialog_opened = Signal(object)  # the FormDialog (tests fill it in)
    notices_requested = Signal()  # 结束退出公示: the 到期公示 screen

    def __init__(self, window: MainWindow, villages: list[Village],
                 village_code: str | None = None) -> None:
        super().__init__(window)
        self.main = window
        self.store = window.workspace.store
        self.setObjectName("villageBatch")
        self.setWindowTitle("按村办理识别程序")
        self.resize(980, 640)
        self.villages = villages
        self.form: FormDialog | None = None
        self.last_notice: OpenedNotice | None = None

        self.village = QComboBox(self)
        self.village.setObjectName("batchVillage")
        self.village.setMinimumWidth(180)
        for v in villages:
            self.village.addItem(v.name, v.code)
        self.village.addItem(f"全乡镇({self.store.info.region_name})", ALL_VILLAGES)
        if village_code is not None:
            self.village.setCurrentIndex(max(0, self.village.findData(village_code)))
        self.track = QComboBox(self)
        self.track.setObjectName("batchTrack")
        self.track.addItem("精准识别", IDENTIFY)
        self.track.addItem("脱贫退出 / 返贫", EXIT_TRACK)
        self.stage = QComboBox(self)
        self.stage.setObjectName("batchStage")
        self._fill_stages()
        self.check_all = QPushButton("全选", self)
        self.check_none = QPushButton("全不选", self)
        for b in (self.check_all, self.check_none):
            b.setAutoDefault(False)
        self.checked_label = QLabel("", self)
        self.checked_label.setObjectName("checkedCount")

        top = QHBoxLayout()
        top.addWidget(QLabel("行政村", self))
        top.addWidget(self.village)
        top.addSpacing(12)
        top.addWidget(QLabel("程序", self))
        top.addWidget(self.track)
        top.addSpacing(12)
        top.addWidget(QLabel("阶段", self))
        top.addWidget(self.stage)
        top.addSpacing(12)
        top.addWidget(self.check_all)
        top.addWidget(self.check_none)
        top.addStretch(1)

        self.model = BatchModel()
        self.table = QTableView(self)
        self.table.setObjectName("batchTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(COL_CHECK, QHeaderView.ResizeMode.Fixed)
        for col, width in ((COL_CHECK, 30), (COL_GROUP, 48), (COL_HEAD, 110), (COL_ID, 170),
                           (COL_SIZE, 48)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._toggle_row)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self.table, self._toggle_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)

        self.buttons: dict[str, QPushButton] = {}
        village_box = QGroupBox("村级(村两委、驻村工作队)", self)
        township_box = QGroupBox("乡镇", self)
        exit_village_box = QGroupBox("村级:脱贫退出、返贫", self)
        exit_township_box = QGroupBox("乡镇", self)
        self.track_boxes = {IDENTIFY: (village_box, township_box),
                            EXIT_TRACK: (exit_village_box, exit_township_box)}
        rows = {Act.VILLAGE_STEPS: QHBoxLayout(village_box),
                Act.TOWNSHIP_STEPS: QHBoxLayout(township_box)}
        exit_rows = {Act.VILLAGE_STEPS: QHBoxLayout(exit_village_box),
                     Act.TOWNSHIP_STEPS: QHBoxLayout(exit_township_box)}
        for key, text, act, _stage in (*ACTIONS, *EXIT_ACTIONS):
            button = QPushButton(text, self)
            button.setObjectName(f"action_{key}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, key=key: self.start(key))
            allowed = self.store.can(act)
            button.setEnabled(allowed)
            if not allowed:
                button.setToolTip(f"当前用户的角色是{self.store.role_name},无权"
                                  f"{act.value}")
            (exit_rows if key in EXIT_KEYS else rows)[act].addWidget(button)
            self.buttons[key] = button
        self.end_notices = QPushButton("结束退出公示…", self)
        self.end_notices.setObjectName("action_end_exit_notice")
        self.end_notices.setAutoDefault(False)
        self.end_notices.setToolTip("期满的退出公示在“到期公示”中登记异议并结束")
        self.end_notices.clicked.connect(self.notices_requested.emit)
        exit_rows[Act.VILLAGE_STEPS].insertWidget(4, self.end_notices)
        for row in (*rows.values(), *exit_rows.values()):
            row.addStretch(1)
        may_record = [act for act in rows if self.store.can(act)]
        self.role_note = hint(f"当前用户的角色是{self.store.role_name}:只能查看各户所处阶段,"
                              "不能记录识别程序(需要审核员或管理员)。", self)
        self.role_note.setProperty("role", "error")
        self.role_note.setVisible(not may_record)
        actions = QHBoxLayout()
        actions.addWidget(village_box, 1)
        actions.addWidget(township_box, 1)
        actions.addWidget(exit_village_box, 3)
        actions.addWidget(exit_township_box, 1)
        self._show_track()

        self.status = hint("", self)
        self.status.setObjectName("batchStatus")
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        under = QHBoxLayout()
        under.addWidget(hint("勾选农户后选择要记录的步骤;按阶段筛选后“全选”即选中该阶段的全部"
                             "农户。空格键勾选/取消所选行。", self), 1)
        under.addWidget(self.checked_label)
        layout.addLayout(under)
        layout.addWidget(self.role_note)
        layout.addLayout(actions)
        layout.addLayout(bottom)

        self.village.currentIndexChanged.connect(lambda _i: self.load())
        self.stage.currentIndexChanged.connect(lambda _i: self._stage_changed())
        self.track.currentIndexChanged.connect(lambda _i: self._track_changed())
        self.check_all.clicked.connect(lambda: self.model.check_all(True))
        self.check_none.clicked.connect(lambda: self.model.check_all(False))
        self.model.dataChanged.connect(lambda *_: self._update_counts())
        self.model.modelReset.connect(self._update_counts)
        self._update_counts()

    # ---- loading ------------------------------------------------------------------------
    def village_code(self) -> str:
        """The chosen village, or the township's code for the whole township."""
        code = self.village.currentData()
        return str(code) if code else self.store.info.region_code

    def _op(self, doing: str, work: Callable[[Progress], T]) -> Any:
        return self.main.op(doing, work, owner=self)

    def load(self) -> None:
        store, code = self.store, self.village_code()

        def done(rows: list[BatchRow]) -> None:
            self.model.set_rows(rows)
            self.loaded.emit(self.model.rowCount())

        self._op("读取村内农户", lambda _p: access.village_batch(store, code)).success(
            done).run()

    def _fill_stages(self) -> None:
        exit_track = self.track.currentData() == EXIT_TRACK
        self.stage.blockSignals(True)
        self.stage.clear()
        self.stage.addItem("全部阶段", None)
        for choice in cl.STAGE.choices:
            if (choice.code in EXIT_STAGE_CODES) == exit_track or choice.code == "80":
                self.stage.addItem(choice.label, choice.code)
        self.stage.blockSignals(False)

    def _show_track(self) -> None:
        track = self.track.currentData()
        for key, boxes in self.track_boxes.items():
            for box in boxes:
                box.setVisible(key == track)
        self.setWindowTitle("按村办理退出程序" if track == EXIT_TRACK else "按村办理识别程序")

    def _track_changed(self) -> None:
        self._fill_stages()
        self._show_track()
        self._stage_changed()

    def _stage_changed(self) -> None:
        self.model.set_stage(self.stage.currentData())

    def _toggle_row(self, index: Any) -> None:
        row = self.model.row(index.row())
        on = row not in self.model.checked()
        self.model.set_checked([row.household_id], on)

    def _toggle_selected(self) -> None:
        rows = [self.model.row(i.row()) for i in self.table.selectionModel().selectedRows()]
        if not rows:
            return
        checked = {r.household_id for r in self.model.checked()}
        on = any(r.household_id not in checked for r in rows)
        self.model.set_checked([r.household_id for r in rows], on)

    def _update_counts(self) -> None:
        checked = self.model.checked()
        by_stage: dict[str, int] = {}
        for r in checked:
            by_stage[r.stage_name] = by_stage.get(r.stage_name, 0) + 1
        parts = "、".join(f"{name} {n}" for name, n in by_stage.items())
        self.checked_label.setText(f"共 {self.model.rowCount()} 户,已勾选 {len(checked)} 户"
                                   + (f"({parts})" if parts else ""))

    # ---- the steps ----------------------------------------------------------------------
    def start(self, key: str) -> None:
        """Opens the dialog of step `key` for the checked households."""
        checked = self.model.checked()
        if not checked:
            self._say("请先勾选要办理的农户")
            return
        ids = [r.household_id for r in checked]
        names = [r.head_name for r in checked]
        if key == "first_notice":
            code = self.village.currentData()
            if not code:
                self._say("第一次公示在行政村进行:请先在上方选择一个村")
                return
            self._open_notice_dialog(FIRST, str(code), self.village.currentText(), ids, names)
        elif key == "second_notice":
            self._open_notice_dialog(SECOND, self.store.info.region_code,
                                     self.store.info.region_name, ids, names)
        elif key == "township_review":
            self._open_review_dialog(ids, names, checked)
        elif key == "exit_notice":
            code = self.village.currentData()
            if not code:
                self._say("退出公示在行政村进行:请先在上方选择一个村")
                return
            self._open_notice_dialog(EXIT, str(code), self.village.currentText(), ids, names)
        elif key in EXIT_KEYS:
            exit_dialog: StepDialog = (
                ExitProposeDialog(names, self) if key == "exit_propose"
                else EvaluateDialog(names, self, "exit_evaluate") if key == "exit_evaluate"
                else ExitAgreeDialog(names, self) if key == "exit_agree"
                else ExitReviewDialog(names, self.store.user, self) if key == "exit_township_review"
                else ExitCloseDialog(names, self) if key == "exit_close"
                else RelapseDialog(names, self))
            self._run_step_dialog(exit_dialog, ids)
        else:
            dialog: StepDialog = (EvaluateDialog(names, self) if key == "evaluate"
                                  else VerifyDialog(names, self) if key == "verify"
                                  else RegisterDialog(names, self))
            self._run_step_dialog(dialog, ids)

    def _show(self, dialog: FormDialog) -> None:
        self.form = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._form_closed(dialog))
        dialog.open()
        self.step_dialog_opened.emit(dialog)

    def _form_closed(self, dialog: FormDialog) -> None:
        if self.form is dialog:
            self.form = None

    def _run_step_dialog(self, dialog: StepDialog, ids: list[str],
                         override: Callable[[], str | None] = lambda: None) -> None:
        store, key = self.store, dialog.step.key

        def submit() -> None:
            on, result, reason, facts = (dialog.on(), dialog.chosen_result(),
                                         dialog.reason_text(), dialog.facts())
            why = override()
            self._op(f"记录{STEPS[key].name}", lambda _p: access.record_step(
                store, key, ids, on, result, reason, facts, why)).success(
                lambda done: self._recorded(dialog, key, f"已记录{STEPS[key].name}:"
                                                         f"{len(done)} 户")).failure(
                dialog.refused).with_progress(f"正在记录{STEPS[key].name}…").run()

        dialog.submitted.connect(submit)
        self._show(dialog)

    def _open_review_dialog(self, ids: list[str], names: list[str],
                            checked: list[BatchRow]) -> None:
        store = self.store
        township = store.info.region_code
        villages = [self.village_code()] if self.village.currentData() else []

        def show(usage: list[QuotaLine]) -> None:
            dialog = TownshipReviewDialog(names, store.user, usage, self)
            self._run_step_dialog(dialog, ids, dialog.override_text)

        self._op("读取规模", lambda _p: access.quota_usage(store, [township, *villages])
                 ).success(show).run()

    def _open_notice_dialog(self, kind: str, region_code: str, region_name: str,
                            ids: list[str], names: list[str]) -> None:
        store = self.store
        dialog = NoticeDialog(kind, region_name, names, self)

        def submit() -> None:
            start, days = dialog.start_date(), dialog.days.value()
            self._op(f"发起{KIND_NAMES[kind]}", lambda _p: access.open_notice(
                store, kind, region_code, ids, start, days)).success(
                lambda n: self._notice_opened(dialog, n)).failure(
                dialog.refused).with_progress(f"正在发起{KIND_NAMES[kind]}…").run()

        dialog.submitted.connect(submit)
        self._show(dialog)

    def _notice_opened(self, dialog: FormDialog, notice: OpenedNotice) -> None:
        self.last_notice = notice
        key = {FIRST: "first_notice", SECOND: "second_notice"}.get(notice.kind, "exit_notice")
        self._recorded(dialog, key, f"已发起{KIND_NAMES[notice.kind]} {notice.number}:"
                                    f"{notice.households} 户,{notice.start_date} 至 "
                                    f"{notice.end_date}")
        self.offer_print(notice)

    def offer_print(self, notice: OpenedNotice) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, f"{KIND_NAMES[notice.kind]}已发起",
                          f"公示编号 {notice.number},共 {notice.households} 户,"
                          f"公示期 {notice.start_date} 至 {notice.end_date}。\n\n"
                          "现在打印公示海报吗?(海报只列出这次公示的农户)",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("printOffer")
        print_button = box.addButton("打印公示…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("以后再打印", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_r: int) -> None:
            if box.clickedButton() is print_button:
                printing.print_job(self.main, f"{KIND_NAMES[notice.kind]} {notice.number}",
                                   printing.notice_job(notice.number), self)

        box.finished.connect(answered)
        box.open()
        self.print_offer = box

    def _recorded(self, dialog: FormDialog, key: str, text: str) -> None:
        dialog.done_ok()
        self._say(text)
        self.main.refresh()
        self.load()
        self.recorded.emit(key)

    def _say(self, text: str) -> None:
        self.status.setText(text)
