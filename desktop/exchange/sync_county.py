"""The county's side of USB sync: enroll a township station, see where every station's
chain stands, and write return bundles (possible duplicates: sync_duplicates)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from desktop.exchange.key_replacement import KeyReplacementPanel, office_side
from desktop.exchange.sync_dialog import STRETCH, SyncDialog
from desktop.look import RED, RED_BACK
from desktop.widgets.drives import FolderPicker, start_folder
from desktop.widgets.fingerprint import FingerprintView
from desktop.widgets.labels import hint
from desktop.widgets.tables import count_item, plain_table
from desktop.workspace import Workspace
from registry import failures
from registry.store import Store
from sync import enroll
from sync.county import revoke_station_key
from sync.errors import KeyReplacementNeeded, SyncError
from sync.export import ExportResult, export_return
from sync.names import table_label
from sync.status import PeerStatus, status


def office_words(store: Store) -> tuple[str, str]:
    """(the units below, this office) as the dialogs say them: a county's 乡镇 and 本县, a
    city's or province's 下级单位 and 本单位."""
    return ("乡镇", "本县") if store.info.kind == "county" else ("下级单位", "本单位")


def answer_name(station_code: str) -> str:
    return f"注册答复-{station_code}.json"


class EnrollStationDialog(SyncDialog):
    """登记乡镇: read the request, compare the fingerprint by phone, write the answer."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        self.below, self.own = office_words(workspace.store)
        super().__init__(workspace, f"登记{self.below}", parent)
        self.setObjectName("enrollStationDialog")
        self.request: Path | None = None
        self.requested: enroll.Enrolled | None = None  # what the request file says
        self.enrolled: enroll.Enrolled | None = None
        self.answer: Path | None = None
        self.choose_button = QPushButton("选择申请文件…", self)
        self.choose_button.clicked.connect(self.choose)
        self.station = QLabel("尚未选择申请文件", self)
        self.fingerprint = FingerprintView(self)
        self.fingerprint.hide()
        self.phone = QLabel(f"请打电话给该{self.below},让对方读出其屏幕上的指纹,"
                            "与上面逐组核对;完全一致才能登记。", self)
        self.phone.setWordWrap(True)
        self.phone.hide()
        self.folder = FolderPicker("answer_folder", self)
        self.enroll_button = QPushButton("指纹一致,登记并保存答复文件", self)
        self.enroll_button.setEnabled(False)
        self.enroll_button.clicked.connect(lambda _checked=False: self.register())
        self.done_label = QLabel("", self)
        self.done_label.setWordWrap(True)
        self.replacement = KeyReplacementPanel(office_side(self.below, self.own), self)
        self.replacement.hide()
        self.replacement.confirmed.connect(self.confirm_replacement)
        top = QHBoxLayout()
        top.addWidget(self.station, 1)
        top.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("答复保存到:", self.folder)
        self.arrange(f"登记{self.below}", [
            hint(f"导入{self.below}交来的注册申请文件(注册申请-….json),电话核对指纹后登记,"
                 f"再把答复文件用U盘交回{self.below}。", self),
            top,
            self.fingerprint,
            self.phone,
            self.replacement,
            form,
            self.done_label,
            STRETCH,
        ], actions=[self.enroll_button], size=(700, 460))

    def set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)
        self.enroll_button.setEnabled(not busy and self.request is not None
                                      and self.replacement.isHidden())
        self.replacement.replace_button.setEnabled(not busy)

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, f"选择{self.below}的注册申请文件", start_folder(),
            "注册申请 (*.json);;所有文件 (*)")
        if name:
            self.open_request(Path(name))

    def open_request(self, path: Path) -> None:
        """Reads and checks the request (a small signed file; no store involved)."""
        self.done_label.clear()
        self.replacement.hide()
        try:
            request = enroll.read_request(path)
        except SyncError as e:
            self.request = None
            self.enroll_button.setEnabled(False)
            self.fingerprint.hide()
            self.phone.hide()
            message = failures.report(e, "读取注册申请")
            self.station.setText(f"<span style='color:#c62f2f'>{escape(message)}</span>")
            return
        self.request, self.requested = path, request
        self.station.setText(f"申请{self.below}:<b>{request.name}</b>(代码 {request.code})")
        self.fingerprint.show_fingerprint(request.fingerprint, f"{request.name}的指纹")
        self.fingerprint.show()
        self.phone.show()
        self.enroll_button.setEnabled(True)
        self.folder.set_folder(str(path.parent))

    def register(self, replace_key: str | None = None, reason: str | None = None) -> None:
        """Enrolls the station; `replace_key` and `reason` confirm a new key for a station
        enrolled before (the panel's fingerprint typed from the phone call)."""
        folder = self.folder.folder()
        if folder is None or self.request is None or self.requested is None:
            return
        store, request = self.workspace.store, self.request
        answer = folder / answer_name(self.requested.code)
        self.answer = answer

        def work() -> tuple[enroll.Enrolled, str]:
            return (enroll.enroll(store, request, answer, replace_key=replace_key,
                                  reason=reason), enroll.own_fingerprint(store))
        self.run(f"更换{self.below}密钥" if replace_key else f"登记{self.below}", lambda _p: work(),
                 self._enrolled, cancellable=False, on_refused=self._needs_replacement)

    def _needs_replacement(self, error: BaseException) -> bool:
        """The station is enrolled with another key: not a dead end, the panel instead."""
        if not isinstance(error, KeyReplacementNeeded):
            return False
        self.replacement.show_refusal(error.registered, error.fingerprint)
        if self.requested is not None:
            self.fingerprint.show_fingerprint(
                error.fingerprint, f"此申请的指纹(与{self.own}登记的{self.requested.name}指纹不同)")
        self.phone.hide()
        self.enroll_button.setEnabled(False)
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        return True

    def confirm_replacement(self, typed: str, reason: str) -> None:
        """Asked once more, with both fingerprints, before the old key is revoked."""
        requested = self.requested
        if requested is None:
            return
        old = self.replacement.registered.text()
        asked = QMessageBox.question(
            self, "更换密钥",
            f"确认更换 {requested.name}({requested.code})的密钥?\n\n"
            f"新密钥指纹:{requested.fingerprint}(已与{self.below}电话核对)\n"
            f"原登记的指纹:{old}\n原因:{reason}\n\n"
            "更换后原密钥立即吊销,用它签名的数据包一律拒绝导入;"
            f"更换记入{self.own}审计记录,并随回传数据包通知该{self.below}。")
        if asked == QMessageBox.StandardButton.Yes:
            self.register(replace_key=typed, reason=reason)

    def _enrolled(self, outcome: tuple[enroll.Enrolled, str]) -> None:
        result, own = outcome
        self.enrolled = result
        answer = self.answer
        assert answer is not None
        old = self.replacement.registered.text()
        self.replacement.hide()
        self.set_busy(False)
        note = f"<p>{result.note}</p>" if result.note else ""
        if result.replaced:
            note += (f"<p style='color:#c62f2f'>已更换该{self.below}的密钥:原密钥(指纹 {old})"
                     f"已吊销,更换已记入审计记录,并随回传数据包通知{self.below}。</p>")
        self.done_label.setText(
            f"<p style='color:#1e7b34; font-weight:bold'>已登记 {result.name}。</p>"
            f"<p>答复文件:<b>{answer.name}</b>(在所选文件夹中),请交回{self.below}导入。</p>"
            f"<p>{self.own}指纹:<b style='font-size:14pt'>{own}</b>"
            f"({self.below}导入答复后会显示此指纹,请一并核对)</p>" + note)


