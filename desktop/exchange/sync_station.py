"""The sending side of USB sync: ask the office above to enroll this store, take its answer,
export a bundle to a USB stick, and see what was sent. A station sends to its county; a county
to its city (or straight to the province), a city to the province (the roll-up) — the same
dialogs, in the words of each (`Upper`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.exchange.key_replacement import KeyReplacementPanel, station_side
from desktop.exchange.sync_dialog import STRETCH, SyncDialog
from desktop.widgets.drives import FolderPicker, start_folder
from desktop.widgets.fingerprint import FingerprintView
from desktop.widgets.labels import hint
from desktop.widgets.tables import count_item, plain_table
from desktop.workspace import Workspace
from registry.regions import sichuan
from registry.store import Store
from registry.sync_state import Receipt
from sync import enroll
from sync.errors import CountyKeyReplacementNeeded
from sync.export import ExportResult, export_station
from sync.names import table_label
from sync.status import PeerStatus, receipts, status


@dataclass(frozen=True)
class Upper:
    """The office this store sends to, in the dialogs' words."""

    role: str  # its peer's role (sync.status)
    who: str  # 县扶贫办 / 上级扶贫办
    there: str  # 县里 / 上级
    join: str  # the request's title
    answer: str  # the answer's title
    me: str  # 本站 / 本单位
    their_print: str  # what the office's screen calls its fingerprint


STATION_UP = Upper("county", "县扶贫办", "县里", "申请加入县级同步", "导入县级答复", "本站",
                   "本县指纹")
OFFICE_UP = Upper("upper", "上级扶贫办", "上级", "申请加入上级同步", "导入上级答复", "本单位",
                  "本单位指纹")


def upper_of(store: Store) -> Upper:
    return OFFICE_UP if store.info.office else STATION_UP


def upper_choices(store: Store) -> list[tuple[str, str]]:
    """(code, name) of the offices an office may enroll at, the next one up first: a
    county's city and the province, a city's province. None for a station (its county)."""
    info = store.info
    if not info.office or info.upper_code is None:
        return []
    codes = [info.upper_code] + (["51"] if info.upper_code != "51" else [])
    divisions = sichuan()
    return [(c, divisions.full_name(c) or c) for c in codes]


def phone_hint(up: Upper) -> str:
    return (f"请打电话给{up.who},逐组读出上面 16 个字符;{up.there}屏幕上显示的必须完全一致。"
            "不一致时不要继续,请重新生成。")


PHONE_HINT = phone_hint(STATION_UP)


def request_name(store: Store) -> str:
    return f"注册申请-{store.info.region_code}.json"


