"""公示 in the app: the list of notices (到期公示 first: the period is over and the notice not
closed yet), and one notice's window — the households on it and how each left it, the
objections received, 登记异议 (who — may be anonymous —, what, how it was checked, the
outcome 维持 / 退回重新评议 / 取消) and 结束公示, which moves every household still on it to
the next step."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.main_window import MainWindow
from desktop.procedure import printing
from desktop.procedure.form_dialog import FormDialog, date_edit, date_of
from desktop.procedure.step_dialogs import text_box
from desktop.widgets.labels import hint, set_title
from desktop.widgets.tables import count_item, plain_table
from registry.procedure import access
from registry.procedure.access import NoticeDetail, NoticeHousehold
from registry.procedure.notices import (
    CANCEL,
    KEEP,
    KIND_NAMES,
    OUTCOME_NAMES,
    RETURN_TO_VILLAGE,
    NoticeInfo,
)
from registry.roles import Act

NOTICE_HEADERS = ["编号", "公示", "开始", "截止", "户数", "异议", "状态"]


def notice_state(n: NoticeInfo, today: date) -> str:
    if n.closed_on is not None:
        return f"已结束({n.closed_on})"
    return "已到期,待结束" if n.due(today) else "公示中"


def act_of(kind: str) -> Act:
    return Act.VILLAGE_STEPS if kind == "first" else Act.TOWNSHIP_STEPS


class NoticesDialog(QDialog):
    """The station's notices; 到期 ones on top and red. Opening one shows NoticeWindow."""

    loaded = Signal(int)
    notice_opened = Signal(object)  # the NoticeWindow

    def __init__(self, window: MainWindow, due_only: bool = True) -> None:
        super().__init__(window)
        self.main = window
        self.store = window.workspace.store
        self.setObjectName("noticesDialog")
        self.setWindowTitle("公示")
        self.resize(860, 460)
        self.notices: list[NoticeInfo] = []
        self.opened: NoticeWindow | None = None
        self.due_only = QCheckBox("只看到期待结束的公示", self)
        self.due_only.setChecked(due_only)
        self.due_only.toggled.connect(lambda _c: self.load())
        self.table = plain_table(self, NOTICE_HEADERS)
        self.table.setObjectName("noticeTable")
        for col, width in enumerate((86, 240, 92, 92, 50, 50)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.empty = hint("", self)
        open_button = QPushButton("办理所选公示…", self)
        open_button.setObjectName("openNotice")
        open_button.clicked.connect(self.open_selected)
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.due_only)
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint("公示期满后,登记期间收到的异议,再点“结束公示”:公示上仍在的农户进入下一步"
                              "(第一次公示 → 乡镇审核;第二次公示 → 县复审)。", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)
        open_button.setDefault(True)

    def load(self) -> None:
        store, due = self.store, self.due_only.isChecked()

        def done(found: list[NoticeInfo]) -> None:
            today = date.today()
            self.notices = sorted(found, key=lambda n: (not n.due(today), n.end_date))
            self.table.setRowCount(len(self.notices))
            for row, n in enumerate(self.notices):
                state = notice_state(n, today)
                cells = [QTableWidgetItem(n.number), QTableWidgetItem(n.title),
                         QTableWidgetItem(n.start_date.isoformat()),
                         QTableWidgetItem(n.end_date.isoformat()), count_item(n.households),
                         count_item(n.objections), QTableWidgetItem(state)]
                for col, item in enumerate(cells):
                    if n.due(today):
                        item.setForeground(Qt.GlobalColor.darkRed)
                    self.table.setItem(row, col, item)
            if self.notices:
                self.table.selectRow(0)
            self.empty.setText("" if self.notices else
                               ("没有到期待结束的公示。" if due else "还没有发起过公示。"))
            self.loaded.emit(len(self.notices))

        self.main.op("读取公示", lambda _p: access.list_notices(store, due), owner=self).success(
            done).run()

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        self.open_notice(self.notices[rows[0].row()].number)

    def open_notice(self, number: str) -> None:
        w = NoticeWindow(self.main, number, self)
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        w.changed.connect(self.load)
        self.opened = w
        w.open()
        w.load()
        self.notice_opened.emit(w)


