"""A small dialog generated from a forms/ definition (帮扶责任人, 帮扶计划, 驻村工作队队员,
村帮扶规划): one labelled input per field, the computed 资金合计 shown as it is typed, the
error beside its field (checked here with the form's own rules, and again by the core,
whose `Invalid` lands beside the same fields).

Like every FormDialog it does not touch the store: the owner connects `submitted`, runs
the work as a StoreOp and calls `done_ok()` or `refused(error)`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from desktop.households.field_widgets import FieldWidget, format_value
from desktop.procedure.form_dialog import FormDialog, date_edit, date_of
from desktop.procedure.step_dialogs import text_box
from forms.aid import FUND_FIELDS
from forms.fields import FieldType, Form
from forms.validation import Invalid, clean_record
from registry.aid.plans import total


class RecordDialog(FormDialog):
    def __init__(self, form: Form, title: str, parent: QWidget | None,
                 values: Mapping[str, Any] | None = None, about: str = "",
                 only: Iterable[str] | None = None, ok_text: str = "保存") -> None:
        super().__init__(title, parent, about, ok_text=ok_text)
        self.form = form
        self.setObjectName(f"record_{form.name}")
        self.inputs: dict[str, FieldWidget] = {}
        self.total: QLabel | None = None
        wanted = set(only) if only is not None else None
        for f in form.fields:
            if wanted is not None and f.name not in wanted and f.name != "funds":
                continue
            if not f.is_input:
                if f.name == "funds" and (wanted is None or wanted & set(FUND_FIELDS)):
                    self.total = QLabel("—", self)
                    self.total.setProperty("role", "derived")
                    self.add_row("funds", f"{f.label}", self.total, "各来源资金之和,自动计算")
                continue
            widget = FieldWidget(f, self)
            if f.type is FieldType.DATE:
                widget.widget.setToolTip("格式:2016-03-01")
            self.inputs[f.name] = widget
            label = f"{f.label}{'*' if f.required else ''}"
            if f.unit and f.type is not FieldType.CODE:
                label += f"({f.unit})"
            self.add_row(f.name, label, widget.widget, f.hint)
            widget.changed.connect(self._update_total)
        for name, value in (values or {}).items():
            if name in self.inputs:
                self.inputs[name].set_value(value)
        self._update_total()

    def raw(self) -> dict[str, Any]:
        return {name: w.raw() for name, w in self.inputs.items()}

    def _update_total(self) -> None:
        if self.total is None:
            return
        values, _ = clean_record(self.form, self.raw())
        amount: Decimal | None = total(values)
        self.total.setText("—" if amount is None else f"{format_value(amount)} 元")

    def check(self) -> dict[str, str]:
        _values, errors = clean_record(self.form, self.raw())
        out: dict[str, str] = {}
        for e in errors:
            if e.field in self.inputs:
                out.setdefault(e.field, e.message)
        return out

    def refused(self, error: BaseException) -> None:
        if isinstance(error, Invalid):
            fields = {e.field: e.message for e in error.errors if e.field in self.errors}
            if fields:
                self.busy = False
                self.ok_button.setEnabled(True)
                self.show_field_errors(fields)
                return
        super().refused(error)


class EndDialog(FormDialog):
    """结束帮扶 / 结束驻村: the date (and, for a helper, why)."""

    def __init__(self, title: str, about: str, parent: QWidget | None,
                 with_reason: bool = True) -> None:
        super().__init__(title, parent, about, ok_text="确定")
        self.setObjectName("endDialog")
        self.date = date_edit(self)
        self.date.setFixedWidth(130)
        self.add_row("date", "结束日期*", self.date)
        self.reason = text_box(self, "如:调动工作、户已销号")
        if with_reason:
            self.add_row("reason", "原因", self.reason)
        else:
            self.reason.hide()

    def on(self) -> date:
        return date_of(self.date)

    def reason_text(self) -> str | None:
        return self.reason.toPlainText().strip() or None
