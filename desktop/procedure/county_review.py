"""县复审 at the county: the queue of households its townships sent after their second
notice, per township, with their steps and 抽查 status; 抽查 (a random share, each checked
and recorded), 审定 of the checked households under a 文号 (规模 used shown; over it, the
reason), 退回 with a reason, and 公告 of a 文号 (then its poster).
A 识别 / 退出 switch shows the other queue (track=county.EXIT): the households at
乡镇审核退出, 抽查 the same way, 审定退出 under a 文号 (no 规模: an exit frees a place),
退回 with a reason, and the 退出公告 with its poster.

The households stay the townships' (read-only here); the county writes only its decisions,
which travel back in the return bundle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.main_window import MainWindow
from desktop.procedure import printing
from desktop.procedure.checked_rows import COL_CHECK, CheckedRowsModel
from desktop.procedure.form_dialog import FormDialog, date_edit, date_of, households_text
from desktop.procedure.step_dialogs import text_box
from desktop.widgets.labels import hint
from registry.errors import QuotaExceeded
from registry.procedure import access
from registry.procedure.access import QuotaLine
from registry.procedure.county import (
    EXIT,
    FAILED,
    IDENTIFY,
    MAX_REF,
    PASSED,
    PENDING,
    SAMPLE_NAMES,
    TRACKS,
    QueueRow,
)
from registry.roles import Act

HEADERS = ("", "乡镇", "行政村", "户主", "人口", "程序步骤", "最近一步", "抽查")
COL_TOWNSHIP, COL_VILLAGE, COL_HEAD, COL_SIZE, COL_STEPS, COL_LAST, COL_SAMPLE = range(1, 8)


class QueueModel(CheckedRowsModel[QueueRow]):
    """The review queue with a check box a row (a county's queue may hold 20,000)."""

    headers = HEADERS
    right_aligned = frozenset({COL_SIZE, COL_STEPS})

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._checked &= {r.household_id for r in rows}
        self.endResetModel()

    def cell(self, r: QueueRow, col: int) -> str:
        sample = SAMPLE_NAMES.get(r.sample, r.sample) if r.sample else ""
        return ("", r.township_name, r.village_name, r.head_name, str(r.size),
                f"{r.steps} 步", r.last_date.isoformat() if r.last_date else "", sample)[col]

    def extra(self, r: QueueRow, col: int, role: int) -> object:
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SAMPLE and r.sample:
            return {PENDING: Qt.GlobalColor.darkYellow, FAILED: Qt.GlobalColor.red,
                    PASSED: Qt.GlobalColor.darkGreen}.get(r.sample)
        return None


class CountyReviewDialog(QDialog):
    loaded = Signal(int)
    decided = Signal(str)  # sample check approve return announce
    form_opened = Signal(object)

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.main = main
        self.store = main.workspace.store
        self.form: FormDialog | None = None
        self.setObjectName("countyReview")
        self.setWindowTitle("县复审")
        self.resize(1060, 640)
        self.stations: dict[str, str] = {}
        self.track = IDENTIFY

        self.track_box = QComboBox(self)
        self.track_box.setObjectName("reviewTrack")
        self.track_box.addItem("精准识别(县复审)", IDENTIFY)
        self.track_box.addItem("脱贫退出(县审定退出)", EXIT)
        self.track_box.setToolTip("识别:乡镇第二次公示后报县复审的农户;"
                                  "退出:乡镇审核退出后报县审定的农户")

        self.station = QComboBox(self)
        self.station.setObjectName("reviewStation")
        self.station.setMinimumWidth(160)
        self.station.addItem("全部乡镇", None)
        self.summary = QLabel("", self)
        self.summary.setObjectName("queueSummary")
        check_all = QPushButton("全选", self)
        check_none = QPushButton("全不选", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("审核", self))
        top.addWidget(self.track_box)
        top.addSpacing(8)
        top.addWidget(QLabel("乡镇", self))
        top.addWidget(self.station)
        top.addWidget(check_all)
        top.addWidget(check_none)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.model = QueueModel()
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_CHECK, QHeaderView.ResizeMode.Fixed)
        for col, width in ((COL_CHECK, 30), (COL_TOWNSHIP, 100), (COL_VILLAGE, 120),
                           (COL_HEAD, 100), (COL_SIZE, 48), (COL_STEPS, 70), (COL_LAST, 96)):
            self.table.setColumnWidth(col, width)

        self.quota = QLabel("", self)
        self.quota.setObjectName("countyQuota")
        self.quota.setWordWrap(True)

        allowed = self.store.can(Act.COUNTY_REVIEW)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (("sample", "抽查…", self.sample),
                                ("check", "录入核查结果…", self.check_sample),
                                ("approve", "审定…", self.approve),
                                ("return", "退回乡镇…", self.send_back),
                                ("announce", "公告…", self.announce)):
            b = QPushButton(text, self)
            b.setObjectName(f"county_{key}")
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            b.setEnabled(allowed)
            if not allowed:
                b.setToolTip(f"当前用户的角色是{self.store.role_name},无权"
                             f"{Act.COUNTY_REVIEW.value}")
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        self.status = hint("", self)
        self.status.setObjectName("reviewStatus")
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        row.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.quota)
        self.help = hint("", self)
        layout.addWidget(self.help)
        layout.addWidget(self.status)
        layout.addLayout(row)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)

        self.station.currentIndexChanged.connect(lambda _i: self.load())
        self.track_box.currentIndexChanged.connect(lambda _i: self.set_track(
            str(self.track_box.currentData())))
        self._show_track()
        check_all.clicked.connect(lambda: self.model.check_all(True))
        check_none.clicked.connect(lambda: self.model.check_all(False))

    # ---- the track ----------------------------------------------------------------------
    def set_track(self, track: str) -> None:
        """识别 (IDENTIFY) or 退出 (EXIT): the queue, the buttons' words, then a reload."""
        if track == self.track:
            return
        self.track = track
        self.track_box.blockSignals(True)
        self.track_box.setCurrentIndex(max(0, self.track_box.findData(track)))
        self.track_box.blockSignals(False)
        self.status.setText("")
        self._show_track()
        self.load()

    def _show_track(self) -> None:
        exits = self.track == EXIT
        self.setWindowTitle("县审定退出" if exits else "县复审")
        self.buttons["approve"].setText("审定退出…" if exits else "审定…")
        self.buttons["announce"].setText("退出公告…" if exits else "公告…")
        self.help.setText(
            "勾选农户后审定退出或退回;被抽查的农户须先入户核查收入和两不愁三保障并录入结果。"
            "审定退出须填写文号,审定后按文号发布退出公告。" if exits else
            "勾选农户后审定或退回;被抽查的农户须先录入核查结果。审定须填写文号,"
            "审定后按文号公告。")
        self.quota.setVisible(not exits)

    # ---- loading --------------------------------------------------------------------------
    def station_code(self) -> str | None:
        code = self.station.currentData()
        return str(code) if code else None

    def load(self) -> None:
        store, station, track = self.store, self.station_code(), self.track

        def work(_p: Any) -> tuple[list[QueueRow], list[QueueRow], list[QuotaLine]]:
            everything = access.review_queue(store, track=track)
            rows = [r for r in everything if station is None or r.station_code == station]
            townships = sorted({r.station_code for r in rows})
            usage = access.quota_usage(store, townships) if track == IDENTIFY else []
            return everything, rows, usage

        def done(result: tuple[list[QueueRow], list[QueueRow], list[QuotaLine]]) -> None:
            everything, rows, usage = result
            if track != self.track:
                return  # switched meanwhile: the other queue's load is coming
            self._fill_stations(everything)
            self.model.set_rows(rows)
            sampled = [r for r in rows if r.sample]
            pending = sum(1 for r in sampled if r.sample == PENDING)
            self.summary.setText(f"{TRACKS[track].name}队列 {len(rows)} 户;"
                                 f"抽查 {len(sampled)} 户"
                                 f"(待核查 {pending} 户)")
            self.quota.setText("规模(已用/规模):" + ";".join(
                f"{u.region_name} {u.text}" for u in usage) if usage else "")
            self.loaded.emit(len(rows))

        self.main.op("读取县复审队列", work, owner=self).success(done).run()

    def _fill_stations(self, rows: list[QueueRow]) -> None:
        found = {r.station_code: r.township_name for r in rows}
        if set(found) <= set(self.stations):
            return
        self.stations.update(found)
        current = self.station_code()
        self.station.blockSignals(True)
        self.station.clear()
        self.station.addItem("全部乡镇", None)
        for code, name in sorted(self.stations.items()):
            self.station.addItem(name, code)
        self.station.setCurrentIndex(max(0, self.station.findData(current)))
        self.station.blockSignals(False)

    # ---- the acts --------------------------------------------------------------------------
    def _show(self, dialog: FormDialog, work: Callable[[], Any], doing: str,
              done_text: Callable[[Any], str], key: str) -> None:
        self.form = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def submit() -> None:
            self.main.op(doing, lambda _p: work(), owner=self).success(
                lambda r: self._decided(dialog, done_text(r), key, r)).failure(
                dialog.refused).with_progress(f"正在{doing}…").run()

        dialog.submitted.connect(submit)
        dialog.open()
        self.form_opened.emit(dialog)

    def _decided(self, dialog: FormDialog, text: str, key: str, result: Any) -> None:
        dialog.done_ok()
        self.status.setText(text)
        self.load()
        self.main.refresh()
        self.decided.emit(key)
        if key == "announce":
            self._offer_print(result)

    def _need_checked(self) -> list[QueueRow] | None:
        rows = self.model.checked()
        if not rows:
            self.status.setText("请先勾选农户")
            return None
        return rows

    def sample(self) -> None:
        dialog = SampleDialog(len(self.model.rows()), self, TRACKS[self.track].name)
        store, station, track = self.store, self.station_code(), self.track
        self._show(dialog, lambda: access.sample(store, dialog.share(), station, track=track),
                   "抽查",
                   lambda rows: f"已抽查 {len(rows)} 户,请入户核查后录入结果", "sample")

    def check_sample(self) -> None:
        selected = self.table.selectionModel().selectedRows()
        candidates = [self.model.row(i.row()) for i in selected] or self.model.checked()
        rows = [r for r in candidates if r.sample]
        if not rows:
            self.status.setText("请先选中一户被抽查的农户")
            return
        row = rows[0]
        dialog = CheckDialog(row, self)
        store, track = self.store, self.track
        self._show(dialog, lambda: access.check_sample(store, row.household_id,
                                                       dialog.passed(), dialog.note(),
                                                       track=track),
                   "录入核查结果", lambda _r: f"已录入{row.head_name}户的核查结果", "check")

    def approve(self) -> None:
        rows = self._need_checked()
        if rows is None:
            return
        store, track = self.store, self.track
        townships = sorted({r.station_code for r in rows})
        if track == EXIT:
            dialog = DecideDialog([r.head_name for r in rows], [], self, exits=True)
            ids = [r.household_id for r in rows]
            self._show(dialog, lambda: access.decide(store, ids, True, dialog.ref(),
                                                     track=EXIT),
                       "审定退出", lambda n: f"已审定退出 {n} 户,文号 {dialog.ref()}",
                       "approve")
            return

        def show(usage: list[QuotaLine]) -> None:
            dialog = DecideDialog([r.head_name for r in rows], usage, self)
            ids = [r.household_id for r in rows]
            self._show(dialog, lambda: access.decide(store, ids, True, dialog.ref(),
                                                     override=dialog.override_text()),
                       "审定", lambda n: f"已审定 {n} 户,文号 {dialog.ref()}", "approve")

        self.main.op("读取规模", lambda _p: access.quota_usage(store, townships),
                     owner=self).success(show).run()

    def send_back(self) -> None:
        rows = self._need_checked()
        if rows is None:
            return
        dialog = ReturnDialog([r.head_name for r in rows], self)
        store, ids, track = self.store, [r.household_id for r in rows], self.track
        self._show(dialog, lambda: access.decide(store, ids, False, None, dialog.reason(),
                                                 track=track),
                   "退回", lambda n: f"已退回 {n} 户,随回传数据包交乡镇修改", "return")

    def announce(self) -> None:
        store, track = self.store, self.track
        name = TRACKS[track].announce_name

        def show(refs: list[tuple[str, int, bool]]) -> None:
            if not refs:
                self.status.setText(f"还没有审定过农户:先审定,再按文号{name}")
                return
            dialog = AnnounceDialog(refs, self, name)
            self._show(dialog, lambda: access.announce(store, dialog.ref(), dialog.on(),
                                                       track=track),
                       name, lambda a: f"已{name} {a.ref}:{len(a.households)} 户", "announce")

        self.main.op("读取文号", lambda _p: access.refs(store, track=track), owner=self).success(
            show).run()

    def _offer_print(self, announcement: Any) -> None:
        exits = getattr(announcement, "track", IDENTIFY) == EXIT
        name = "退出公告" if exits else "公告"
        box = QMessageBox(QMessageBox.Icon.Information, name,
                          f"文号 {announcement.ref}:{name} {len(announcement.households)} 户。"
                          f"\n\n现在打印{name}吗?", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("printOffer")
        print_button = box.addButton(f"打印{name}…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("以后再打印", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_r: int) -> None:
            if box.clickedButton() is print_button:
                job = (printing.exit_announcement_job(announcement.ref) if exits
                       else printing.announcement_job(announcement.ref))
                printing.print_job(self.main, f"{name} {announcement.ref}", job, self)

        box.finished.connect(answered)
        box.open()
        self.print_offer = box


class SampleDialog(FormDialog):
    def __init__(self, queue: int, parent: QWidget | None = None, queue_name: str = "县复审"
                 ) -> None:
        super().__init__("抽查", parent,
                         f"从{queue_name}队列中未抽查的农户里随机抽取(当前列出 {queue} 户)。"
                         "抽中的农户须入户核查并录入结果后才能审定。", ok_text="抽取")
        self.setObjectName("sampleDialog")
        self.percent = QDoubleSpinBox(self)
        self.percent.setRange(1, 100)
        self.percent.setDecimals(0)
        self.percent.setValue(10)
        self.percent.setSuffix(" %")
        self.add_row("share", "抽查比例*", self.percent)

    def share(self) -> float:
        return float(self.percent.value()) / 100


class CheckDialog(FormDialog):
    def __init__(self, row: QueueRow, parent: QWidget | None = None) -> None:
        super().__init__("录入核查结果", parent, f"<b>{row.township_name}{row.village_name} "
                         f"{row.head_name}户</b>(抽查)", ok_text="记录")
        self.setObjectName("checkDialog")
        box = QWidget(self)
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        group = QButtonGroup(self)
        self.pass_button = QRadioButton("核查通过", box)
        self.pass_button.setObjectName("checkPass")
        self.fail_button = QRadioButton("核查未通过", box)
        self.fail_button.setObjectName("checkFail")
        for b in (self.pass_button, self.fail_button):
            group.addButton(b)
            line.addWidget(b)
        line.addStretch(1)
        self.pass_button.setChecked(True)
        self.add_row("result", "结果*", box)
        self.note_box = text_box(self, "核查情况;未通过时必填")
        self.add_row("note", "说明", self.note_box)

    def passed(self) -> bool:
        return self.pass_button.isChecked()

    def note(self) -> str | None:
        return self.note_box.toPlainText().strip() or None

    def check(self) -> dict[str, str]:
        return {"note": "核查未通过必须写明原因"} if not self.passed() and not self.note() \
            else {}


class DecideDialog(FormDialog):
    """审定 under a 文号: the 规模 used by each township, the reason when over it."""

    def __init__(self, names: list[str], usage: list[QuotaLine],
                 parent: QWidget | None = None, exits: bool = False) -> None:
        act = "审定退出" if exits else "审定"
        super().__init__(act, parent, f"<b>{act}</b>:{households_text(names)}", ok_text=act)
        self.setObjectName("decideDialog")
        self.ref_edit = QLineEdit(self)
        self.ref_edit.setObjectName("ref")
        self.ref_edit.setMaxLength(MAX_REF)
        self.ref_edit.setPlaceholderText("如:昭扶贫〔2026〕12号")
        self.add_row("ref", "文号*", self.ref_edit)
        lines = "<br>".join(f"{u.region_name}:{u.text}"
                            + (" <b style='color:#c62f2f'>已超规模</b>" if u.over else "")
                            for u in usage) or "未下达规模"
        quota = QLabel(lines, self)
        quota.setObjectName("quotaUsage")
        quota.setProperty("role", "derived")
        self.add_row("quota", "规模(已用/规模)", quota)
        self.set_row_visible("quota", not exits)  # an exit frees a place: no 规模
        self.override = text_box(self, "超出规模时必填:写明确需超出的理由(将记录在案)")
        self.add_row("override", "超规模理由", self.override)
        self._override_needed = any(u.over for u in usage)
        self.set_row_visible("override", self._override_needed)

    def ref(self) -> str:
        return self.ref_edit.text().strip()

    def override_text(self) -> str | None:
        return self.override.toPlainText().strip() or None if self._override_needed else None

    def check(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.ref():
            errors["ref"] = "审定须填写文号"
        if self._override_needed and not self.override_text():
            errors["override"] = "超出规模,请填写理由"
        return errors

    def refused(self, error: BaseException) -> None:
        super().refused(error)
        if isinstance(error, QuotaExceeded):
            self._override_needed = True
            self.set_row_visible("override", True)
            self.override.setFocus()


class ReturnDialog(FormDialog):
    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("退回乡镇", parent, f"<b>退回</b>:{households_text(names)}"
                         "<br>乡镇据此修改后重新报送;原因随回传数据包到达乡镇。", ok_text="退回")
        self.setObjectName("returnDialog")
        self.reason_box = text_box(self, "退回原因(必填)")
        self.add_row("reason", "原因*", self.reason_box)

    def reason(self) -> str:
        return self.reason_box.toPlainText().strip()

    def check(self) -> dict[str, str]:
        return {} if self.reason() else {"reason": "退回须写明原因"}


class AnnounceDialog(FormDialog):
    def __init__(self, refs: list[tuple[str, int, bool]], parent: QWidget | None = None,
                 name: str = "公告") -> None:
        super().__init__(name, parent, f"按文号{name}审定的农户(再次{name}同一文号只会重新"
                         "打印,不重复记录)。", ok_text=name)
        self.setObjectName("announceDialog")
        self.ref_box = QComboBox(self)
        self.ref_box.setObjectName("announceRef")
        for ref, n, done in refs:
            self.ref_box.addItem(f"{ref}({n} 户{',已' + name if done else ''})", ref)
        first_open = next((i for i, (_r, _n, done) in enumerate(refs) if not done), 0)
        self.ref_box.setCurrentIndex(first_open)
        self.add_row("ref", "文号*", self.ref_box)
        self.date = date_edit(self, date.today())
        self.add_row("date", f"{name}日期*", self.date)

    def ref(self) -> str:
        return str(self.ref_box.currentData())

    def on(self) -> date:
        return date_of(self.date)