class NoticeWindow(QDialog):
    """One notice: its households, its objections, 登记异议, 结束公示, 打印."""

    loaded = Signal()
    changed = Signal()  # an objection or the closing was recorded
    form_opened = Signal(object)

    def __init__(self, window: MainWindow, number: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent or window)
        self.main = window
        self.store = window.workspace.store
        self.number = number
        self.detail: NoticeDetail | None = None
        self.form: FormDialog | None = None
        self.setObjectName("noticeWindow")
        self.setWindowTitle(f"公示 {number}")
        self.resize(900, 600)
        self.title = set_title(QLabel("", self))
        self.info = QLabel("", self)
        self.info.setObjectName("noticeInfo")
        self.info.setWordWrap(True)
        self.households = plain_table(self, ["行政村", "组", "户主", "人口", "异议", "状态"])
        self.households.setObjectName("noticeHouseholds")
        for col, width in enumerate((120, 50, 110, 50, 50)):
            self.households.setColumnWidth(col, width)
        self.households.horizontalHeader().setStretchLastSection(True)
        self.objections = plain_table(self, ["日期", "户主", "异议人", "异议内容", "核查情况",
                                             "处理结果"])
        self.objections.setObjectName("objectionTable")
        for col, width in enumerate((92, 80, 80, 230, 200)):
            self.objections.setColumnWidth(col, width)
        self.objections.horizontalHeader().setStretchLastSection(True)
        self.objections.setMaximumHeight(150)

        allowed = False  # set on load, from the notice's kind
        self.objection_button = QPushButton("登记异议…", self)
        self.objection_button.setObjectName("addObjection")
        self.objection_button.clicked.connect(self.add_objection)
        self.close_button = QPushButton("结束公示…", self)
        self.close_button.setObjectName("closeNotice")
        self.close_button.clicked.connect(self.close_notice)
        self.print_button = QPushButton("打印公示…", self)
        self.print_button.setObjectName("printNotice")
        self.print_button.clicked.connect(self.print_notice)
        for b in (self.objection_button, self.close_button):
            b.setEnabled(allowed)
        done = QPushButton("关闭", self)
        done.setAutoDefault(False)
        done.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.objection_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(done)
        self.message = hint("", self)
        self.message.setObjectName("noticeMessage")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(self.households, 1)
        layout.addWidget(QLabel("公示期间收到的异议", self))
        layout.addWidget(self.objections)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)

    def load(self) -> None:
        store, number = self.store, self.number

        def done(d: NoticeDetail) -> None:
            self.detail = d
            today = date.today()
            n = d.info
            self.title.setText(f"{n.title}  {n.number}")
            self.info.setText(f"公示期 {n.start_date} 至 {n.end_date}({n.days} 天),"
                              f"{notice_state(n, today)};列出 {n.households} 户,"
                              f"异议 {n.objections} 件。")
            self.households.setRowCount(len(d.households))
            for row, h in enumerate(d.households):
                for col, item in enumerate((
                        QTableWidgetItem(h.village_name),
                        count_item("" if h.group_no is None else f"{h.group_no}组"),
                        QTableWidgetItem(h.head_name), count_item(h.size),
                        count_item(h.objections or ""), QTableWidgetItem(h.outcome_name))):
                    self.households.setItem(row, col, item)
            self.objections.setRowCount(len(d.objections))
            for row, o in enumerate(d.objections):
                for col, text in enumerate((o.received_on.isoformat(), o.head_name,
                                            o.objector or "匿名", o.content, o.checking,
                                            o.outcome_name)):
                    self.objections.setItem(row, col, QTableWidgetItem(text))
            allowed = self.store.can(act_of(n.kind)) and n.closed_on is None
            self.objection_button.setEnabled(allowed)
            self.close_button.setEnabled(allowed and n.due(today))
            self.close_button.setToolTip("" if n.due(today) else
                                         f"公示期到 {n.end_date} 为止,期满后才能结束")
            self.loaded.emit()

        self.main.op("读取公示", lambda _p: access.notice_detail(store, number),
                     owner=self).success(done).run()

    def on_notice(self) -> list[NoticeHousehold]:
        return [h for h in self.detail.households if h.outcome is None] if self.detail else []

    def _show(self, dialog: FormDialog) -> None:
        self.form = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.form_opened.emit(dialog)

    def add_objection(self) -> None:
        if self.detail is None:
            return
        dialog = ObjectionDialog(self.detail, self.on_notice(), self)
        store, number = self.store, self.number

        def submit() -> None:
            hid, content, outcome, on, objector, checking = dialog.values()
            self.main.op("登记公示异议", lambda _p: access.add_objection(
                store, number, hid, content, outcome, on, objector, checking), owner=self).success(
                lambda _r: self._changed(dialog, "已登记异议")).failure(dialog.refused).run()

        dialog.submitted.connect(submit)
        self._show(dialog)

    def close_notice(self) -> None:
        if self.detail is None:
            return
        dialog = CloseNoticeDialog(self.detail, len(self.on_notice()), self)
        store, number = self.store, self.number

        def submit() -> None:
            on = dialog.on()
            self.main.op("结束公示", lambda _p: access.close_notice(store, number, on)
                           , owner=self).success(lambda n: self._changed(
                               dialog, f"公示已结束:{n} 户进入下一步")).failure(
                dialog.refused).with_progress("正在结束公示…").run()

        dialog.submitted.connect(submit)
        self._show(dialog)

    def _changed(self, dialog: FormDialog, text: str) -> None:
        dialog.done_ok()
        self.message.setText(text)
        self.main.refresh()
        self.load()
        self.changed.emit()

    def print_notice(self) -> None:
        printing.print_job(self.main, f"公示 {self.number}",
                           printing.notice_job(self.number), self)