class EnrollRequestDialog(SyncDialog):
    """申请加入县级同步 (an office: 上级同步, at which office): writes the request file and
    shows the fingerprint to read out."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        up = self.up = upper_of(workspace.store)
        super().__init__(workspace, up.join, parent)
        self.setObjectName("enrollRequestDialog")
        self.enrolled: enroll.Enrolled | None = None
        self.path: Path | None = None
        self.folder = FolderPicker("enroll_folder", self)
        self.to = QComboBox(self)  # an office's: which office above (the next one first)
        self.to.setObjectName("enrollTo")
        for code, name in upper_choices(workspace.store):
            self.to.addItem(f"{name}({code})", code)
        self.new_key = QCheckBox(f"生成新密钥(仅在{up.there}吊销{up.me}密钥后使用)", self)
        self.write_button = QPushButton("生成申请文件", self)
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.fingerprint = FingerprintView(self)
        self.fingerprint.hide()
        self.done_label = QLabel("", self)
        self.done_label.setWordWrap(True)
        form = QFormLayout()
        if self.to.count():
            form.addRow("申请加入:", self.to)
        else:
            self.to.hide()
        form.addRow("保存到:", self.folder)
        form.addRow("", self.new_key)
        self.arrange(up.join, [
            hint(f"生成注册申请文件(不含任何个人信息),用U盘交给{up.who}登记;"
                 f"{up.there}会给回一个答复文件,再用“{up.answer}”导入。", self),
            form,
            self.fingerprint,
            self.done_label,
            STRETCH,
        ], actions=[self.write_button], size=(640, 400))

    def set_busy(self, busy: bool) -> None:
        self.write_button.setEnabled(not busy)

    def write(self) -> None:
        folder = self.folder.folder()
        if folder is None:
            return
        store = self.workspace.store
        path = folder / request_name(store)
        new_key = self.new_key.isChecked()
        to = self.to.currentData() if self.to.count() else None
        self.path = path
        self.run("生成注册申请",
                 lambda _p: enroll.write_request(store, path, new_key=new_key, to=to),
                 self._written, cancellable=False)

    def _written(self, result: enroll.Enrolled) -> None:
        self.enrolled = result
        self.fingerprint.show_fingerprint(result.fingerprint, f"{self.up.me}指纹")
        self.fingerprint.show()
        assert self.path is not None
        self.done_label.setText(f"<p>申请文件已保存到所选文件夹:<b>{self.path.name}</b></p>"
                                f"<p style='color:#1f4f8f; font-weight:bold'>"
                                f"{phone_hint(self.up)}</p>")
        self.done_label.setToolTip(str(self.path))
        self.write_button.setText("重新生成")


def choose_answer(parent: QWidget, up: Upper = STATION_UP) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, f"选择{up.there}答复文件", start_folder(),
                                          "注册答复 (*.json);;所有文件 (*)")
    return Path(name) if name else None


class AnswerDialog(SyncDialog):
    """导入县级答复: stores the county's public keys and shows its fingerprint. An answer
    with another county key than the one the station trusts opens the 更换密钥 panel."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        up = self.up = upper_of(workspace.store)
        super().__init__(workspace, up.answer, parent)
        self.setObjectName("answerDialog")
        self.enrolled: enroll.Enrolled | None = None
        self.path: Path | None = None
        self.choose_button = QPushButton("选择答复文件…", self)
        self.choose_button.clicked.connect(self.choose)
        self.fingerprint = FingerprintView(self)
        self.fingerprint.hide()
        self.done_label = QLabel("", self)
        self.done_label.setWordWrap(True)
        self.replacement = KeyReplacementPanel(
            station_side(up.who, up.me, up.their_print), self)
        self.replacement.hide()
        self.replacement.confirmed.connect(self.confirm_replacement)
        self.arrange(up.answer, [
            hint(f"选择{up.who}登记后给回的答复文件(注册答复-….json)。", self),
            self.fingerprint,
            self.replacement,
            self.done_label,
            STRETCH,
        ], actions=[self.choose_button], size=(660, 320))

    def set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)
        self.replacement.replace_button.setEnabled(not busy)

    def choose(self) -> None:
        path = choose_answer(self, self.up)
        if path is not None:
            self.start(path)

    def start(self, path: Path, replace_key: str | None = None, reason: str | None = None
              ) -> None:
        """Takes the answer; `replace_key` (and `reason`) confirm a new county key, the
        fingerprint typed from the phone call."""
        store = self.workspace.store
        self.path = path
        if replace_key is None:
            self.replacement.hide()
            self.done_label.clear()
        self.run(f"更换{self.up.who}密钥" if replace_key else self.up.answer,
                 lambda _p: enroll.accept(store, path, replace_county_key=replace_key,
                                          reason=reason),
                 self._accepted, cancellable=False, on_refused=self._needs_replacement)

    def _needs_replacement(self, error: BaseException) -> bool:
        """The station trusts another county key: not a dead end, the panel instead."""
        if not isinstance(error, CountyKeyReplacementNeeded):
            return False
        self.fingerprint.hide()
        self.replacement.show_refusal(error.registered, error.fingerprint)
        self.done_label.setText(f"<p>答复未导入,{self.up.me}未作任何改动。</p>")
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        return True

    def confirm_replacement(self, typed: str, reason: str) -> None:
        """Asked once more, with both fingerprints, before the old county key is revoked."""
        if self.path is None:
            return
        up, new, old = self.up, self.replacement.offered.text(), self.replacement.registered.text()
        asked = QMessageBox.question(
            self, f"更换{up.who}密钥",
            f"确认更换{up.who}的密钥?\n\n新密钥指纹:{new}(已与{up.who}电话核对)\n"
            f"{up.me}原登记的指纹:{old}\n" + (f"原因:{reason}\n" if reason else "") +
            f"\n更换后,{up.me}的数据包只加密给新密钥;用原密钥签名的数据包一律拒绝导入。"
            f"更换记入{up.me}审计记录。")
        if asked == QMessageBox.StandardButton.Yes:
            self.start(self.path, replace_key=typed, reason=reason or None)

    def _accepted(self, result: enroll.Enrolled) -> None:
        self.enrolled = result
        old = self.replacement.registered.text()
        self.replacement.hide()
        up = self.up
        self.fingerprint.show_fingerprint(result.fingerprint, f"{result.name}({up.who})的指纹")
        self.fingerprint.show()
        replaced = (f"<p style='color:#c62f2f'>已更换{up.who}的密钥:原密钥(指纹 {old})"
                    "已作废,用它签名的回传数据包将被拒绝;更换已记入审计记录。</p>"
                    if result.replaced else "")
        self.done_label.setText(
            f"<p>已接受 <b>{result.name}</b> 的答复,{up.me}可以导出数据包了。</p>" + replaced +
            f"<p>请与{up.who}电话核对上面的指纹,应与{up.there}屏幕上“{up.their_print}”完全一致;"
            f"不一致时请勿导出,立即联系{up.who}。</p>")


