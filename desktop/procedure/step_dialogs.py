"""The dialogs that record one step for the checked households: 民主评议, 入户核实, 乡镇审核
(with the 规模 used and, over it, the reason for going over), 建档立卡, and starting a
notice (第一次 in the village, 第二次 in the township). What each records is the step's
facts (registry/procedure/steps.py); the core checks the order and the role again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from desktop.procedure.form_dialog import FormDialog, date_edit, date_of, households_text
from registry.errors import QuotaExceeded
from registry.procedure.access import QuotaLine
from registry.procedure.notices import DEFAULT_DAYS, FIRST, KIND_NAMES, MAX_DAYS
from registry.procedure.steps import PASS, REJECT, RESULT_NAMES, RETURN, STEPS

REASON_MAX = 500


def text_box(parent: QWidget, placeholder: str = "", height: int = 54) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(height)
    box.setTabChangesFocus(True)
    return box


class StepDialog(FormDialog):
    """One by-hand step for the households: its date, its facts, its result and (when not
    passed) the reason."""

    def __init__(self, step_key: str, names: list[str], parent: QWidget | None = None,
                 on: date | None = None) -> None:
        self.step = STEPS[step_key]
        super().__init__(f"记录{self.step.name}", parent,
                         f"<b>{self.step.name}</b>:{households_text(names)}")
        self.setObjectName(f"stepDialog_{step_key}")
        self.date = date_edit(self, on)
        self.add_row("date", "日期*", self.date)
        self.add_facts()
        results = QWidget(self)
        row = QHBoxLayout(results)
        row.setContentsMargins(0, 0, 0, 0)
        self.result_group = QButtonGroup(self)
        self.result_buttons: dict[str, QRadioButton] = {}
        for result in (PASS, RETURN, REJECT):
            if result not in self.step.leads_to:
                continue
            label = {RETURN: "退回重新评议" if step_key == "verify" else "退回村里",
                     }.get(result, RESULT_NAMES[result])
            button = QRadioButton(label, results)
            button.setObjectName(f"result_{result}")
            self.result_group.addButton(button)
            self.result_buttons[result] = button
            row.addWidget(button)
        row.addStretch(1)
        self.result_buttons[PASS].setChecked(True)
        self.add_row("result", "结果*", results)
        self.reason = text_box(self, "未通过或退回时必填:写明原因,本户据此修改或重新申请")
        self.add_row("reason", "原因", self.reason)
        self.result_group.buttonToggled.connect(lambda *_: self._result_changed())
        self._result_changed()

    def add_facts(self) -> None:
        """The step's own fields (subclasses)."""

    def chosen_result(self) -> str:
        return next(r for r, b in self.result_buttons.items() if b.isChecked())

    def _result_changed(self) -> None:
        self.reason.setEnabled(self.chosen_result() != PASS)

    def on(self) -> date:
        return date_of(self.date)

    def reason_text(self) -> str | None:
        return self.reason.toPlainText().strip() or None if self.chosen_result() != PASS else None

    def facts(self) -> dict[str, Any]:
        return {}

    def check(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        reason = self.reason_text() or ""
        if self.chosen_result() != PASS and not reason:
            errors["reason"] = f"{RESULT_NAMES[self.chosen_result()]}必须写明原因"
        if len(reason) > REASON_MAX:
            errors["reason"] = f"原因不能超过{REASON_MAX}字"
        return errors


class EvaluateDialog(StepDialog):
    """民主评议 (and 退出民主评议): the meeting's date, participants and votes."""

    def __init__(self, names: list[str], parent: QWidget | None = None,
                 step_key: str = "evaluate") -> None:
        super().__init__(step_key, names, parent)

    def add_facts(self) -> None:
        def spin(maximum: int = 9999) -> QSpinBox:
            box = QSpinBox(self)
            box.setRange(0, maximum)
            box.setSuffix(" 人")
            box.setFixedWidth(96)
            return box

        self.participants = spin()
        holder = QWidget(self)
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.participants)
        line.addWidget(QLabel("村民代表、党员、村两委成员等", holder))
        line.addStretch(1)
        self.add_row("participants", "参会人数*", holder)
        votes = QWidget(self)
        row = QHBoxLayout(votes)
        row.setContentsMargins(0, 0, 0, 0)
        self.votes_for, self.votes_against, self.votes_abstain = spin(), spin(), spin()
        for text, box, name in (("赞成", self.votes_for, "votesFor"),
                                ("反对", self.votes_against, "votesAgainst"),
                                ("弃权", self.votes_abstain, "votesAbstain")):
            box.setObjectName(name)
            row.addWidget(QLabel(text, votes))
            row.addWidget(box)
        row.addStretch(1)
        self.add_row("votes", "表决*", votes)

    def facts(self) -> dict[str, Any]:
        return {"participants": self.participants.value(),
                "votes_for": self.votes_for.value(),
                "votes_against": self.votes_against.value(),
                "votes_abstain": self.votes_abstain.value()}

    def check(self) -> dict[str, str]:
        errors = super().check()
        f = self.facts()
        if f["participants"] <= 0:
            errors["participants"] = "请填写参会人数"
        cast = f["votes_for"] + f["votes_against"] + f["votes_abstain"]
        if cast == 0:
            errors["votes"] = "请填写表决票数"
        elif cast > f["participants"]:
            errors["votes"] = f"赞成、反对、弃权共 {cast} 票,多于参会人数 {f['participants']}"
        return errors


