"""The 打印 menu: 公示/公告 posters, 村花名册, 乡登记簿 and 扶贫手册. Each asks what to print
in a small dialog, has reports.pdf generate the PDF in the DB worker (to a temporary file,
with progress and 取消), then opens the print preview (desktop.print_preview) from which
the clerk prints or saves it.

    install(window)   # adds the actions; window.findChild(PrintActions) drives them in tests
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.look import icon
from desktop.main_window import MainWindow
from desktop.print_preview import PreviewDialog
from forms import codelists as cl
from registry import households as hh
from registry import villages as vl
from registry.progress import Cancelled, Progress
from reports.fonts import FontMissing, MissingGlyphs
from reports.pdf.handbook import print_handbook
from reports.pdf.layout import PrintResult
from reports.pdf.notice import DEFAULT_DAYS, KINDS, print_notice
from reports.pdf.registers import print_register, print_roster

KIND_LABELS = {"first": "第一次公示(村委会)", "second": "第二次公示(乡镇人民政府)",
               "announcement": "公告(县扶贫开发领导小组办公室)"}

# Makes the PDF at `out` in the worker, from a session of its own.
Make = Callable[[Session, Path, Progress], PrintResult]


@dataclass(frozen=True)
class Places:
    """What the dialogs offer: the station's villages and the selected household."""

    villages: list[vl.Village]
    household_id: str | None
    household_name: str  # its head, "" when none is selected
    household_village: str | None


def _village_box(parent: QWidget, villages: list[vl.Village], current: str | None
                 ) -> QComboBox:
    box = QComboBox(parent)
    for v in villages:
        box.addItem(v.name, v.code)
    index = box.findData(current) if current else -1
    box.setCurrentIndex(max(index, 0))
    box.setMinimumWidth(220)
    return box


def _paper_box(parent: QWidget, key: str) -> QComboBox:
    box = QComboBox(parent)
    box.addItem("A4", "A4")
    box.addItem("A3(张贴用大纸)", "A3")
    remembered = str(QSettings().value(key, "A4"))
    box.setCurrentIndex(max(box.findData(remembered), 0))
    return box