STATUS_HEADERS = ["乡镇", "代码", "已导入至", "缺失", "等待中", "分叉", "待核查",
                  "最后导入时间", "密钥", "待裁定重复", "已回传至"]
STATUS_WIDTHS = (110, 96, 70, 90, 80, 60, 64, 130, 64, 84, 70)
HELD = STATUS_HEADERS.index("待核查")


def held_text(p: PeerStatus) -> str:
    """Why a station's row is red: what the county kept for review, and the latest chain
    finding (the tooltip of the row)."""
    lines = [f"留待核查:未采用的记录 {p.held} 条(冲突或被隔离),"
             f"审计链与县里已收到的不一致 {p.chain_findings} 次"]
    if p.last_finding:
        lines.append(f"最近一次:{p.last_finding}")
    return "\n".join(lines)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


class StationsDialog(SyncDialog):
    """乡镇同步状况: one row per enrolled station; a return bundle for the chosen one."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        self.below, self.own = office_words(workspace.store)
        super().__init__(workspace, f"{self.below}同步状况", parent)
        self.setObjectName("stationsDialog")
        self.peers: list[PeerStatus] = []
        headers = [self.below, *STATUS_HEADERS[1:]]
        if workspace.store.info.kind != "county":  # only a county rules on them
            headers[STATUS_HEADERS.index("待裁定重复")] = "疑似重复"
        self.table = plain_table(self, headers)
        self.table.setObjectName("stationTable")
        for column, width in enumerate(STATUS_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel("", self)
        self.findings = QLabel("", self)
        self.findings.setObjectName("stationFindings")
        self.findings.setWordWrap(True)
        self.findings.setStyleSheet("color: #c62f2f;")
        self.findings.hide()
        refresh = QPushButton("刷新", self)
        refresh.clicked.connect(self.load)
        self.return_button = QPushButton(f"为所选{self.below}生成回传数据包…", self)
        self.return_button.clicked.connect(self.export_return)
        self.revoke_button = QPushButton("吊销密钥…", self)
        self.revoke_button.setToolTip(f"{self.below}电脑或U盘丢失、密钥可能泄露时使用")
        self.revoke_button.clicked.connect(self.revoke)
        self.arrange(f"{self.below}同步状况", [
            hint(f"“缺失”的数据包请{self.below}重新导出或补交;“分叉”表示收到了同号但内容"
                 f"不同的数据包,请与该{self.below}核查。“待核查”是{self.own}未采用的记录(冲突或被隔离)"
                 f"与审计链不一致的次数之和:这样的{self.below}标红,原因列在表下。", self),
            (self.table, 1),
            self.findings,
        ], actions=[(self.summary, 1), self.revoke_button, refresh, self.return_button],
            size=(1000, 460))
        self.load()

    def load(self) -> None:
        store = self.workspace.store
        self.run("读取同步状况", lambda _p: [p for p in status(store) if p.role == "station"],
                 self._show, cancellable=False)

    def set_busy(self, busy: bool) -> None:
        self.return_button.setEnabled(not busy)
        self.revoke_button.setEnabled(not busy)

    def _show(self, peers: list[PeerStatus]) -> None:
        self.peers = peers
        self.table.setRowCount(len(peers))
        for row, p in enumerate(peers):
            held = p.held + p.chain_findings
            cells = [QTableWidgetItem(p.name), QTableWidgetItem(p.code), count_item(p.last_seq),
                     QTableWidgetItem(f"第 {p.missing} 号" if p.missing else ""),
                     QTableWidgetItem("、".join(map(str, p.waiting))),
                     QTableWidgetItem("、".join(map(str, p.forks))),
                     count_item(held or ""),
                     QTableWidgetItem(_when(p.last_applied_at)),
                     QTableWidgetItem(p.key_status), count_item(p.open_duplicates),
                     count_item(p.sent_seq)]
            bad = {3: bool(p.missing), 5: bool(p.forks), HELD: bool(held),
                   STATUS_HEADERS.index("密钥"): p.key_status != "有效"}
            bad[0] = any(bad.values())
            for column, item in enumerate(cells):
                if bad.get(column):
                    item.setForeground(QBrush(RED))
                if held:  # the whole row: held records are what the county must look at
                    item.setBackground(QBrush(RED_BACK))
                    item.setToolTip(held_text(p))
                self.table.setItem(row, column, item)
        gaps = sum(1 for p in peers if p.missing)
        review = [p for p in peers if p.held or p.chain_findings]
        to_review = len(review)
        # Said in the open too, not only in the tooltip: what to look into, and why.
        self.findings.setText("\n".join(f"{p.name}:" + held_text(p).replace("\n", ";")
                                        for p in review))
        self.findings.setVisible(bool(review))
        self.summary.setText(f"已登记 {len(peers)} 个{self.below}" +
                             (f",{gaps} 个有缺失的数据包" if gaps else "") +
                             (f",{to_review} 个有待核查的数据" if to_review else ""))
        self.summary.setStyleSheet("color: #c62f2f; font-weight: bold;" if to_review else "")

    def selected_station(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.peers[rows[0].row()].code if rows else None

    def revoke(self) -> None:
        code = self.selected_station()
        if code is None:
            self.show_error(f"请先在表中选中一个{self.below}。")
            return
        name = next(p.name for p in self.peers if p.code == code)
        reason, ok = QInputDialog.getText(self, "吊销密钥", f"吊销 {name} 的密钥,原因(必填):")
        if not ok:
            return
        if not reason.strip():
            self.show_error("吊销密钥必须填写原因,未吊销。")
            return
        asked = QMessageBox.question(
            self, "吊销密钥", f"吊销后,{name}用该密钥签名的数据包一律拒绝导入;"
            f"该{self.below}导入回传数据包后须生成新密钥并重新申请注册。确认吊销?")
        if asked != QMessageBox.StandardButton.Yes:
            return
        store = self.workspace.store
        self.run("吊销密钥", lambda _p: revoke_station_key(store, code, reason.strip()),
                 lambda keys: self._revoked(name, keys), cancellable=False)

    def _revoked(self, name: str, keys: list[str]) -> None:
        self.load()
        QMessageBox.information(self, "吊销密钥", f"已吊销 {name} 的 {len(keys)} 个密钥。"
                                f"请为该{self.below}生成回传数据包,让{self.below}知道并重新申请注册。")

    def export_return(self) -> None:
        dialog = ReturnDialog(self.workspace, self.parentWidget(), self.selected_station())
        dialog.work_done.connect(lambda _r: self.load() if not self.busy() else None)
        dialog.show()


class ReturnDialog(SyncDialog):
    """生成回传数据包: receipts, rulings, decisions, key changes and poverty lines for one
    station, to a folder or USB stick."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None,
                 station: str | None = None) -> None:
        self.below, self.own = office_words(workspace.store)
        super().__init__(workspace, "生成回传数据包", parent)
        self.setObjectName("returnDialog")
        self.wanted = station
        self.exported: ExportResult | None = None
        self.station = QComboBox(self)
        self.station.setMinimumWidth(260)
        self.folder = FolderPicker("return_folder", self)
        self.full = QCheckBox(f"全量(该{self.below}重装了数据库时使用)", self)
        self.export_button = QPushButton("生成", self)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.outcome = QLabel("", self)
        self.outcome.setWordWrap(True)
        form = QFormLayout()
        form.addRow(f"{self.below}:", self.station)
        form.addRow("保存到:", self.folder)
        form.addRow("", self.full)
        self.arrange("生成回传数据包", [
            hint("回传数据包含县里的回执、重复登记裁定、县级决定、密钥变更和贫困线"
                 f"标准,交{self.below}用“导入县级数据包”导入。", self),
            form,
            (self.outcome, 1),
        ], actions=[self.export_button], size=(660, 380))
        store = workspace.store
        self.run("读取同步状况", lambda _p: [p for p in status(store) if p.role == "station"],
                 self._stations, cancellable=False)

    def _stations(self, peers: list[PeerStatus]) -> None:
        self.station.clear()
        for p in peers:
            self.station.addItem(f"{p.name}({p.code},已回传至第 {p.sent_seq} 号)", p.code)
        if self.wanted:
            index = self.station.findData(self.wanted)
            if index >= 0:
                self.station.setCurrentIndex(index)
        if not peers:
            self.outcome.setText(f"<span style='color:#c62f2f'>还没有登记任何{self.below}。</span>")

    def set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)

    def export(self) -> None:
        code = self.station.currentData()
        if not code:
            self.show_error(f"请先选择{self.below}。")
            return
        folder = self.folder.folder()
        if folder is None:
            return
        store, full = self.workspace.store, self.full.isChecked()
        self.run("生成回传数据包",
                 lambda p: export_return(store, str(code), folder, full=full, progress=p),
                 self._done)

    def _done(self, result: ExportResult) -> None:
        self.exported = result
        parts = [f"{table_label(n)} {c}" for n, c in result.counts.items() if c]
        self.outcome.setText(
            f"<p style='color:#1e7b34; font-weight:bold'>已生成第 {result.seq} 号回传数据包</p>"
            f"<p>文件:<b>{result.path.name}</b>(已保存到所选的文件夹/U盘)</p>"
            f"<p>内容:{','.join(parts) or f'无新内容(仍可交{self.below}导入,以确认连接)'}</p>")
