"""First run: where the station is (市 → 县 → 乡镇, from the shipped Sichuan division codes),
the first user, the villages (preloaded; names can be corrected and 组 added), and the
recovery key, shown once with the instruction to print or copy it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.households.village_editor import VillageTable
from desktop.look import icon
from desktop.widgets.labels import hint
from registry import failures, regions
from registry.errors import StoreError
from registry.store import Store
from registry.villages import load_villages, save_villages
from sync.keys import ensure_keys

PROVINCE = "51"


def _error(parent: QWidget, name: str) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    return label


class PlacePage(QWizardPage):
    def __init__(self, default_path: Path) -> None:
        super().__init__()
        self.setTitle("第一步:选择本工作站所在的乡镇")
        self.setSubTitle("区划代码采用四川省统计用区划代码,各村已预先载入。")
        self.city = QComboBox(self)
        self.city.setObjectName("setupCity")
        self.county = QComboBox(self)
        self.county.setObjectName("setupCounty")
        self.township = QComboBox(self)
        self.township.setObjectName("setupTownship")
        for combo in (self.city, self.county, self.township):
            combo.setMinimumWidth(280)
            combo.setMaxVisibleItems(20)
        divisions = regions.sichuan()
        self.city.addItem("请选择", None)
        for d in sorted(divisions.children(PROVINCE), key=lambda d: d.code):
            self.city.addItem(f"{d.name}", d.code)
        self.city.currentIndexChanged.connect(self._city_changed)
        self.county.currentIndexChanged.connect(self._county_changed)
        self.township.currentIndexChanged.connect(lambda _i: self._township_changed())

        self.path = QLineEdit(str(default_path), self)
        self.path.setObjectName("setupPath")
        self.path.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("选择…", self)
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.villages = hint("", self)

        form = QFormLayout(self)
        form.addRow("市(州)", self.city)
        form.addRow("县(市、区)", self.county)
        form.addRow("乡(镇)", self.township)
        form.addRow("", self.villages)
        form.addRow("数据库文件", path_row)
        form.addRow("", hint("数据库全程加密保存。建议放在本机固定位置,并定期备份到U盘。",
                              self))

    def _city_changed(self) -> None:
        self._fill(self.county, self.city.currentData())

    def _county_changed(self) -> None:
        self._fill(self.township, self.county.currentData())

    def _fill(self, combo: QComboBox, parent_code: str | None) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("请选择", None)
        if parent_code:
            for d in sorted(regions.sichuan().children(parent_code), key=lambda d: d.code):
                combo.addItem(d.name, d.code)
        combo.blockSignals(False)
        combo.currentIndexChanged.emit(0)

    def _township_changed(self) -> None:
        code = self.township_code()
        if code:
            count = len(regions.sichuan().children(code))
            self.villages.setText(f"{regions.sichuan().full_name(code)},代码 {code},"
                                  f"共 {count} 个村(社区)")
        else:
            self.villages.setText("")
        self.completeChanged.emit()

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "数据库文件", self.path.text(),
                                              "工作站数据库 (*.db)")
        if name:
            self.path.setText(name)

    def select(self, township_code: str) -> None:
        """Picks city, county and township for a code (tests, and a known station)."""
        for combo, length in ((self.city, 4), (self.county, 6), (self.township, 9)):
            combo.setCurrentIndex(combo.findData(township_code[:length]))

    def township_code(self) -> str | None:
        code = self.township.currentData()
        return str(code) if code else None

    def isComplete(self) -> bool:
        return bool(self.township_code() and self.path.text().strip())


class UserPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("第二步:建立第一个用户(管理员)")
        self.setSubTitle("此用户可以再为其他工作人员建立账号。密码至少8位,请牢记。")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "建立工作站")
        self.user = QLineEdit(self)
        self.user.setObjectName("setupUser")
        self.user.setPlaceholderText("如:张明 或 admin")
        self.password = QLineEdit(self)
        self.password.setObjectName("setupPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit(self)
        self.again.setObjectName("setupPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = _error(self, "setupError")
        for edit in (self.user, self.password, self.again):
            edit.setMinimumWidth(260)
            edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        form = QFormLayout(self)
        form.addRow("用户名", self.user)
        form.addRow("密码", self.password)
        form.addRow("再输一次密码", self.again)
        form.addRow("", self.error)

    def isComplete(self) -> bool:
        return bool(self.user.text().strip() and self.password.text() and self.again.text())

    def validatePage(self) -> bool:
        if len(self.password.text()) < 8:
            self.error.setText("密码至少8位")
            return False
        if self.password.text() != self.again.text():
            self.error.setText("两次输入的密码不一致")
            return False
        place = self._wizard.place
        code = place.township_code()
        assert code is not None
        self.error.setText("正在建立加密数据库…")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            store, key = Store.create(Path(place.path.text().strip()), kind="station",
                                      region_code=code, user=self.user.text().strip(),
                                      password=self.password.text())
            ensure_keys(store)  # the station's signing and encryption keys, made at setup
        except StoreError as e:
            self.error.setText(failures.report(e, "建立工作站"))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error.clear()
        self._wizard.store = store
        self._wizard.recovery_key = key
        return True


class VillagesPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("第三步:核对村名,填写各村的村民小组数")
        self.setSubTitle("村名与实际不符可直接修改;组数填写后自动建立 1组、2组……"
                         "(以后可在“户籍管理 → 村组管理”中增加)。")
        self.table = VillageTable(self)
        self.error = _error(self, "setupVillagesError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        assert self._wizard.store is not None
        # On the UI thread: a few dozen rows, and the wizard has no worker yet.
        self.table.show_villages(load_villages(self._wizard.store))

    def set_village(self, row: int, name: str | None = None, groups: int | None = None
                    ) -> None:
        self.table.set_village(row, name, groups)

    def validatePage(self) -> bool:
        assert self._wizard.store is not None
        try:
            save_villages(self._wizard.store, self.table.edits())
        except StoreError as e:
            self.error.setText(failures.report(e, "保存村组"))
            return False
        self.error.clear()
        return True


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("第四步:打印或抄写恢复密钥(只显示这一次)")
        self.setSubTitle("忘记全部密码或密钥文件丢失时,只有恢复密钥能打开数据库。"
                         "请立即打印或抄写,签字后锁入档案柜;不要保存在本电脑上。")
        self.key = QLabel("", self)
        self.key.setObjectName("recoveryKey")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(18)
        font.setBold(True)
        self.key.setFont(font)
        self.key.setWordWrap(True)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setStyleSheet("background:#fffbe6;border:1px solid #e6c200;padding:12px;")
        copy = QPushButton(icon("key"), "复制到剪贴板", self)
        copy.setAutoDefault(False)
        copy.clicked.connect(self._copy)
        print_button = QPushButton(icon("print"), "打印…", self)
        print_button.setAutoDefault(False)
        print_button.clicked.connect(self._print)
        self.done = QCheckBox("我已打印或抄写恢复密钥,并已妥善保管", self)
        self.done.setObjectName("recoveryDone")
        self.done.toggled.connect(lambda _c: self.completeChanged.emit())
        self.status = hint("", self)
        row = QHBoxLayout()
        row.addWidget(copy)
        row.addWidget(print_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.key)
        layout.addLayout(row)
        layout.addSpacing(10)
        layout.addWidget(hint(
            "1. 点“打印…”打印两份,或逐组抄写在工作站登记簿上,核对无误后签字;\n"
            "2. 一份锁入乡镇档案柜,一份交县扶贫办备案;\n"
            "3. 本窗口关闭后恢复密钥不再显示(管理员以后可在“文件”中重新查看)。", self))
        layout.addStretch(1)
        layout.addWidget(self.done)

    def initializePage(self) -> None:
        key = self._wizard.recovery_key or ""
        # Four groups of four per line, as it will be copied by hand.
        groups = key.split("-")
        lines = ["  ".join(groups[i:i + 4]) for i in range(0, len(groups), 4)]
        self.key.setText("\n".join(lines))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._wizard.recovery_key or "")
        self.status.setText("已复制。请粘贴到打印的文档中,打印后删除该文档。")

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        store = self._wizard.store
        assert store is not None
        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        doc.setHtml(f"<h2>扶贫开发建档立卡工作站 恢复密钥</h2>"
                    f"<p>工作站:{store.info.region_name}(代码 {store.info.region_code})</p>"
                    f"<p>数据库编号:{store.info.store_id}</p>"
                    f"<pre style='font-size:16pt'>{self.key.text()}</pre>"
                    "<p>保管人签字:________________  日期:____________</p>")
        doc.print_(printer)
        self.status.setText("已送打印机。")

    def isComplete(self) -> bool:
        return self.done.isChecked()


class SetupWizard(QWizard):
    station_ready = Signal(object)  # the new, open Store
    restore_requested = Signal(object)  # 从备份恢复 (a new PC): the store's Path

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle("建立乡镇工作站")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成,开始使用")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.resize(820, 560)
        self.store: Store | None = None
        self.recovery_key: str | None = None
        self.place = PlacePage(default_path)
        self.user_page = UserPage(self)
        self.villages_page = VillagesPage(self)
        self.recovery_page = RecoveryPage(self)
        for page in (self.place, self.user_page, self.villages_page, self.recovery_page):
            self.addPage(page)
        # A station that exists on a backup (a new PC after a dead disk) is restored, not
        # set up again: only before anything was made, on the first page.
        self.setButtonText(QWizard.WizardButton.CustomButton1, "从备份恢复…")
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        # Bound methods, not lambdas: a lambda holding `self` makes a cycle that the garbage
        # collector may break while Qt destroys the wizard (which emits currentIdChanged).
        self.customButtonClicked.connect(self._restore_clicked)
        self.currentIdChanged.connect(self._page_changed)

    def _restore_clicked(self, _which: int) -> None:
        self.restore_requested.emit(Path(self.place.path.text().strip()))

    def _page_changed(self, _id: int) -> None:
        self.button(QWizard.WizardButton.CustomButton1).setVisible(
            self.store is None and self.currentPage() is self.place)

    def accept(self) -> None:
        # Announced before the wizard hides, so the main window is up first and the
        # application never sees a moment with no window (it would quit).
        self.station_ready.emit(self.store)
        super().accept()

    def reject(self) -> None:
        if self.store is not None:
            # The store exists: the recovery key must be seen before leaving.
            QMessageBox.information(self, "建立工作站", "工作站已建立。请完成余下步骤:"
                                    "恢复密钥只显示这一次。")
            return
        super().reject()