class VerifyDialog(StepDialog):
    """入户核实 by the 村两委 and the 驻村工作队: who checked, what they found."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("verify", names, parent)

    def add_facts(self) -> None:
        self.checkers = QLineEdit(self)
        self.checkers.setPlaceholderText("如:村两委 王书记、驻村工作队 李队员")
        self.checkers.setMaxLength(100)
        self.add_row("checkers", "核实人*", self.checkers)
        self.findings = text_box(self, "入户看到的住房、收入、劳动力等情况")
        self.add_row("findings", "核实情况", self.findings)

    def facts(self) -> dict[str, Any]:
        return {"checkers": self.checkers.text().strip(),
                "findings": self.findings.toPlainText().strip()}

    def check(self) -> dict[str, str]:
        errors = super().check()
        if not self.checkers.text().strip():
            errors["checkers"] = "请填写核实人"
        return errors


class TownshipReviewDialog(StepDialog):
    """乡镇审核: the reviewer, the 规模 used / allotted, and — over it — the reason."""

    def __init__(self, names: list[str], reviewer: str, usage: list[QuotaLine],
                 parent: QWidget | None = None) -> None:
        self._reviewer_name = reviewer
        self._usage = usage
        super().__init__("township_review", names, parent)

    def add_facts(self) -> None:
        self.reviewer = QLineEdit(self._reviewer_name, self)
        self.reviewer.setMaxLength(40)
        self.add_row("reviewer", "审核人*", self.reviewer)
        lines = "<br>".join(f"{u.region_name}:{u.text}"
                            + (" <b style='color:#c62f2f'>已超规模</b>" if u.over else "")
                            for u in self._usage) or "未下达规模"
        self.quota = QLabel(lines, self)
        self.quota.setObjectName("quotaUsage")
        self.quota.setProperty("role", "derived")
        self.add_row("quota", "规模(已用/规模)", self.quota)
        self.override = text_box(self, "超出规模时必填:写明确需超出的理由(将记录在案)")
        self.add_row("override", "超规模理由", self.override)
        self._override_needed = any(u.over for u in self._usage)
        self._show_override(self._override_needed)

    def _show_override(self, shown: bool) -> None:
        self.set_row_visible("override", shown)

    def facts(self) -> dict[str, Any]:
        return {"reviewer": self.reviewer.text().strip()}

    def override_text(self) -> str | None:
        return self.override.toPlainText().strip() or None if self.override.isVisible() \
            else None

    def check(self) -> dict[str, str]:
        errors = super().check()
        if not self.reviewer.text().strip():
            errors["reviewer"] = "请填写审核人"
        if self._override_needed and self.chosen_result() == PASS and not self.override_text():
            errors["override"] = "超出规模,请填写理由"
        return errors

    def refused(self, error: BaseException) -> None:
        super().refused(error)
        if isinstance(error, QuotaExceeded):  # the core says by how much
            self._override_needed = True
            self._show_override(True)
            self.override.setFocus()


class RegisterDialog(StepDialog):
    """建档立卡 (对象确认): the date the card and the 扶贫手册 were issued."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("register", names, parent)
        self.about.setText(self.about.text() + "<br>日期即发放贫困户卡和扶贫手册的日期。")

    def facts(self) -> dict[str, Any]:
        return {"issued_on": self.on().isoformat()}


class NoticeDialog(FormDialog):
    """发起公示: the first in a village, the second in the township, for the checked
    households; a period of (by default) 7 days."""

    def __init__(self, kind: str, region_name: str, names: list[str],
                 parent: QWidget | None = None) -> None:
        self.kind = kind
        super().__init__(f"发起{KIND_NAMES[kind]}", parent,
                         f"<b>{region_name}{KIND_NAMES[kind]}</b>:{households_text(names)}"
                         "<br>公示上只列出这些农户;期满后在“到期公示”中结束公示。",
                         ok_text="发起公示")
        self.setObjectName(f"noticeDialog_{kind}")
        where = "村务公开栏" if kind == FIRST else "乡镇政务公开栏"
        self.start = date_edit(self, date.today())
        self.add_row("start", "开始日期*", self.start, f"张贴于{where}的日期")
        self.days = QSpinBox(self)
        self.days.setRange(1, MAX_DAYS)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" 天")
        self.days.setFixedWidth(96)
        self.add_row("days", "公示天数*", self.days, "一般不少于7天")
        self.end_label = QLabel("", self)
        self.end_label.setProperty("role", "derived")
        self.add_row("end", "公示截止", self.end_label)
        self.start.dateChanged.connect(lambda *_: self._update_end())
        self.days.valueChanged.connect(lambda *_: self._update_end())
        self._update_end()

    def start_date(self) -> date:
        return date_of(self.start)

    def _update_end(self) -> None:
        end = self.start_date() + timedelta(days=self.days.value() - 1)
        self.end_label.setText(f"{end.isoformat()}(共 {self.days.value()} 天)")