class ObjectionDialog(FormDialog):
    """登记异议: the household, who (blank or 匿名: anonymous), what, how it was checked,
    and the outcome."""

    def __init__(self, detail: NoticeDetail, on_notice: list[NoticeHousehold],
                 parent: QWidget | None = None) -> None:
        super().__init__(f"登记异议 — 公示 {detail.info.number}", parent,
                         f"<b>{detail.info.title}</b>:公示期 {detail.info.start_date} 至 "
                         f"{detail.info.end_date}", ok_text="登记")
        self.setObjectName("objectionDialog")
        self.household = QComboBox(self)
        for h in on_notice:
            group = f"{h.group_no}组" if h.group_no is not None else ""
            self.household.addItem(f"{h.head_name}({h.village_name}{group})", h.household_id)
        self.add_row("household", "被异议农户*", self.household)
        self.date = date_edit(self)
        self.add_row("date", "收到日期*", self.date)
        who = QWidget(self)
        row = QHBoxLayout(who)
        row.setContentsMargins(0, 0, 0, 0)
        self.objector = QLineEdit(who)
        self.objector.setObjectName("objector")
        self.objector.setMaxLength(40)
        self.objector.setPlaceholderText("姓名或单位")
        self.anonymous = QCheckBox("匿名", who)
        self.anonymous.setObjectName("anonymous")
        self.anonymous.toggled.connect(lambda on: self.objector.setEnabled(not on))
        row.addWidget(self.objector, 1)
        row.addWidget(self.anonymous)
        self.add_row("who", "异议人", who)
        self.content = text_box(self, "反映的问题,如:家有小轿车、子女在外务工收入较高")
        self.add_row("content", "异议内容*", self.content)
        self.checking = text_box(self, "如何核查、核查结果")
        self.add_row("checking", "核查情况", self.checking)
        self.outcome = QComboBox(self)
        for key in (KEEP, RETURN_TO_VILLAGE, CANCEL):
            self.outcome.addItem(OUTCOME_NAMES[key], key)
        self.add_row("outcome", "处理结果*", self.outcome,
                     "维持:仍在公示上;退回重新评议:回到民主评议;取消:本户未通过")

    def values(self) -> tuple[str, str, str, date, str | None, str | None]:
        objector = None if self.anonymous.isChecked() else self.objector.text().strip() or None
        return (str(self.household.currentData()), self.content.toPlainText().strip(),
                str(self.outcome.currentData()), date_of(self.date), objector,
                self.checking.toPlainText().strip() or None)

    def check(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.household.count() == 0:
            errors["household"] = "公示上已没有可登记异议的农户"
        if not self.content.toPlainText().strip():
            errors["content"] = "请填写异议内容"
        return errors


class CloseNoticeDialog(FormDialog):
    """结束公示: the date; every household still on it passes to the next step."""

    def __init__(self, detail: NoticeDetail, remaining: int,
                 parent: QWidget | None = None) -> None:
        n = detail.info
        following = "乡镇审核" if n.kind == "first" else "县复审"
        super().__init__(f"结束{KIND_NAMES[n.kind]} {n.number}", parent,
                         f"<b>{n.title} {n.number}</b>,公示期 {n.start_date} 至 {n.end_date}。"
                         f"<br>结束后,公示上仍在的 <b>{remaining}</b> 户进入“{following}”;"
                         f"已登记异议 {n.objections} 件(维持的仍在公示上)。", ok_text="结束公示")
        self.setObjectName("closeNoticeDialog")
        self.end_date = n.end_date
        self.date = date_edit(self)
        self.add_row("date", "结束日期*", self.date, "公示期满之后的日期")

    def on(self) -> date:
        return date_of(self.date)

    def check(self) -> dict[str, str]:
        if self.on() <= self.end_date:
            return {"date": f"公示期到 {self.end_date} 为止,结束日期须在其后"}
        return {}

