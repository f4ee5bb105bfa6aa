"""The registration workspace: the village tree, the household table, the detail panel, and
a search box that finds as the user types.

Other features add their commands through one registration point:

    window.add_action("打印", action)
    # menus: 文件 户籍管理 识别程序 帮扶管理 统计 打印 数据交换 帮助
    window.add_action("数据交换", action, toolbar=True)

`window.workspace` gives them the store and the DB worker (`StoreOp(workspace.worker, …)`),
`window.selected_household_id()` the current household, `window.with_villages(then)` the
villages the tree read (and `window.tree.village_for_dialog()` the one a dialog about one
village opens on), and `window.refresh()` reloads the tree and table after their work
changed the store.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QToolBar,
    QWidget,
)

from desktop.access.station_lock import StationLock
from desktop.errors.dialog import program_version
from desktop.households.detail_panel import DetailPanel
from desktop.households.editor import READ_ONLY_NOTE, HouseholdEditor
from desktop.households.table_model import COL_HEAD, PAGE_SIZE, HouseholdTableModel, IdRole
from desktop.households.village_tree import VillageTree
from desktop.look import icon
from desktop.operations.store_op import StoreOp
from desktop.workspace import Workspace
from forms import codelists as cl
from registry import applog, household_access, villages
from registry.household_access import HouseholdDetail
from registry.households import not_owner
from registry.progress import Progress
from registry.roles import Act
from registry.search import Hits, HouseholdFilter
from registry.villages import Village

T = TypeVar("T")


MENUS = ("文件", "户籍管理", "识别程序", "帮扶管理", "统计", "打印", "数据交换", "帮助")
SEARCH_DELAY_MS = 150
FIRST_ROWS = PAGE_SIZE  # shown before the rest of a long list is read

SHORTCUTS_HELP = """<table cellpadding='3'>
<tr><td><b>Ctrl+F</b></td><td>搜索(姓名、拼音首字母、全拼、身份证号片段)</td></tr>
<tr><td><b>Ctrl+N</b></td><td>新建贫困户</td></tr>
<tr><td><b>Enter / Ctrl+E</b></td><td>修改所选户</td></tr>
<tr><td><b>Ctrl+M</b></td><td>(编辑窗口中)添加家庭成员</td></tr>
<tr><td><b>Tab</b></td><td>跳到下一项 / 下一格</td></tr>
<tr><td><b>Ctrl+Enter</b></td><td>保存</td></tr>
<tr><td><b>Esc</b></td><td>取消(有修改时会先询问)</td></tr>
<tr><td><b>Ctrl+L</b></td><td>锁定工作站</td></tr>
</table>"""


# The tree's first width: a county, city or province hangs one level more each above its
# villages (the province's tree is six deep), so their names need room.
TREE_WIDTH = {"station": 200, "county": 240, "city": 280, "province": 320}

class MainWindow(QMainWindow):
    search_finished = Signal(int)  # rows found (tests and status bar listen)
    detail_shown = Signal(str)
    editor_opened = Signal(object)  # the HouseholdEditor

    def __init__(self, workspace: Workspace, idle_ms: int | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        store = workspace.store
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"扶贫开发建档立卡 — {store.info.region_name}工作站")
        self.resize(1366, 768)
        self._menus: dict[str, QMenu] = {}
        self._search_generation = 0
        self._first_shown = 0  # the search whose first page the table shows
        self._villages: list[Village] = []
        self.editor: HouseholdEditor | None = None

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.model = HouseholdTableModel(workspace, requery=self.run_search)
        self._build_widgets()
        self.station_lock = StationLock(self, store, idle_ms)
        self.cover = self.station_lock.cover
        self._build_menus()
        self.workspace.worker.set_parent_widget(self)

        self.refresh()

    # ---- layout -------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.tree = VillageTree(self)
        self.tree.place_chosen.connect(lambda *_: self.run_search())
        self.tree.count_groups = self._count_groups
        self.table = QTableView(self)
        self.table.setObjectName("householdTable")
        self.table.setModel(self.model)
        # The indicator first: enabling sorting sorts by it, which is the model's own order
        # (village, ascending), so nothing is queried until refresh() asks the worker.
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        # 主要致贫原因 wide enough for its longest label, 自身发展动力不足
        for column, width in enumerate((76, 40, 64, 136, 40, 86, 116, 100, 84, 64)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_household())
        self.table.activated.connect(lambda _i: self.edit_household())
        self.detail = DetailPanel(self)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tree)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([TREE_WIDTH[self.workspace.store.info.kind], 860, 300])
        split.setChildrenCollapsible(False)
        split.setContentsMargins(6, 6, 6, 6)
        self.setCentralWidget(split)

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("搜索:姓名、拼音首字母(如 zs)、全拼或身份证号  Ctrl+F")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.setMinimumWidth(380)
        self.search_box.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self._search_now_and_focus_table)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search_box,
                  self._search_now_and_focus_table, Qt.ShortcutContext.WidgetShortcut)

        self.stage_filter = QComboBox(self)
        self.stage_filter.setObjectName("stageFilter")
        self.stage_filter.setToolTip("按识别阶段筛选")
        self.stage_filter.addItem("全部阶段", None)
        for choice in cl.STAGE.choices:
            self.stage_filter.addItem(choice.label, choice.code)
        self.stage_filter.currentIndexChanged.connect(lambda _i: self.run_search())

        self.found_label = QLabel("", self)
        self.user_label = QLabel(f"用户:{self.workspace.store.user}", self)
        self.statusBar().addWidget(self.found_label, 1)
        self.statusBar().addPermanentWidget(self.user_label)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for name in MENUS:
            self._menus[name] = bar.addMenu(name)
        self.toolbar = QToolBar("工具栏", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(self.toolbar)

        def act(text: str, icon_name: str, slot: Any, shortcut: str | None = None) -> QAction:
            action = QAction(icon(icon_name), text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            return action

        self.new_action = act("新建户", "new", self.new_household, "Ctrl+N")
        self.edit_action = act("修改", "edit", self.edit_household, "Ctrl+E")
        self.delete_action = act("删除户…", "delete", self.delete_household)
        self.refresh_action = act("刷新", "refresh", self.refresh, "F5")
        self.lock_action = act("锁定", "lock", lambda: self.lock(), "Ctrl+L")
        find = act("搜索", "search", self.focus_search, "Ctrl+F")
        for a in (self.new_action, self.edit_action, self.delete_action):
            self.add_action("户籍管理", a, toolbar=True)
        self._menus["户籍管理"].addSeparator()
        self.add_action("户籍管理", find)
        self.villages_action = act("村组管理…", "village", self.manage_villages)
        self.add_action("户籍管理", self.villages_action)
        self.add_action("户籍管理", self.refresh_action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.search_box)
        self.toolbar.addWidget(QLabel(" 阶段 ", self))
        self.toolbar.addWidget(self.stage_filter)
        self.toolbar.addSeparator()
        # An office's households, villages and groups are its stations': shown, never
        # edited there (the core refuses too, with 请退回乡镇修改).
        can_edit = self.may_edit()
        for a in (self.new_action, self.edit_action, self.delete_action, self.villages_action):
            a.setEnabled(can_edit)
        self.detail.editable = can_edit
        self.add_action("文件", self.lock_action, toolbar=True)
        self.add_action("文件", act("自动锁定时间…", "lock",
                                   self.station_lock.choose_idle_minutes))
        # A store on a server has no data key, so no recovery key (its operator backs it up).
        if self.workspace.store.can(Act.MANAGE_KEYS) and not self.workspace.store.server:
            self.add_action("文件", act("查看恢复密钥…", "key", self.show_recovery_key))
        self._menus["文件"].addSeparator()
        self.add_action("文件", act("退出", "logout", self.close, "Ctrl+Q"))
        self.add_action("帮助", act("快捷键", "help", self.show_shortcuts, "F1"))
        self.add_action("帮助", act("关于", "app", self.show_about))

    # ---- the registration point for other features ------------------------------------
    def add_action(self, menu_name: str, action: QAction, toolbar: bool = False) -> QAction:
        """Adds `action` to one of MENUS (and to the toolbar if asked). The action becomes
        the window's, so its shortcut works anywhere in the window; it is disabled while the
        station is locked."""
        if menu_name not in self._menus:
            raise KeyError(f"没有菜单“{menu_name}”,可用:{'、'.join(MENUS)}")
        self._menus[menu_name].addAction(action)
        self.addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        return action

    def menu(self, menu_name: str) -> QMenu:
        return self._menus[menu_name]

    # ---- loading ----------------------------------------------------------------------
    def op(self, doing: str, work: Callable[[Progress], T], owner: QWidget | None = None
           ) -> StoreOp[T]:
        """Store work for this window (its failures shown over it); `.run()` it. A dialog
        passes itself as `owner`: its callbacks are dropped once it is closed and gone."""
        return StoreOp(self.workspace.worker, doing, work, parent=self, owner=owner)

    def with_villages(self, then: Callable[[list[Village]], None]) -> None:
        """`then` with the villages and their groups as the tree last read them (the
        province's 34,412 villages and 230,000 groups took 0.4 s to read again for each
        dialog); read in the worker while the tree has none yet."""
        if self._villages:
            then(list(self._villages))
            return
        store = self.workspace.store
        self.op("读取村组", lambda _p: villages.load_villages(store)).success(then).run()

    def known_villages(self) -> list[Village]:
        """The villages as the tree last read them (none before it is read)."""
        return list(self._villages)

    def refresh(self) -> None:
        """Reloads the tree (names, groups, counts) and runs the current search again."""
        store = self.workspace.store

        def done(tree: household_access.PlaceTree) -> None:
            self._villages = tree.villages
            self.tree.blockSignals(True)
            self.tree.populate(store.info.region_name, self._villages, tree.counts,
                               tree.townships, tree.totals)
            self.tree.blockSignals(False)
            self.run_search()

        self.op("读取村组", lambda _p: household_access.place_tree(store)).success(done).run()

    def _count_groups(self, village_code: str) -> None:
        """A city's or the province's village opened: its groups' households."""
        store = self.workspace.store
        self.op("读取各组户数", lambda _p: household_access.group_counts(store, village_code)
                ).success(lambda counts: self.tree.set_group_counts(village_code, counts)).run()

    def current_filter(self) -> HouseholdFilter:
        village, group = self.tree.current_node()
        return HouseholdFilter(text=self.search_box.text().strip(), village_code=village,
                               group_no=group, stage=self.stage_filter.currentData())

    def run_search(self) -> None:
        """Runs the query in the DB worker; only the newest answer is shown. Browsing in the
        usual order (no text, no stage), the first page comes first from the index and is
        shown while the rest is read: a county lists 200,000 households."""
        self._search_timer.stop()
        self._search_generation += 1
        generation = self._search_generation
        f = self.current_filter()
        sort, descending = self.model.sort_key, self.model.descending
        store = self.workspace.store
        remembered = self.selected_household_id()

        def reselect(selected: str | None) -> None:  # chosen before, where it still is
            row = self.model.row_of(selected) if selected else -1
            if row >= 0:
                self.table.selectRow(row)
            else:
                self.detail.show_nothing()

        def stale() -> bool:  # the user typed on: the worker skips what nobody will see
            return generation != self._search_generation

        def first(ids: list[str] | None) -> None:
            if ids is None or stale() or len(ids) < FIRST_ROWS:
                return  # a newer search is coming, or this is the whole list
            self._first_shown = generation
            selected = self.selected_household_id() or remembered
            self.model.set_ids(ids, f)
            self.found_label.setText(f"先列出前 {len(ids)} 户,正在读取其余…")
            reselect(selected)

        def done(hits: Hits | None) -> None:
            if hits is None or stale():
                return  # the user typed on; a newer search is coming
            ids = hits.ids
            selected = self.selected_household_id() or remembered
            if self._first_shown == generation:
                self.model.extend_ids(ids)  # the view keeps its place and selection
            else:
                self.model.set_ids(ids, f)
            if hits.capped:
                self.found_label.setText(f"匹配太多,先列出 {len(ids)} 户,请再多输入几个字")
            else:
                self.found_label.setText(f"{'找到' if f.text else '共'} {len(ids)} 户")
            reselect(selected)
            self.search_finished.emit(len(ids))

        if not (f.text or f.stage) and sort == "village":  # an index gives it at once
            self.op("查找农户", lambda _p: None if stale() else household_access.first_households(
                store, f, sort, descending, FIRST_ROWS)).success(first).run()
        self.op("查找农户", lambda _p: None if stale() else household_access.find_households(
            store, f, sort, descending)).success(done).run()

    def _search_now_and_focus_table(self) -> None:
        self.run_search()
        self.table.setFocus()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def selected_household_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(IdRole) if rows else None

    def select_household(self, household_id: str) -> bool:
        row = self.model.row_of(household_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, COL_HEAD))
        return row >= 0

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection
                           ) -> None:
        household_id = self.selected_household_id()
        if household_id is None:
            self.detail.show_nothing()
            return
        store = self.workspace.store

        def done(d: HouseholdDetail) -> None:
            if d.id == self.selected_household_id():
                self.detail.show_detail(d)
                self.detail_shown.emit(d.id)

        self.op("读取农户", lambda _p: household_access.household_detail(store, household_id)
                ).success(done).run()

    # ---- editing ------------------------------------------------------------------------
    def _submit_save(self, household_id: str | None) -> Any:
        store = self.workspace.store

        def submit(household: dict[str, Any], members: list[dict[str, Any]],
                   on_saved: Callable[[str], None],
                   on_failed: Callable[[BaseException], None]) -> None:
            self.op("保存农户", lambda _p: household_access.save_household(
                store, household, members, household_id)).success(on_saved).failure(
                on_failed).with_progress("正在保存…").run()
        return submit

    def _open_editor(self, editor: HouseholdEditor) -> None:
        self.editor = editor
        editor.saved.connect(self._after_save)
        editor.finished.connect(lambda _r: self._editor_closed(editor))
        editor.show()
        self.editor_opened.emit(editor)

    def _editor_closed(self, editor: HouseholdEditor) -> None:
        if self.editor is editor:
            self.editor = None
        editor.deleteLater()

    def may_edit(self) -> bool:
        """Households are added, changed and deleted at their station only, by a role that
        may (registry.household_access.may_edit on main says the same)."""
        store = self.workspace.store
        return not store.info.office and store.can(Act.EDIT_HOUSEHOLDS)

    def _read_only_note(self) -> str:
        """Why a household opens read-only here: the county's 退回, or a city's or the
        province's 逐级报送 (registry.households.not_owner's words)."""
        kind = self.workspace.store.info.kind
        return READ_ONLY_NOTE if kind in ("county", "station") else not_owner(kind)

    def new_household(self) -> None:
        if not self.new_action.isEnabled():
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        village, group = self.tree.current_place()
        start = {"village_code": village, "group_no": group}
        self._open_editor(HouseholdEditor(self._villages, self._submit_save(None), start,
                                          parent=self))

    def edit_household(self) -> None:
        """Opens the selected household in the editor (read-only where the user may not
        edit households: at a county)."""
        household_id = self.selected_household_id()
        if household_id is not None:
            self.open_household(household_id)

    def open_household(self, household_id: str) -> None:
        """Opens a household in the editor by its id, shown in the table or not (other
        screens' lists: 数据质量核查); an editor already open is raised instead."""
        if self.editor is not None:
            self.editor.raise_()
            return
        store = self.workspace.store
        read_only = not self.may_edit()

        def done(d: HouseholdDetail) -> None:
            from desktop.aid import aid_tab  # noqa: PLC0415 (it imports this module)

            editor = HouseholdEditor(self._villages, self._submit_save(d.id), d.values,
                                     d.members, d.id, parent=self, departed=d.departed,
                                     stage=d.facts.get("stage"), read_only=read_only,
                                     facts=d.facts, read_only_note=self._read_only_note())
            aid_tab.install(self, editor, d.id, read_only)
            self._open_editor(editor)

        self.op("读取农户", lambda _p: household_access.household_detail(store, household_id)
                ).success(done).run()

    def _after_save(self, household_id: str) -> None:
        self.statusBar().showMessage("已保存", 4000)
        self._select_after_refresh = household_id

        def reselect(_n: int) -> None:
            self.search_finished.disconnect(reselect)
            self.select_household(household_id)

        self.search_finished.connect(reselect)
        self.refresh()

    def manage_villages(self) -> None:
        if not self.villages_action.isEnabled():
            return
        from desktop.households.village_editor import VillagesDialog
        dialog = VillagesDialog(self.workspace, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()

    def delete_household(self) -> None:
        household_id = self.selected_household_id()
        if household_id is None:
            return
        reason, ok = QInputDialog.getText(self, "删除贫困户", "删除原因(必填,记入审计日志):")
        if not ok:
            return
        if not reason.strip():
            QMessageBox.warning(self, "删除贫困户", "删除必须填写原因,未删除。")
            return
        store = self.workspace.store
        self.op("删除农户", lambda _p: household_access.delete_household(store, household_id,
                                                                      reason)
                ).success(lambda _r: self.refresh()).with_progress("正在删除…").run()

    # ---- locking (access.station_lock) ------------------------------------------------
    def lock(self, idle: bool = False) -> None:
        self.station_lock.lock(idle)

    def is_locked(self) -> bool:
        return self.station_lock.is_locked()

    def set_idle_timeout(self, ms: int) -> None:
        self.station_lock.set_idle_timeout(ms)

    def show_recovery_key(self) -> None:
        """Shown again only after the password is typed again."""
        password, ok = QInputDialog.getText(self, "查看恢复密钥", "请再次输入您的密码:",
                                            QLineEdit.EchoMode.Password)
        if not ok:
            return
        message = self.station_lock.check_password(password)
        if message:
            QMessageBox.warning(self, "查看恢复密钥", message)
            return
        QMessageBox.information(self, "恢复密钥",
                                f"<p>请打印或抄写后妥善保管:</p><pre style='font-size:14pt'>"
                                f"{self.workspace.store.recovery_key()}</pre>")

    # ---- help and closing -------------------------------------------------------------
    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "快捷键", SHORTCUTS_HELP)

    def show_about(self) -> None:
        info = self.workspace.store.info
        QMessageBox.about(self, "关于", f"扶贫开发建档立卡 乡镇工作站 {program_version()}<br>"
                          f"{info.region_name}(代码 {info.region_code})<br>"
                          f"{'服务器数据库' if self.workspace.store.server else '数据库'}:"
                          f"{escape(self.workspace.store.location)}<br>"
                          f"日志文件:{escape(str(applog.log_path()))}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.editor is not None and self.editor.is_dirty():
            self.editor.show()
            self.editor.raise_()
            self.editor.reject()
            if self.editor is not None and self.editor.isVisible():
                event.ignore()
                return
        self.station_lock.detach()
        super().closeEvent(event)
