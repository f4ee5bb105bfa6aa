"""The household editor, generated from HOUSEHOLD_FORM and MEMBER_FORM: one tab per section,
code lists as type-to-find combos, members in an editable table, derived values shown (never
typed), per-field errors in Chinese beside the field while typing, save only when valid.

Keyboard: Ctrl+M adds a member and starts typing its name; Tab walks the cells; Ctrl+Enter
(or Ctrl+S) saves; Esc asks before discarding edits; Ctrl+Tab switches tabs.

Saving goes through `submit_save(household, members, on_saved, on_failed)` (the main window
runs it in the DB worker); a store-side `Invalid` comes back to `on_failed` and is shown
beside the fields and cells like any other error. Before it saves, the soft rules of
数据质量核查 (registry.quality.warnings_for) are listed in a dialog — 仍然保存 or 返回修改 —
when the edit brings one that was not there when the editor opened (a newborn without an
ID number yet is not asked about at every save); the hard ones are errors beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.households.field_widgets import CodeCombo, FieldWidget, format_value
from desktop.households.member_model import COLUMN_NAMES, MemberTableModel, column_of
from desktop.households.member_table import MemberTableView
from desktop.look import icon
from forms import codelists as cl
from forms.fields import Field, FieldType
from forms.household import HOUSEHOLD_FORM, MEMBERS
from forms.member import MEMBER_FORM
from forms.quality import QualityWarning
from forms.validation import FieldError, Invalid, clean_record, validate_household
from registry import derived, failures, quality
from registry.procedure.steps import stage_name
from registry.villages import Village

SaveFn = Callable[[dict[str, Any], list[dict[str, Any]],
                   Callable[[str], None], Callable[[BaseException], None]], None]

NEW_HOUSEHOLD_DEFAULTS = {"identification_standard": "1", "attribute": "1",
                          "poverty_status": cl.NOT_OUT_OF_POVERTY}
NEW_STAGE_TEXT = "农户申请(保存时记录)"
READ_ONLY_NOTE = "县级数据库中的农户属于各乡镇,只能查看;需要修改请退回乡镇修改。"
_TAB_OF_MEMBERS = HOUSEHOLD_FORM.sections.index(MEMBERS)
_FIELDS_PER_ROW = 2


class HouseholdEditor(QDialog):
    saved = Signal(str)  # the household id
    # 成员变更 (进出有据): a registered member leaves, or one joins, through the dialog of
    # desktop/aid/member_change.py, recorded at once by whoever listens (desktop/aid).
    member_leave_requested = Signal(int, object)  # table row, the member's values
    member_join_requested = Signal()
    warnings_shown = Signal(object)  # the QMessageBox listing soft-rule warnings

    def __init__(self, villages: list[Village], submit_save: SaveFn,
                 household: dict[str, Any] | None = None,
                 members: list[dict[str, Any]] | None = None,
                 household_id: str | None = None, parent: QWidget | None = None,
                 departed: list[dict[str, Any]] | None = None, stage: str | None = None,
                 read_only: bool = False, facts: dict[str, Any] | None = None,
                 read_only_note: str = READ_ONLY_NOTE) -> None:
        super().__init__(parent)
        # 脱贫状态 and its year come from the exit steps (销号, 返贫): shown, never typed.
        facts = facts or {}
        status = facts.get("poverty_status") or (None if household_id else
                                                 cl.NOT_OUT_OF_POVERTY)
        self._status_text = cl.POVERTY_STATUS.label_of(status) if status else "—"
        self._exit_year_text = str(facts["exit_year"]) if facts.get("exit_year") else "—"
        # 识别阶段 is derived from the recorded steps: shown by its label, never sent.
        self._stage_text = stage_name(stage) if household_id else NEW_STAGE_TEXT
        self.read_only = read_only
        self._read_only_note = read_only_note
        self._departed = [dict(m) for m in departed or []]
        self.household_id = household_id
        self._submit_save = submit_save
        self._villages = villages
        self._touched: set[str] = set()
        self._touched_cells: set[tuple[int, str]] = set()
        self._show_all = False
        self._dirty = False
        self._saving = False
        self.inputs: dict[str, FieldWidget] = {}
        self.aid_tab: QWidget | None = None  # 帮扶 (desktop/aid/aid_tab.py), saved households
        self.member_changes = False  # someone records 成员变更 (the 帮扶 tab connects)
        self.errors: dict[str, QLabel] = {}
        self.derived: dict[str, QLabel] = {}
        self.setObjectName("householdEditor")
        self.setWindowTitle("查看贫困户(只读)" if read_only
                            else "修改贫困户" if household_id else "新建贫困户")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1180, 660)

        self.tabs = QTabWidget(self)
        for section in HOUSEHOLD_FORM.sections:
            page = self._members_page() if section == MEMBERS else self._section_page(section)
            self.tabs.addTab(page, section)

        self.summary = QLabel(self)
        self.summary.setProperty("role", "error")
        self.summary.setWordWrap(True)
        add = QPushButton(icon("add_row"), "添加成员 (Ctrl+M)", self)
        add.setAutoDefault(False)
        add.clicked.connect(self.add_member)
        self.save_button = QPushButton(icon("save"), "保存 (Ctrl+Enter)", self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(icon("cancel"), "取消", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(add)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        for keys in ("Ctrl+Return", "Ctrl+Enter", "Ctrl+S"):
            QShortcut(QKeySequence(keys), self, self.save)
        QShortcut(QKeySequence("Ctrl+M"), self, self.add_member)
        for i in range(self.tabs.count()):  # Alt+1…Alt+5 jump to a section
            QShortcut(QKeySequence(f"Alt+{i + 1}"), self, lambda i=i: self.go_to_section(i))
            self.tabs.setTabToolTip(i, f"Alt+{i + 1}")
        QShortcut(QKeySequence("Ctrl+Shift+M"), self, self.remove_member)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(120)
        self._validate_timer.timeout.connect(self.validate)

        values = dict(NEW_HOUSEHOLD_DEFAULTS) if household_id is None else {}
        values.update(household or {})
        for name, widget in self.inputs.items():
            widget.set_value(values.get(name))
        for m in members or []:
            self.members.add_row(m)
        self._dirty = False
        self._touched.clear()
        self._update_derived()
        # The soft-rule warnings the household already had (asked about only when new).
        self._known_warnings = {w.message for w in self.quality_warnings()} \
            if household_id else set()
        self.warning_box: QMessageBox | None = None
        if read_only:
            self._make_read_only(add)
        first = self.inputs["village_code"].widget
        QTimer.singleShot(0, first.setFocus)

    def _make_read_only(self, add: QPushButton) -> None:
        """At an office: everything shown, nothing editable, no 保存 (the core refuses a
        save there anyway: the county's 请退回乡镇修改, a city's 逐级报送)."""
        for widget in self.inputs.values():
            widget.widget.setEnabled(False)
        self.member_view.setEditTriggers(MemberTableView.EditTrigger.NoEditTriggers)
        for button in (add, self.save_button):
            button.hide()
        for button in self.findChildren(QPushButton):
            if button.objectName() in ("removeMember", "joinMember"):
                button.hide()
        self.summary.setProperty("role", "hint")
        self.summary.setText(self._read_only_note)

    # ---- building -----------------------------------------------------------------------
    def _field_input(self, f: Field, parent: QWidget) -> QWidget:
        if f.name == "village_code":
            widget = self._village_input(f, parent)
        else:
            widget = FieldWidget(f, parent)
        self.inputs[f.name] = widget
        widget.changed.connect(lambda name=f.name: self._on_changed(name))
        return widget.widget

    def _village_input(self, f: Field, parent: QWidget) -> FieldWidget:
        """The village is a code list of this station's villages."""
        from forms.fields import code_list
        villages = code_list("village", "行政村", [(v.code, v.name) for v in self._villages])
        widget = FieldWidget(Field(f.name, f.label, FieldType.CODE, f.section,
                                   required=True, codelist=villages), parent)
        assert isinstance(widget.widget, CodeCombo)
        widget.widget.setMinimumWidth(240)
        return widget

    def _section_page(self, section: str) -> QWidget:
        page = QWidget()
        page.setObjectName("formPage")
        grid = QGridLayout(page)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        fields = HOUSEHOLD_FORM.in_section(section)
        slot = 0
        for f in fields:
            wide = f.type is FieldType.CODES or f.name == "note"
            if wide and slot % _FIELDS_PER_ROW:
                slot += 1
            row, col = divmod(slot, _FIELDS_PER_ROW)
            r, c = row * 2, col * 3
            label = QLabel(f"{f.label}{'*' if f.required else ''}", page)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if f.hint:
                label.setToolTip(f.hint)
            grid.addWidget(label, r, c)
            if f.is_input:
                widget = self._field_input(f, page)
                label.setBuddy(widget)
            else:
                widget = QLabel("", page)
                widget.setProperty("role", "derived")
                widget.setObjectName(f"derived_{f.name}")
                widget.setToolTip(f.hint or "自动计算,无需填写")
                self.derived[f.name] = widget
            holder = QHBoxLayout()
            holder.setSpacing(4)
            holder.addWidget(widget, 1 if wide or f.type in (FieldType.CODE, FieldType.TEXT,
                                                            FieldType.PHONE) else 0)
            if f.unit and f.type is not FieldType.CODE:
                holder.addWidget(QLabel(f.unit, page))
            holder.addStretch(0 if wide else 1)
            span = 5 if wide else 1
            grid.addLayout(holder, r, c + 1, 1, span)
            error = QLabel("", page)
            error.setProperty("role", "error")
            error.setObjectName(f"error_{f.name}")
            error.setWordWrap(True)
            error.hide()
            self.errors[f.name] = error
            grid.addWidget(error, r + 1, c + 1, 1, span)
            slot += _FIELDS_PER_ROW if wide else 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(2, 24)
        grid.setRowStretch(grid.rowCount(), 1)
        scroll = QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setObjectName("formScroll")
        return scroll

    def _members_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        hint = QLabel("Ctrl+M 添加成员,Tab 跳到下一格,输入代码或名称选择;"
                      "性别、出生日期、年龄由身份证号码自动得出。Alt+1…5 切换栏目。", page)
        hint.setProperty("role", "hint")
        self.members = MemberTableModel()
        self.member_view = MemberTableView(page)
        self.member_view.setObjectName("memberTable")
        self.member_view.setModel(self.members)
        self.members.edited.connect(self._on_member_edited)
        self.members.rowsInserted.connect(lambda *_: self._on_changed("members"))
        self.members.rowsRemoved.connect(lambda *_: self._on_changed("members"))
        self.member_errors = QLabel("", page)
        self.member_errors.setObjectName("error_members")
        self.member_errors.setProperty("role", "error")
        self.member_errors.setWordWrap(True)
        self.errors["members"] = self.member_errors
        remove = QPushButton(icon("remove_row"), "删除/减员所选成员 (Ctrl+Shift+M)", page)
        remove.setObjectName("removeMember")
        remove.setToolTip("新录入、尚未保存的成员直接删除;已登记的成员通过“成员变更”减员"
                          "(写明原因、日期和证明材料)")
        remove.setAutoDefault(False)
        remove.clicked.connect(self.remove_member)
        self.join_button = QPushButton(icon("add_row"), "增员…", page)
        self.join_button.setObjectName("joinMember")
        self.join_button.setToolTip("新生儿、嫁入等:通过“成员变更”增员(写明原因、日期和证明材料)")
        self.join_button.setAutoDefault(False)
        self.join_button.clicked.connect(self.member_join_requested.emit)
        self.join_button.setVisible(self.household_id is not None)
        row = QHBoxLayout()
        row.addWidget(hint, 1)
        row.addWidget(self.join_button)
        row.addWidget(remove)
        layout.addLayout(row)
        layout.addWidget(self.member_view, 1)
        layout.addWidget(self.member_errors)
        return page

    def go_to_section(self, index: int) -> None:
        """Shows the tab and puts the cursor in its first input."""
        self.tabs.setCurrentIndex(index)
        if index == _TAB_OF_MEMBERS:
            self.member_view.setFocus()
            return
        section = HOUSEHOLD_FORM.sections[index]
        first = next((f for f in HOUSEHOLD_FORM.in_section(section) if f.name in self.inputs),
                     None)
        if first is not None:
            widget = self.inputs[first.name].widget
            if first.type is FieldType.CODES:
                widget = next(iter(widget.findChildren(QWidget)), widget)
            widget.setFocus()

    # ---- members ----------------------------------------------------------------------------
    def add_member(self) -> None:
        rows = self.members.raw_rows()
        has_head = any(r.get("relation") == cl.HEAD_OF_HOUSEHOLD for r in rows)
        ethnicity = next((r["ethnicity"] for r in rows if r.get("ethnicity")), "01")
        row = self.members.add_row({"relation": None if has_head else cl.HEAD_OF_HOUSEHOLD,
                                    "ethnicity": ethnicity, "health": "1"})
        self.tabs.setCurrentIndex(_TAB_OF_MEMBERS)
        self.member_view.setFocus()
        self.member_view.edit_cell(row, column_of("name"))

    def remove_member(self) -> None:
        """An unsaved row goes; a registered member leaves only through 成员变更 (减员)."""
        index = self.member_view.currentIndex()
        if not index.isValid() or self.read_only:
            return
        values = self.members.raw_rows()[index.row()]
        if values.get("id") and self.household_id is not None:
            if not self.member_changes:
                self.summary.setText("已登记的成员不能直接删除,请通过“成员变更”减员")
                return
            self.member_leave_requested.emit(index.row(), values)
            return
        self.members.remove_row(index.row())

    def member_left(self, row: int, values: dict[str, Any]) -> None:
        """The 减员 is recorded: the member moves from the table to those who left (the
        save sends them with their change); unsaved edits stay unsaved, nothing more."""
        dirty = self._dirty
        self.members.remove_row(row)
        self._departed.append(dict(values))
        self._dirty = dirty
        self._note(f"已记录 {values.get('name', '')} 减员(成员记录保留在档案中)")

    def member_joined(self, values: dict[str, Any]) -> None:
        dirty = self._dirty
        self.members.add_row(dict(values))
        self._dirty = dirty
        self._note(f"已记录 {values.get('name', '')} 增员")

    def _note(self, text: str) -> None:
        """A line that is not an error, where the errors' summary goes."""
        self.summary.setProperty("role", "hint")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.summary.setText(text)

    # ---- validation -----------------------------------------------------------------------
    def raw_household(self) -> dict[str, Any]:
        return {name: widget.raw() for name, widget in self.inputs.items()}

    def _on_changed(self, name: str) -> None:
        self._dirty = True
        self._touched.add(name)
        self._validate_timer.start()
        self._update_derived()

    def _on_member_edited(self, row: int, name: str) -> None:
        self._touched_cells.add((row, name))
        self._on_changed("members")

    def current_errors(self) -> list[FieldError]:
        try:
            validate_household(self.raw_household(), self.members.raw_rows())
        except Invalid as e:
            return e.errors
        return []

    def validate(self) -> bool:
        """Shows the errors of the fields touched so far (all of them after a save
        attempt); True when the whole household is valid."""
        errors = self.current_errors()
        self.show_errors(errors)
        return not errors

    def show_errors(self, errors: list[FieldError]) -> None:
        household: dict[str, str] = {}
        cells: dict[tuple[int, str], str] = {}
        for e in errors:
            if e.row is None:
                household.setdefault(e.field, e.message)
            else:
                cells.setdefault((e.row, e.field), e.message)
        for name, label in self.errors.items():
            if name == "members":
                continue
            message = household.get(name) if self._show_all or name in self._touched else None
            label.setText(message or "")
            label.setVisible(bool(message))
            if name in self.inputs:
                self.inputs[name].set_invalid(bool(message))
        shown = {k: v for k, v in cells.items() if self._show_all or k in self._touched_cells
                 or (k[1] == "id_number" and (k[0], "id_number") in self._touched_cells)}
        self.members.set_errors(shown)
        lines = [household["members"]] if "members" in household and (
            self._show_all or self.members.rowCount()) else []
        labels = {f.name: f.label for f in MEMBER_FORM.fields}
        visible = self.members.rowCount()
        lines += [f"第{row + 1}行 {labels.get(name, name)}:{message}"
                  for (row, name), message in sorted(shown.items())[:6] if row < visible]
        # Store-side errors about members who left (not in the table) are named here.
        lines += [f"已减员成员 {self._departed[row - visible].get('name', '')}:{message}"
                  for (row, _name), message in sorted(cells.items())
                  if visible <= row < visible + len(self._departed)]
        self.member_errors.setText("\n".join(lines))
        self.member_errors.setVisible(bool(lines))
        if self._show_all:
            count = len(household) + len(cells)
            if self.summary.property("role") != "error":
                self.summary.setProperty("role", "error")
                self.summary.style().unpolish(self.summary)
                self.summary.style().polish(self.summary)
            self.summary.setText(f"还有 {count} 处需要更正,请看标红的项目" if count else "")

    def _update_derived(self) -> None:
        values, _ = clean_record(HOUSEHOLD_FORM, self.raw_household())
        members = []
        for i, raw in enumerate(self.members.raw_rows()):
            m, _ = clean_record(MEMBER_FORM, raw, row=i)
            members.append(m)
        # A field that does not apply (脱贫年度 of a household not out of poverty) is greyed.
        raw = self.raw_household()
        for f in HOUSEHOLD_FORM.inputs():
            if f.relevant is not None and f.name in self.inputs:
                self.inputs[f.name].widget.setEnabled(not self.read_only
                                                        and f.applies({**raw, **values}))
        facts = derived.household_facts(values, members)
        shown = {"head_name": facts["head_name"], "household_size": facts["size"],
                 "income_transfer": facts["income_transfer"], "net_income": facts["net_income"],
                 "net_income_per_capita": facts["net_income_per_capita"]}
        for name, label in self.derived.items():
            if name == "stage":
                label.setText(self._stage_text)
                continue
            if name == "poverty_status":
                label.setText(self._status_text)
                continue
            if name == "exit_year":
                label.setText(self._exit_year_text)
                continue
            value = shown.get(name)
            if isinstance(value, Decimal):
                label.setText(f"{value:,.2f}")
            else:
                label.setText(format_value(value) or "—")

    # ---- saving and closing ---------------------------------------------------------------
    def save(self) -> None:
        if self._saving or self.read_only:
            return
        self.member_view.setFocus()  # commits a cell still being edited
        self.member_view.closePersistentEditor(self.member_view.currentIndex())
        if self.member_view.state() == MemberTableView.State.EditingState:
            editor = self.focusWidget()
            if editor is not None:
                self.member_view.commitData(editor)
        self._show_all = True
        errors = self.current_errors()
        self.show_errors(errors)
        if errors:
            self._go_to_first_error(errors)
            return
        warnings = self.quality_warnings()
        if {w.message for w in warnings} - self._known_warnings:
            self._ask_about(warnings)
            return
        self._submit()

    def quality_warnings(self) -> list[QualityWarning]:
        """The soft rules of 数据质量核查 the values in the form break ([] while invalid)."""
        try:
            clean = validate_household(self.raw_household(),
                                       self.members.raw_rows() + self._departed)
        except Invalid:
            return []
        return quality.warnings_for(clean.household, clean.members)

    def _ask_about(self, warnings: list[QualityWarning]) -> None:
        visible = self.members.rowCount()

        def line(w: QualityWarning) -> str:
            where = f"第{w.row + 1}行成员:" if w.row is not None and w.row < visible else ""
            return f"• {where}{w.message}"

        box = QMessageBox(QMessageBox.Icon.Warning, "数据质量提醒",
                          "保存前请核实以下情况(属于“提醒”,可以保存,但会留在数据质量核查"
                          "清单中,直到改正):", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("qualityWarnings")
        box.setInformativeText("\n".join(line(w) for w in warnings))
        save_anyway = box.addButton("仍然保存", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("返回修改", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.warning_box = box

        def answered(_r: int) -> None:
            self.warning_box = None
            if box.clickedButton() is save_anyway:
                self._submit()
            else:
                self._go_to_warning(warnings[0])

        box.finished.connect(answered)
        box.open()
        self.warnings_shown.emit(box)

    def _go_to_warning(self, warning: QualityWarning) -> None:
        self._note("已返回修改:请核实提醒的项目后再保存")
        if warning.row is not None and warning.row < self.members.rowCount():
            self.tabs.setCurrentIndex(_TAB_OF_MEMBERS)
            field = warning.field if warning.field in COLUMN_NAMES else "name"
            self.member_view.setCurrentIndex(self.members.index(warning.row,
                                                                column_of(field)))

    def _submit(self) -> None:
        self._saving = True
        self.save_button.setEnabled(False)
        self.summary.setText("正在保存…")
        self._submit_save(self.raw_household(), self.members.raw_rows() + self._departed,
                          self._saved, self._save_failed)

    def _saved(self, household_id: str) -> None:
        self._saving = False
        self._dirty = False
        self.household_id = household_id
        self.saved.emit(household_id)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, Invalid):
            self.show_errors(error.errors)
            self._go_to_first_error(error.errors)
        else:
            self.summary.setText(f"保存失败:{failures.user_message(error)}")

    def _go_to_first_error(self, errors: list[FieldError]) -> None:
        first = errors[0]
        if first.row is not None or first.field == "members":
            self.tabs.setCurrentIndex(_TAB_OF_MEMBERS)
            if first.row is not None and first.field in {f.name for f in MEMBER_FORM.fields}:
                index = self.members.index(first.row, column_of(first.field))
                self.member_view.setCurrentIndex(index)
            return
        try:
            f = HOUSEHOLD_FORM[first.field]
        except KeyError:
            return
        self.tabs.setCurrentIndex(HOUSEHOLD_FORM.sections.index(f.section))
        if first.field in self.inputs:
            self.inputs[first.field].widget.setFocus()

    def is_dirty(self) -> bool:
        return self._dirty

    def reject(self) -> None:
        if self._dirty and not self._saving:
            answer = QMessageBox.question(
                self, "放弃修改", "修改尚未保存,确定要放弃吗?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        self._dirty = False
        super().reject()

    def discard(self) -> None:
        """Closes without asking (the program is quitting after its own question)."""
        self._dirty = False
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._dirty:
            event.ignore()
            self.reject()
        else:
            super().closeEvent(event)
