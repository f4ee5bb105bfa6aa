"""The 打印 menu's option dialogs: each asks what to print (village, kind, paper, period…)
and hands back the print job (reports.pdf.jobs) that the DB worker runs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.look import icon
from desktop.widgets.labels import hint
from desktop.widgets.places import village_box
from registry import villages as vl
from reports.pdf.jobs import (
    AnnouncementJob,
    HandbookJob,
    HelperRosterJob,
    NoticeJob,
    Printable,
    PrintJob,
    RegisterJob,
    RosterJob,
)


@dataclass(frozen=True)
class Places:
    """What the dialogs offer: the station's villages and the selected household."""

    villages: list[vl.Village]
    household_id: str | None
    household_name: str  # its head, "" when none is selected
    household_village: str | None
    kind: str = "station"  # the store's: an office's villages are labelled with their places


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


class NoticeDialog(QDialog):
    """公示/公告: which recorded notice (or, at the county, which 文号's 公告), paper, where to
    object. A poster lists exactly the households on its record; a whole village's list
    is the 花名册."""

    def __init__(self, notices: list[Printable], current: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeDialog")
        self.setMinimumWidth(520)
        self.setWindowTitle("打印公示/公告")
        settings = QSettings()
        self.notices = notices
        self.notice = QComboBox(self)
        for n in notices:
            self.notice.addItem(n.label, n.job)
        self.notice.setMinimumWidth(420)
        if current is not None:
            index = next((i for i, n in enumerate(notices) if _key(n.job) == current), 0)
            self.notice.setCurrentIndex(index)
        self.paper = _paper_box(self, "print/notice_paper")
        self.paper.setFixedWidth(180)
        self.phone = QLineEdit(str(settings.value("print/phone", "")), self)
        self.phone.setPlaceholderText("如 0834-8331234")
        self.address = QLineEdit(str(settings.value("print/address", "")), self)
        self.address.setPlaceholderText("如 竹核镇人民政府扶贫工作站(一楼)")
        self.address.setMinimumWidth(320)

        form = QFormLayout()
        form.addRow("公示/公告:", self.notice)
        form.addRow("纸张:", self.paper)
        form.addRow("异议电话:", self.phone)
        form.addRow("异议受理地址:", self.address)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint("海报只列该公示(公告)上的农户:户主姓名、人口、属性和致贫原因,"
                               "不含身份证号、电话、银行账号和健康信息。公示期和编号取自公示记录。"
                               "异议电话和地址会记住,下次自动填入。", self))
        layout.addWidget(_buttons(self))

    def current_job(self) -> NoticeJob | AnnouncementJob:
        job = self.notice.currentData()
        assert isinstance(job, NoticeJob | AnnouncementJob)
        return job

    def remember(self) -> None:
        settings = QSettings()
        settings.setValue("print/phone", self.phone.text().strip())
        settings.setValue("print/address", self.address.text().strip())
        settings.setValue("print/notice_paper", self.paper.currentData())

    def title(self) -> str:
        job = self.current_job()
        if isinstance(job, AnnouncementJob):
            return f"公告 {job.ref}"
        number, _, title = self.notice.currentText().split("(")[0].partition(" ")
        return f"{title} {number}" if title else job.number

    def job(self) -> PrintJob:
        paper = str(self.paper.currentData())
        phone, address = self.phone.text().strip(), self.address.text().strip()
        job = self.current_job()
        if isinstance(job, AnnouncementJob):
            return AnnouncementJob(job.ref, paper=paper, phone=phone, address=address)
        return NoticeJob(job.number, paper=paper, phone=phone, address=address)


def _key(job: NoticeJob | AnnouncementJob) -> str:
    return job.ref if isinstance(job, AnnouncementJob) else job.number


class RosterDialog(QDialog):
    """村花名册: one village, A4 or A3 (landscape)."""

    def __init__(self, places: Places, current_village: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rosterDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印村花名册")
        self.village = village_box(self, places.villages, current_village, places.kind)
        self.paper = _paper_box(self, "print/register_paper")
        form = QFormLayout()
        form.addRow("行政村:", self.village)
        form.addRow("纸张:", self.paper)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint("花名册含身份证号码,属内部资料,请勿张贴。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        return f"{self.village.currentText()}花名册"

    def job(self) -> PrintJob:
        paper = str(self.paper.currentData())
        QSettings().setValue("print/register_paper", paper)
        return RosterJob(str(self.village.currentData()), paper=paper)


class HelperRosterDialog(QDialog):
    """村帮扶责任人名单: one village (A4 landscape, its own layout)."""

    def __init__(self, places: Places, current_village: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helperRosterDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle("打印帮扶责任人名单")
        self.village = village_box(self, places.villages, current_village, places.kind)
        form = QFormLayout()
        form.addRow("行政村:", self.village)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint("列出该村每户建档立卡户当前的帮扶责任人(单位、职务、联系电话),"
                              "属内部资料。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        return f"{self.village.currentText()}帮扶责任人名单"

    def job(self) -> PrintJob:
        return HelperRosterJob(str(self.village.currentData()))


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
        layout.addWidget(hint("登记簿含身份证号码,属内部资料。农户多时生成需要一两分钟,"
                               "可随时取消。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        return f"{self.township}农户登记簿"

    def job(self) -> PrintJob:
        paper = str(self.paper.currentData())
        QSettings().setValue("print/register_paper", paper)
        return RegisterJob(paper=paper)


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
        self.village = village_box(self, places.villages,
                                   current_village or places.household_village, places.kind)
        self.village.setEnabled(self.whole.isChecked())
        self.whole.toggled.connect(self.village.setEnabled)
        form = QFormLayout()
        form.addRow("打印:", self.one)
        form.addRow("", self.whole)
        form.addRow("行政村:", self.village)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint("扶贫手册(户卡)包含该户全部登记项目、家庭成员、帮扶责任人和"
                               "帮扶计划,A4 纵向。", self))
        layout.addWidget(_buttons(self))

    def title(self) -> str:
        if self.one.isChecked():
            return f"{self.household_name}户扶贫手册"
        return f"{self.village.currentText()}扶贫手册"

    def job(self) -> PrintJob:
        if self.one.isChecked():
            return HandbookJob(household_id=self.household_id)
        return HandbookJob(village_code=str(self.village.currentData()))