def _buttons(dialog: QDialog, ok_text: str = "生成并预览") -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setIcon(icon("print"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


class NoticeDialog(QDialog):
    """公示/公告: village, kind, whom to list, paper, period, where to object."""

    def __init__(self, places: Places, current_village: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印公示/公告")
        settings = QSettings()
        self.village = _village_box(self, places.villages, current_village)
        self.kind = QComboBox(self)
        for key in KINDS:
            self.kind.addItem(KIND_LABELS[key], key)
        self.kind.setCurrentIndex(max(self.kind.findData(settings.value("print/kind")), 0))
        self.at_step = QRadioButton(self)
        self.everyone = QRadioButton("全部农户(不限识别阶段)", self)
        self.at_step.setChecked(True)
        scope = QButtonGroup(self)
        scope.addButton(self.at_step)
        scope.addButton(self.everyone)
        self.paper = _paper_box(self, "print/notice_paper")
        self.start = QDateEdit(QDate.currentDate(), self)
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy年M月d日")
        self.days = QSpinBox(self)
        self.days.setRange(1, 90)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" 天")
        for narrow in (self.start, self.days, self.paper):
            narrow.setFixedWidth(180)
        self.phone = QLineEdit(str(settings.value("print/phone", "")), self)
        self.phone.setPlaceholderText("如 0834-8331234")
        self.address = QLineEdit(str(settings.value("print/address", "")), self)
        self.address.setPlaceholderText("如 竹核镇人民政府扶贫工作站(一楼)")
        self.address.setMinimumWidth(320)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()

        form = QFormLayout()
        form.addRow("行政村:", self.village)
        form.addRow("类型:", self.kind)
        form.addRow("列出:", self.at_step)
        form.addRow("", self.everyone)
        form.addRow("纸张:", self.paper)
        form.addRow("公示开始日期:", self.start)
        form.addRow("公示天数:", self.days)
        form.addRow("异议电话:", self.phone)
        form.addRow("异议受理地址:", self.address)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint("公示只列户主姓名、人口、属性和致贫原因,不含身份证号、电话、"
                               "银行账号和健康信息。异议电话和地址会记住,下次自动填入。", self))
        layout.addWidget(_buttons(self))

    def _kind_changed(self) -> None:
        stage = cl.STAGE.label_of(KINDS[self.kind_key()].stage)
        self.at_step.setText(f"只列处于“{stage}”阶段的农户")

    def kind_key(self) -> str:
        return str(self.kind.currentData())

    def remember(self) -> None:
        settings = QSettings()
        settings.setValue("print/phone", self.phone.text().strip())
        settings.setValue("print/address", self.address.text().strip())
        settings.setValue("print/kind", self.kind_key())
        settings.setValue("print/notice_paper", self.paper.currentData())

    def start_date(self) -> date:
        d = self.start.date()
        return date(d.year(), d.month(), d.day())

    def title(self) -> str:
        return f"{self.village.currentText()}{KINDS[self.kind_key()].name}"

    def make(self) -> Make:
        code, kind, everyone = str(self.village.currentData()), self.kind_key(), \
            self.everyone.isChecked()
        paper, phone, address = str(self.paper.currentData()), self.phone.text().strip(), \
            self.address.text().strip()
        start, days = self.start_date(), self.days.value()
        return lambda s, out, progress: print_notice(
            s, code, kind, out, include_all=everyone, paper=paper, phone=phone,
            address=address, start=start, days=days, progress=progress)


class RosterDialog(QDialog):
    """村花名册: one village, A4 or A3 (landscape)."""

    def __init__(self, places: Places, current_village: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rosterDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印村花名册")
        self.village = _village_box(self, places.villages, current_village)
        self.paper = _paper_box(self, "print/register_paper")
        form = QFormLayout()
        form.addRow("行政村:", self.village)
        form.addRow("纸张:", self.paper)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint("花名册含身份证号码,属内部资料,请勿张贴。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        return f"{self.village.currentText()}花名册"

    def make(self) -> Make:
        code, paper = str(self.village.currentData()), str(self.paper.currentData())
        QSettings().setValue("print/register_paper", paper)
        return lambda s, out, progress: print_roster(s, code, out, paper=paper,
                                                     progress=progress)


class RegisterDialog(QDialog):
    """乡登记簿: the whole township; only the paper to choose."""

    def __init__(self, places: Places, township: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印乡登记簿")
        self.township = township
        self.paper = _paper_box(self, "print/register_paper")
        form = QFormLayout()
        form.addRow("范围:", QLabel(f"{township}全部 {len(places.villages)} 个行政村", self))
        form.addRow("纸张:", self.paper)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint("登记簿含身份证号码,属内部资料。农户多时生成需要一两分钟,"
                               "可随时取消。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        return f"{self.township}农户登记簿"

    def make(self) -> Make:
        paper = str(self.paper.currentData())
        QSettings().setValue("print/register_paper", paper)
        return lambda s, out, progress: print_register(s, out, paper=paper,
                                                       progress=progress)


class HandbookDialog(QDialog):
    """扶贫手册: the selected household, or every household of a village."""

    def __init__(self, places: Places, current_village: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handbookDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印扶贫手册")
        self.household_id = places.household_id
        self.household_name = places.household_name
        self.one = QRadioButton(self)
        self.whole = QRadioButton("整个行政村(每户一份)", self)
        group = QButtonGroup(self)
        group.addButton(self.one)
        group.addButton(self.whole)
        if places.household_id:
            self.one.setText(f"所选农户:{places.household_name}户")
            self.one.setChecked(True)
        else:
            self.one.setText("所选农户(请先在户表中选中一户)")
            self.one.setEnabled(False)
            self.whole.setChecked(True)
        self.village = _village_box(self, places.villages,
                                    current_village or places.household_village)
        self.village.setEnabled(self.whole.isChecked())
        self.whole.toggled.connect(self.village.setEnabled)
        form = QFormLayout()
        form.addRow("打印:", self.one)
        form.addRow("", self.whole)
        form.addRow("行政村:", self.village)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint("扶贫手册(户卡)包含该户全部登记项目、家庭成员、帮扶责任人和"
                               "帮扶计划,A4 纵向。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        if self.one.isChecked():
            return f"{self.household_name}户扶贫手册"
        return f"{self.village.currentText()}扶贫手册"

    def make(self) -> Make:
        if self.one.isChecked():
            household = self.household_id
            return lambda s, out, progress: print_handbook(s, out, household_id=household,
                                                           progress=progress)
        code = str(self.village.currentData())
        return lambda s, out, progress: print_handbook(s, out, village_code=code,
                                                       progress=progress)


def missing_glyphs_text(error: MissingGlyphs) -> str:
    lines = []
    for ch, where in error.chars.items():
        at = "、".join(where) if where else "(位置未知)"
        lines.append(f"“{ch}”(U+{ord(ch):04X}):{at}")
    return "\n".join(lines)


class PrintActions(QObject):
    """The 打印 menu's actions and the flow dialog → worker → preview."""

    dialog_opened = Signal(object)  # the options dialog (tests fill it in)
    preview_opened = Signal(object)  # the PreviewDialog
    failed = Signal(str)  # the message shown

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("printActions")
        self.window = window
        self.preview: PreviewDialog | None = None
        self.op_id: int | None = None  # the generation running in the worker

        # No Ctrl+P here: features may not claim the window's shortcuts (the preview's
        # 打印 button has it).
        def act(text: str, slot: Callable[[], None]) -> QAction:
            action = QAction(icon("print"), text, window)
            action.triggered.connect(slot)
            return action

        self.notice_action = act("公示/公告…", self.open_notice)
        self.roster_action = act("村花名册…", self.open_roster)
        self.register_action = act("乡登记簿…", self.open_register)
        self.handbook_action = act("扶贫手册…", self.open_handbook)
        window.add_action("打印", self.notice_action, toolbar=True)
        window.add_action("打印", self.roster_action)
        window.add_action("打印", self.register_action)
        window.menu("打印").addSeparator()
        window.add_action("打印", self.handbook_action)

    # ---- the dialogs ---------------------------------------------------------------------
    def _with_places(self, show: Callable[[Places], QDialog]) -> None:
        """Loads the villages (and the selected household's head) in the worker, then
        opens the dialog."""
        store = self.window.workspace.store
        household_id = self.window.selected_household_id()

        def load() -> Places:
            with store.session() as s:
                villages = vl.list_villages(s)
                if household_id is None:
                    return Places(villages, None, "", None)
                row = hh.get_household(s, household_id)
                return Places(villages, household_id, row.head_name or "", row.village_code)

        def done(places: Places) -> None:
            if not places.villages:
                self._fail("打印", "本站还没有行政村,请先在设置中添加。")
                return
            dialog = show(places)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self._accepted(dialog))
            dialog.open()
            self.dialog_opened.emit(dialog)

        self.window.workspace.run(load, done, lambda e: self._fail("打印", str(e)))

    def _current_village(self) -> str | None:
        return self.window.tree.current_place()[0]

    def open_notice(self) -> None:
        self._with_places(lambda p: NoticeDialog(p, self._current_village(), self.window))

    def open_roster(self) -> None:
        self._with_places(lambda p: RosterDialog(p, self._current_village(), self.window))

    def open_register(self) -> None:
        township = self.window.workspace.store.info.region_name
        self._with_places(lambda p: RegisterDialog(p, township, self.window))

    def open_handbook(self) -> None:
        self._with_places(lambda p: HandbookDialog(p, self._current_village(), self.window))

    def _accepted(self, dialog: QDialog) -> None:
        if isinstance(dialog, NoticeDialog):
            dialog.remember()
        assert isinstance(dialog, NoticeDialog | RosterDialog | RegisterDialog | HandbookDialog)
        self.generate(dialog.title(), dialog.make())

    # ---- generating -----------------------------------------------------------------------
    def generate(self, title: str, make: Make) -> None:
        """Runs `make` in the worker to a temporary PDF, then shows the preview."""
        folder = tempfile.TemporaryDirectory(prefix="fupin-print-")
        out = Path(folder.name) / "打印.pdf"
        store = self.window.workspace.store

        def work(progress: Progress) -> PrintResult:
            with store.session() as s:
                return make(s, out, progress)

        def done(result: PrintResult) -> None:
            summary = (f"{title}:共 {result.pages} 页,{result.households} 户 "
                       f"{result.members} 人")
            try:
                dialog = PreviewDialog(result.path, title, self.window, owned_dir=folder,
                                       summary=summary)
            except Exception as e:  # noqa: BLE001 - an unreadable PDF is shown, not raised
                folder.cleanup()
                self._fail(title, f"无法预览生成的文件:{e}")
                return
            self.preview = dialog
            dialog.destroyed.connect(lambda _o=None: self._preview_gone(dialog))
            dialog.show()
            self.window.statusBar().showMessage(summary, 6000)
            self.preview_opened.emit(dialog)

        def fail(error: BaseException) -> None:
            folder.cleanup()
            self.show_error(title, error)

        self.op_id = self.window.workspace.worker.submit(
            work, done, fail, label=f"正在生成{title}…", cancellable=True)

    def _preview_gone(self, dialog: PreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None

    def show_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self.window.statusBar().showMessage("已取消,未生成文件", 5000)
            return
        if isinstance(error, MissingGlyphs):
            self._fail(title, "字体中缺少下列汉字,打印出来会是空白方框,已停止生成。\n\n"
                       + missing_glyphs_text(error)
                       + "\n\n请安装含有这些字的字体(如 Windows 的 SimSun-ExtB,即 simsunb.ttf),"
                         "或把字体文件复制到程序目录的 resources\\fonts 文件夹,然后重新打印;"
                         "也可以核对这些姓名是否录入有误。")
            return
        if isinstance(error, FontMissing):
            self._fail(title, f"找不到中文字体,无法生成 PDF。\n\n{error}")
            return
        self._fail(title, str(error) or type(error).__name__)

    def _fail(self, title: str, text: str) -> None:
        self.failed.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, f"{title} — 未能打印", text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def install(window: MainWindow) -> None:
    PrintActions(window)