# ---- 脱贫退出 ------------------------------------------------------------------------------
def year_box(parent: QWidget, year: int | None = None) -> QSpinBox:
    box = QSpinBox(parent)
    box.setRange(2014, date.today().year)
    box.setValue(year or date.today().year)
    box.setSuffix(" 年")
    box.setFixedWidth(110)
    return box


class ExitProposeDialog(StepDialog):
    """拟退出: the year whose income and checklist are measured. The core refuses, naming
    what is missing (income at or below that year's line, an unmet item, no review)."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("exit_propose", names, parent)
        self.about.setText(self.about.text() + "<br>须该年度人均纯收入高于当年扶贫标准,"
                           "且两不愁三保障各项均已达标(年度动态调整中核查)。")
        self.set_row_visible("reason", False)  # only 通过: no reason to give

    def add_facts(self) -> None:
        self.year = year_box(self, date.today().year - 1)
        self.add_row("year", "退出年度*", self.year, "按该年度的收入和核查判断")

    def facts(self) -> dict[str, Any]:
        return {"year": self.year.value()}


class ExitAgreeDialog(StepDialog):
    """贫困户认可: the household agrees to its exit (the date it signed, who signed)."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("exit_agree", names, parent)

    def add_facts(self) -> None:
        self.signed_by = QLineEdit(self)
        self.signed_by.setMaxLength(40)
        self.signed_by.setPlaceholderText("一般为户主本人;多户时可填“户主本人”")
        self.signed_by.setText("户主本人")
        self.add_row("signed_by", "签字认可人*", self.signed_by)

    def facts(self) -> dict[str, Any]:
        return {"signed_by": self.signed_by.text().strip()}

    def check(self) -> dict[str, str]:
        errors = super().check()
        if not self.signed_by.text().strip():
            errors["signed_by"] = "请填写签字认可人"
        return errors


class ExitReviewDialog(StepDialog):
    """乡镇审核退出: the reviewer; on to the county."""

    def __init__(self, names: list[str], reviewer: str, parent: QWidget | None = None) -> None:
        self._reviewer_name = reviewer
        super().__init__("exit_township_review", names, parent)

    def add_facts(self) -> None:
        self.reviewer = QLineEdit(self._reviewer_name, self)
        self.reviewer.setMaxLength(40)
        self.add_row("reviewer", "审核人*", self.reviewer)

    def facts(self) -> dict[str, Any]:
        return {"reviewer": self.reviewer.text().strip()}

    def check(self) -> dict[str, str]:
        errors = super().check()
        if not self.reviewer.text().strip():
            errors["reviewer"] = "请填写审核人"
        return errors


class ExitCloseDialog(StepDialog):
    """销号: after the county's 退出公告; the household becomes 脱贫 in the year."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("exit_close", names, parent)
        self.about.setText(self.about.text() + "<br>销号后脱贫状态为“脱贫”,脱贫年度为下面的年度。")
        self.set_row_visible("reason", False)

    def add_facts(self) -> None:
        self.year = year_box(self)
        self.add_row("year", "脱贫年度*", self.year)

    def facts(self) -> dict[str, Any]:
        return {"year": self.year.value()}


class RelapseDialog(StepDialog):
    """返贫: the reason and its evidence, both required; the household is 建档立卡 again
    with 脱贫状态 返贫."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__("relapse", names, parent)
        self.labels["reason"].setText("返贫原因*")
        self.reason.setPlaceholderText("如:因病、因灾、因残致贫")

    def add_facts(self) -> None:
        self.year = year_box(self)
        self.add_row("year", "返贫年度*", self.year)
        self.evidence = text_box(self, "如:医院诊断证明、受灾核定表及编号")
        self.add_row("evidence", "证明材料*", self.evidence)

    def _result_changed(self) -> None:
        self.reason.setEnabled(True)  # 返贫 always says why

    def reason_text(self) -> str | None:
        return self.reason.toPlainText().strip() or None

    def facts(self) -> dict[str, Any]:
        return {"year": self.year.value(), "evidence": self.evidence.toPlainText().strip()}

    def check(self) -> dict[str, str]:
        errors = super().check()
        if not self.reason_text():
            errors["reason"] = "返贫必须写明原因"
        if not self.evidence.toPlainText().strip():
            errors["evidence"] = "返贫必须写明证明材料"
        return errors