COUNT_ORDER = ("household", "member", "village_group", "helper", "aid_plan",
               "procedure_event", "audit")


class ExportDialog(SyncDialog):
    """导出数据包: the changes since the last export (or everything) to a USB stick."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        up = self.up = upper_of(workspace.store)
        title = "导出数据包" if up is STATION_UP else "向上级报送数据包"
        super().__init__(workspace, title, parent)
        self.setObjectName("exportDialog")
        self.exported: ExportResult | None = None
        self.uppers: list[PeerStatus] = []
        self.folder = FolderPicker("export_folder", self)
        self.to = QComboBox(self)  # when an office is enrolled at more than one above it
        self.to.setObjectName("exportTo")
        self.to.currentIndexChanged.connect(lambda _i: self._show_upper())
        self.full = QCheckBox(f"全量导出(包含全部数据,用于{up.there}新建数据库或数据不一致时)",
                              self)
        self.state = QLabel("", self)
        self.state.setWordWrap(True)
        self.export_button = QPushButton("导出", self)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.outcome = QLabel("", self)
        self.outcome.setObjectName("exportOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.counts = plain_table(self, ["内容", "条数"])
        self.counts.setObjectName("exportCounts")
        self.counts.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.counts.setColumnWidth(1, 90)
        self.counts.setMaximumWidth(320)
        self.counts.hide()
        form = QFormLayout()
        form.addRow("接收方:", self.to)
        self.to_label = form.labelForField(self.to)
        self.to.hide()
        self.to_label.hide()
        form.addRow("保存到:", self.folder)
        form.addRow("", self.full)
        result_row = QHBoxLayout()
        result_row.addWidget(self.outcome, 1)
        result_row.addWidget(self.counts)
        self.arrange(f"{title}(交{up.who})", [
            self.state,
            form,
            (result_row, 1),
        ], actions=[self.export_button], size=(720, 440))
        self.load_state()

    def load_state(self) -> None:
        store = self.workspace.store
        self.run("读取同步状态", lambda _p: status(store), self._show_state, cancellable=False)

    def _show_state(self, peers: list[PeerStatus]) -> None:
        up = self.up
        self.uppers = [p for p in peers if p.role == up.role]
        if not self.uppers:
            self.state.setText(f"<span style='color:#c62f2f'>{up.me}尚未在{up.who}注册:请先"
                               f"“{up.join}”,再“{up.answer}”。</span>")
            self.export_button.setEnabled(False)
            return
        self.to.blockSignals(True)
        self.to.clear()
        for p in self.uppers:
            self.to.addItem(f"{p.name}({p.code})", p.code)
        self.to.blockSignals(False)
        many = len(self.uppers) > 1
        self.to.setVisible(many)
        self.to_label.setVisible(many)
        self._show_upper()

    def _show_upper(self) -> None:
        if not self.uppers:
            return
        county = self.uppers[max(self.to.currentIndex(), 0)]
        first = county.sent_seq == 0
        self.state.setText(
            f"接收方:<b>{county.name}</b>。"
            + ("这是第一次导出,将导出全部数据。" if first else
               f"上次导出到第 {county.sent_seq} 号;默认只导出此后的修改(增量)。"))
        self.full.setChecked(first)
        self.full.setEnabled(not first)

    def set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)

    def export(self) -> None:
        folder = self.folder.folder()
        if folder is None:
            return
        store = self.workspace.store
        full = self.full.isChecked()
        to = self.to.currentData() if self.up is OFFICE_UP else None
        self.outcome.setText("正在导出…")
        self.counts.hide()
        self.run("导出数据包",
                 lambda p: export_station(store, folder, full=full, progress=p, to=to),
                 self._done)

    def _done(self, result: ExportResult) -> None:
        self.exported = result
        kind = "全量" if result.full else "增量"
        self.outcome.setText(
            f"<p style='color:#1e7b34; font-weight:bold'>导出完成</p>"
            f"<p>文件:<b>{result.path.name}</b><br>(已保存到所选的文件夹/U盘)</p>"
            f"<p>第 {result.seq} 号数据包({kind}),共 {result.records} 条记录。</p>"
            f"<p>请安全弹出U盘后交{self.up.who}导入。</p>")
        self.outcome.setToolTip(str(result.path))
        names = [n for n in COUNT_ORDER if n in result.counts] + \
            [n for n in result.counts if n not in COUNT_ORDER]
        self.counts.setRowCount(len(names))
        for row, name in enumerate(names):
            self.counts.setItem(row, 0, QTableWidgetItem(table_label(name)))
            self.counts.setItem(row, 1, count_item(result.counts[name]))
        self.counts.show()
        self._show_state_after(result)

    def _show_state_after(self, result: ExportResult) -> None:
        self.state.setText(f"上次导出到第 {result.seq} 号;下次默认只导出此后的修改(增量)。")
        self.full.setChecked(False)
        self.full.setEnabled(True)


@dataclass
class StationView:
    fingerprint: str
    peers: list[PeerStatus]
    receipts: list[Receipt]


def load_station_view(store: Store) -> StationView:
    return StationView(enroll.own_fingerprint(store), status(store), receipts(store, 50))


class StationStatusDialog(SyncDialog):
    """同步状态: the county link, the last bundle exported, and the county's receipts. An
    office's 上级同步状态: each office above it and what was sent there (no receipts: the
    offices above send nothing back)."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        self.up = upper_of(workspace.store)
        super().__init__(workspace, "同步状态" if self.up is STATION_UP else "上级同步状态",
                         parent)
        self.setObjectName("stationStatusDialog")
        self.view: StationView | None = None
        self.facts = QLabel("正在读取…", self)
        self.facts.setWordWrap(True)
        self.table: QTableWidget = plain_table(
            self, ["数据包编号", "县里导入时间", "导入人", "县里接收情况"])
        self.table.setObjectName("receiptTable")
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((84, 150, 80)):
            self.table.setColumnWidth(column, width)
        refresh = QPushButton("刷新", self)
        refresh.clicked.connect(self.load)
        if self.up is OFFICE_UP:
            self.table.hide()
            self.arrange(self.windowTitle(), [self.facts, STRETCH], actions=[refresh],
                         size=(640, 300))
        else:
            self.arrange(self.windowTitle(), [
                self.facts,
                QLabel("县扶贫办的回执(县里收到并导入了本站哪些数据包):", self),
                (self.table, 1),
            ], actions=[refresh], size=(760, 440))
        self.load()

    def load(self) -> None:
        store = self.workspace.store
        self.run("读取同步状态", lambda _p: load_station_view(store), self._show,
                 cancellable=False)

    def _show(self, view: StationView) -> None:
        self.view = view
        if self.up is OFFICE_UP:
            self.facts.setText("<br>".join(_upper_lines(view)))
            return
        county = next((p for p in view.peers if p.role == "county"), None)
        lines = [f"本站指纹:<b>{view.fingerprint}</b>"]
        if county is None:
            lines.append("<span style='color:#c62f2f'>尚未在县扶贫办注册。</span>")
        else:
            lines.append(f"县扶贫办:<b>{county.name}</b>(密钥:{county.key_status})")
            lines.append(f"已导出数据包:至第 <b>{county.sent_seq}</b> 号" if county.sent_seq
                         else "尚未导出过数据包")
            lines.append(f"已导入县级回传数据包:至第 {county.last_seq} 号" if county.last_seq
                         else "尚未导入过县级回传数据包")
            if county.missing:
                lines.append(f"<span style='color:#c62f2f'>缺少第 {county.missing} 号回传数据包"
                             f"(第 {'、'.join(map(str, county.waiting))} 号在等待)</span>")
        self.facts.setText("<br>".join(lines))
        self.table.setRowCount(len(view.receipts))
        for row, r in enumerate(view.receipts):
            self.table.setItem(row, 0, count_item(r.seq))
            self.table.setItem(row, 1, QTableWidgetItem(
                r.received_at.strftime("%Y-%m-%d %H:%M") if r.received_at else ""))
            self.table.setItem(row, 2, QTableWidgetItem(r.received_by))
            self.table.setItem(row, 3, QTableWidgetItem(r.message))


def _upper_lines(view: StationView) -> list[str]:
    """An office's link to each office above it."""
    lines = [f"本单位指纹:<b>{view.fingerprint}</b>"]
    uppers = [p for p in view.peers if p.role == OFFICE_UP.role]
    if not uppers:
        lines.append(f"<span style='color:#c62f2f'>尚未在上级扶贫办注册:请先“{OFFICE_UP.join}”,"
                     f"再“{OFFICE_UP.answer}”。</span>")
    for p in uppers:
        lines.append(f"{p.name}({p.code},密钥:{p.key_status}):" +
                     (f"已报送数据包至第 <b>{p.sent_seq}</b> 号" if p.sent_seq
                      else "尚未报送过数据包"))
    return lines
