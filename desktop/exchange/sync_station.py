"""The station's side of USB sync: ask the county to enroll the station, take the county's
answer, export a bundle to a USB stick, and see what the county has received."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
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

from desktop.exchange.key_replacement import STATION_SIDE, KeyReplacementPanel
from desktop.exchange.sync_dialog import STRETCH, SyncDialog
from desktop.widgets.drives import FolderPicker, start_folder
from desktop.widgets.fingerprint import FingerprintView
from desktop.widgets.labels import hint
from desktop.widgets.tables import count_item, plain_table
from desktop.workspace import Workspace
from registry.store import Store
from registry.sync_state import Receipt
from sync import enroll
from sync.errors import CountyKeyReplacementNeeded
from sync.export import ExportResult, export_station
from sync.names import table_label
from sync.status import PeerStatus, receipts, status

PHONE_HINT = ("请打电话给县扶贫办,逐组读出上面 16 个字符;县里屏幕上显示的必须完全一致。"
              "不一致时不要继续,请重新生成。")


def request_name(store: Store) -> str:
    return f"注册申请-{store.info.region_code}.json"


class EnrollRequestDialog(SyncDialog):
    """申请加入县级同步: writes the request file and shows the fingerprint to read out."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "申请加入县级同步", parent)
        self.setObjectName("enrollRequestDialog")
        self.enrolled: enroll.Enrolled | None = None
        self.path: Path | None = None
        self.folder = FolderPicker("enroll_folder", self)
        self.new_key = QCheckBox("生成新密钥(仅在县里吊销本站密钥后使用)", self)
        self.write_button = QPushButton("生成申请文件", self)
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.fingerprint = FingerprintView(self)
        self.fingerprint.hide()
        self.done_label = QLabel("", self)
        self.done_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("保存到:", self.folder)
        form.addRow("", self.new_key)
        self.arrange("申请加入县级同步", [
            hint("生成注册申请文件(不含任何个人信息),用U盘交给县扶贫办登记;"
                 "县里会给回一个答复文件,再用“导入县级答复”导入。", self),
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
        self.path = path
        self.run("生成注册申请", lambda _p: enroll.write_request(store, path, new_key=new_key),
                 self._written, cancellable=False)

    def _written(self, result: enroll.Enrolled) -> None:
        self.enrolled = result
        self.fingerprint.show_fingerprint(result.fingerprint, "本站指纹")
        self.fingerprint.show()
        assert self.path is not None
        self.done_label.setText(f"<p>申请文件已保存到所选文件夹:<b>{self.path.name}</b></p>"
                                f"<p style='color:#1f4f8f; font-weight:bold'>{PHONE_HINT}</p>")
        self.done_label.setToolTip(str(self.path))
        self.write_button.setText("重新生成")


def choose_answer(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "选择县级答复文件", start_folder(),
                                          "注册答复 (*.json);;所有文件 (*)")
    return Path(name) if name else None


class AnswerDialog(SyncDialog):
    """导入县级答复: stores the county's public keys and shows its fingerprint. An answer
    with another county key than the one the station trusts opens the 更换密钥 panel."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "导入县级答复", parent)
        self.setObjectName("answerDialog")
        self.enrolled: enroll.Enrolled | None = None
        self.path: Path | None = None
        self.choose_button = QPushButton("选择答复文件…", self)
        self.choose_button.clicked.connect(self.choose)
        self.fingerprint = FingerprintView(self)
        self.fingerprint.hide()
        self.done_label = QLabel("", self)
        self.done_label.setWordWrap(True)
        self.replacement = KeyReplacementPanel(STATION_SIDE, self)
        self.replacement.hide()
        self.replacement.confirmed.connect(self.confirm_replacement)
        self.arrange("导入县级答复", [
            hint("选择县扶贫办登记后给回的答复文件(注册答复-….json)。", self),
            self.fingerprint,
            self.replacement,
            self.done_label,
            STRETCH,
        ], actions=[self.choose_button], size=(660, 320))

    def set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)
        self.replacement.replace_button.setEnabled(not busy)

    def choose(self) -> None:
        path = choose_answer(self)
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
        self.run("更换县扶贫办密钥" if replace_key else "导入县级答复",
                 lambda _p: enroll.accept(store, path, replace_county_key=replace_key,
                                          reason=reason),
                 self._accepted, cancellable=False, on_refused=self._needs_replacement)

    def _needs_replacement(self, error: BaseException) -> bool:
        """The station trusts another county key: not a dead end, the panel instead."""
        if not isinstance(error, CountyKeyReplacementNeeded):
            return False
        self.fingerprint.hide()
        self.replacement.show_refusal(error.registered, error.fingerprint)
        self.done_label.setText("<p>答复未导入,本站未作任何改动。</p>")
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        return True

    def confirm_replacement(self, typed: str, reason: str) -> None:
        """Asked once more, with both fingerprints, before the old county key is revoked."""
        if self.path is None:
            return
        new, old = self.replacement.offered.text(), self.replacement.registered.text()
        asked = QMessageBox.question(
            self, "更换县扶贫办密钥",
            f"确认更换县扶贫办的密钥?\n\n新密钥指纹:{new}(已与县扶贫办电话核对)\n"
            f"本站原登记的指纹:{old}\n" + (f"原因:{reason}\n" if reason else "") +
            "\n更换后,本站的数据包只加密给新密钥;用原密钥签名的回传数据包一律拒绝导入。"
            "更换记入本站审计记录。")
        if asked == QMessageBox.StandardButton.Yes:
            self.start(self.path, replace_key=typed, reason=reason or None)

    def _accepted(self, result: enroll.Enrolled) -> None:
        self.enrolled = result
        old = self.replacement.registered.text()
        self.replacement.hide()
        self.fingerprint.show_fingerprint(result.fingerprint, f"{result.name}(县扶贫办)的指纹")
        self.fingerprint.show()
        replaced = (f"<p style='color:#c62f2f'>已更换县扶贫办的密钥:原密钥(指纹 {old})"
                    "已作废,用它签名的回传数据包将被拒绝;更换已记入审计记录。</p>"
                    if result.replaced else "")
        self.done_label.setText(
            f"<p>已接受 <b>{result.name}</b> 的答复,本站可以导出数据包了。</p>" + replaced +
            "<p>请与县扶贫办电话核对上面的指纹,应与县里屏幕上“本县指纹”完全一致;"
            "不一致时请勿导出,立即联系县扶贫办。</p>")


COUNT_ORDER = ("household", "member", "village_group", "helper", "aid_plan",
               "procedure_event", "audit")


class ExportDialog(SyncDialog):
    """导出数据包: the changes since the last export (or everything) to a USB stick."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "导出数据包", parent)
        self.setObjectName("exportDialog")
        self.exported: ExportResult | None = None
        self.folder = FolderPicker("export_folder", self)
        self.full = QCheckBox("全量导出(包含全部数据,用于县里新建数据库或数据不一致时)", self)
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
        form.addRow("保存到:", self.folder)
        form.addRow("", self.full)
        result_row = QHBoxLayout()
        result_row.addWidget(self.outcome, 1)
        result_row.addWidget(self.counts)
        self.arrange("导出数据包(交县扶贫办)", [
            self.state,
            form,
            (result_row, 1),
        ], actions=[self.export_button], size=(720, 440))
        self.load_state()

    def load_state(self) -> None:
        store = self.workspace.store
        self.run("读取同步状态", lambda _p: status(store), self._show_state, cancellable=False)

    def _show_state(self, peers: list[PeerStatus]) -> None:
        county = next((p for p in peers if p.role == "county"), None)
        if county is None:
            self.state.setText("<span style='color:#c62f2f'>本站尚未在县扶贫办注册:请先"
                               "“申请加入县级同步”,再“导入县级答复”。</span>")
            self.export_button.setEnabled(False)
            return
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
        self.outcome.setText("正在导出…")
        self.counts.hide()
        self.run("导出数据包", lambda p: export_station(store, folder, full=full, progress=p),
                 self._done)

    def _done(self, result: ExportResult) -> None:
        self.exported = result
        kind = "全量" if result.full else "增量"
        self.outcome.setText(
            f"<p style='color:#1e7b34; font-weight:bold'>导出完成</p>"
            f"<p>文件:<b>{result.path.name}</b><br>(已保存到所选的文件夹/U盘)</p>"
            f"<p>第 {result.seq} 号数据包({kind}),共 {result.records} 条记录。</p>"
            "<p>请安全弹出U盘后交县扶贫办导入。</p>")
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
    """同步状态: the county link, the last bundle exported, and the county's receipts."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "同步状态", parent)
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
        self.arrange("同步状态", [
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
