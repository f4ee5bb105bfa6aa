"""成员变更 (进出有据): a member leaves (减员: 死亡, 嫁出 … with the date and the evidence) or
joins (增员: 新生儿, 嫁入 … with the member's fields; 暂无身份证号 makes 性别 and 出生日期
typed). The household editor and the yearly review open it; the owner records it through
registry/aid/access.py (member_leaves / member_joins) in the DB worker."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QWidget

from desktop.households.field_widgets import CodeCombo, FieldWidget
from desktop.procedure.form_dialog import FormDialog, date_edit, date_of
from desktop.procedure.step_dialogs import text_box
from forms import codelists as cl
from forms.member import MEMBER_FORM
from forms.validation import Invalid, clean_record

LEAVE, JOIN = "leave", "join"
EVIDENCE_MAX = 500
# The member's fields the 增员 form asks for (the rest are filled in the member table).
JOIN_FIELDS = ("name", "no_id_number", "id_number", "sex", "birth_date", "relation",
               "ethnicity", "health", "education", "school_status")


class MemberChangeDialog(FormDialog):
    def __init__(self, kind: str, head_name: str, parent: QWidget | None,
                 member_name: str = "") -> None:
        self.kind = kind
        if kind == LEAVE:
            title, about = "成员变更:减员", (f"<b>{head_name or '(无户主)'}户</b>:"
                                         f"成员 <b>{member_name}</b> 减员。成员记录保留,"
                                         "家庭人口和人均收入随之重新计算。")
        else:
            title, about = "成员变更:增员", (f"<b>{head_name or '(无户主)'}户</b>:新增家庭成员。"
                                         "新生儿等暂无身份证号的,勾选“暂无身份证号”,填写性别和"
                                         "出生日期,办证后再补录号码。")
        super().__init__(title, parent, about, ok_text="记录变更")
        self.setObjectName(f"memberChange_{kind}")
        self.setMinimumWidth(560)
        codes = cl.MEMBER_LEAVE_REASON if kind == LEAVE else cl.MEMBER_JOIN_REASON
        self.reason = CodeCombo(codes, self)
        self.add_row("reason", "减员原因*" if kind == LEAVE else "增员原因*", self.reason)
        self.date = date_edit(self, date.today())
        self.date.setFixedWidth(130)
        self.add_row("date", "变更日期*", self.date)
        self.evidence = text_box(self, "如:死亡证明、结婚证、出生医学证明、户口迁移证明及编号")
        self.add_row("evidence", "证明材料", self.evidence)
        self.inputs: dict[str, FieldWidget] = {}
        if kind == JOIN:
            for name in JOIN_FIELDS:
                f = MEMBER_FORM[name]
                widget = FieldWidget(f, self)
                if name == "no_id_number":
                    assert isinstance(widget.widget, QCheckBox)
                    widget.widget.setText("暂无身份证号(新生儿等)")
                if name == "birth_date":
                    widget.widget.setToolTip("格式:2016-03-01")
                self.inputs[name] = widget
                self.add_row(name, f"{f.label}{'*' if f.required else ''}", widget.widget,
                             f.hint)
                widget.changed.connect(self._relevance)
            self.inputs["health"].set_value("1")
            self._relevance()

    def _relevance(self) -> None:
        no_id = bool(self.inputs["no_id_number"].raw())
        self.inputs["id_number"].widget.setEnabled(not no_id)
        self.inputs["sex"].widget.setEnabled(no_id)
        self.inputs["birth_date"].widget.setEnabled(no_id)

    # ---- what the owner reads ------------------------------------------------------------
    def reason_code(self) -> str | None:
        return self.reason.code()

    def on(self) -> date:
        return date_of(self.date)

    def evidence_text(self) -> str | None:
        return self.evidence.toPlainText().strip() or None

    def member_raw(self) -> dict[str, Any]:
        raw = {name: w.raw() for name, w in self.inputs.items()}
        if raw.get("no_id_number"):
            raw["id_number"] = None
        else:
            raw["sex"] = raw["birth_date"] = None
        return raw

    # ---- checks ------------------------------------------------------------------------
    def check(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        codes = cl.MEMBER_LEAVE_REASON if self.kind == LEAVE else cl.MEMBER_JOIN_REASON
        code = self.reason_code()
        if code is None:
            errors["reason"] = "请选择变更原因"
        elif code not in codes.codes():
            errors["reason"] = "原因只能是:" + "、".join(c.label for c in codes.choices)
        if len(self.evidence_text() or "") > EVIDENCE_MAX:
            errors["evidence"] = f"证明材料说明不能超过{EVIDENCE_MAX}字"
        if self.kind == JOIN:
            _values, problems = clean_record(MEMBER_FORM, self.member_raw())
            for e in problems:
                if e.field in self.inputs:
                    errors.setdefault(e.field, e.message)
            if self.inputs["relation"].raw() == cl.HEAD_OF_HOUSEHOLD:
                errors["relation"] = "新增成员不能是户主;户主变更请在家庭成员表中修改"
        return errors

    def refused(self, error: BaseException) -> None:
        if isinstance(error, Invalid):
            fields = {e.field: e.message for e in error.errors if e.field in self.errors}
            if fields:
                self.busy = False
                self.ok_button.setEnabled(True)
                self.show_field_errors(fields)
                return
        super().refused(error)
