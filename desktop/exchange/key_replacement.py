"""更换密钥: what a refused enrollment (county) or answer (station) turns into. The other
side already has a registered key and the file brings another one: maybe an impostor, maybe
a reinstalled PC. The panel shows both fingerprints, and replaces the key only when the user
types the fingerprint read to them by phone (it must be the file's) and, where required, a
reason. The dialog asks once more, then runs the core call with the confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sync.key_replacement import same_fingerprint


@dataclass(frozen=True)
class PanelTexts:
    """What one side says: the county about a station, a station about its county."""

    heading: str
    warning: str
    registered: str  # label of the fingerprint on record
    offered: str  # label of the file's fingerprint
    phone: str  # whom to call and what to ask for
    button: str
    reason_required: bool
    reason_example: str  # the reason field's placeholder


def office_side(below: str = "乡镇", own: str = "本县") -> PanelTexts:
    """An office about a unit that enrolls at it: a county about its 乡镇 (本县), a city or
    the province about a 下级单位 (本单位), whose screen calls its own key 本站指纹 or
    本单位指纹."""
    their = "本站指纹" if below == "乡镇" else "本单位指纹"
    return PanelTexts(
        heading=f"该{below}已经登记过,{own}存有它的另一把密钥",
        warning=f"此申请的密钥与{own}登记的不同。申请可能是冒充该{below}的人发出的:一旦更换,"
                f"冒充者就能以该{below}的名义报送数据,真正的{below}反而被拒绝。只有在{below}"
                "电脑重装、密钥被吊销等情况下,经电话核对指纹后才能更换。日常更换密钥不必重新"
                f"登记:新密钥由旧密钥背书,随{below}的下一个数据包送达。",
        registered=f"{own}登记的指纹:",
        offered="此申请的指纹:",
        phone=f"请用{own}存档的电话号码打给该{below}(不要用申请人提供的号码),请对方读出其"
              f"屏幕上的“{their}”,逐字输入下面;并写明更换原因。",
        button="更换密钥…",
        reason_required=True,
        reason_example=f"如:{below}电脑重装",
    )


def station_side(who: str = "县扶贫办", me: str = "本站", their_print: str = "本县指纹"
                 ) -> PanelTexts:
    """A unit about the office it enrolled at: a station about its 县扶贫办, a county or
    city about the 上级扶贫办."""
    return PanelTexts(
        heading=f"此答复的{who}密钥与{me}登记的不同",
        warning=f"{me}已接受过{who}的答复,此答复却带来另一把密钥。答复可能是冒充{who}的人"
                f"发出的:一旦更换,{me}的数据包就会加密给对方。只有在{who}告知已更换密钥"
                f"(如电脑重装),并经电话核对指纹后才能更换。",
        registered=f"{me}登记的{who}指纹:",
        offered="此答复的指纹:",
        phone=f"请用{who}对外公布的电话(不要用随答复文件给出的号码)打给{who},请对方读出"
              f"其屏幕上的“{their_print}”,逐字输入下面。",
        button=f"更换{who}密钥…",
        reason_required=False,
        reason_example=f"如:{who}电脑重装",
    )


def _fingerprint_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setPointSize(13)
    font.setBold(True)
    return font


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setProperty("role", "error")
    label.setMinimumWidth(220)
    label.setWordWrap(True)
    return label


class KeyReplacementPanel(QFrame):
    """Both fingerprints, the one typed from the phone call, a reason, and 更换密钥."""

    confirmed = Signal(str, str)  # the typed fingerprint (the file's), the reason

    def __init__(self, texts: PanelTexts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyReplacement")
        self.setStyleSheet("#keyReplacement { background: #fff8f8; border: 2px solid #c62f2f;"
                           " border-radius: 6px; }")
        self.texts = texts
        self.expected = ""  # the file's fingerprint: the typed one must be it
        heading = QLabel(texts.heading, self)
        heading.setStyleSheet("color: #c62f2f; font-weight: bold; font-size: 11pt;")
        warning = QLabel(texts.warning, self)
        warning.setWordWrap(True)
        self.registered = QLabel("", self)
        self.registered.setObjectName("registeredFingerprint")
        self.offered = QLabel("", self)
        self.offered.setObjectName("offeredFingerprint")
        prints = QGridLayout()
        prints.setHorizontalSpacing(12)
        for row, (caption, value) in enumerate(((texts.registered, self.registered),
                                                (texts.offered, self.offered))):
            value.setFont(_fingerprint_font())
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            prints.addWidget(QLabel(caption, self), row, 0)
            prints.addWidget(value, row, 1)
        prints.setColumnStretch(2, 1)
        phone = QLabel(texts.phone, self)
        phone.setWordWrap(True)
        phone.setStyleSheet("color: #1f4f8f; font-weight: bold;")
        self.typed = QLineEdit(self)
        self.typed.setObjectName("typedFingerprint")
        self.typed.setPlaceholderText("如 25D0-E105-ECA4-3E6F")
        self.typed.setMaxLength(40)
        self.typed.setMinimumWidth(220)
        self.typed_error = _error_label(self)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("replacementReason")
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(texts.reason_example)
        self.reason_error = _error_label(self)
        self.typed.textChanged.connect(lambda _t: self._mark(self.typed, self.typed_error, ""))
        self.reason.textChanged.connect(lambda _t: self._mark(self.reason, self.reason_error,
                                                              ""))
        form = QFormLayout()
        form.addRow("对方读出的指纹:", self._beside(self.typed, self.typed_error))
        form.addRow("更换原因:" if texts.reason_required else "更换原因(选填):",
                    self._beside(self.reason, self.reason_error))
        self.replace_button = QPushButton(texts.button, self)
        self.replace_button.setObjectName("replaceKeyButton")
        self.replace_button.setAutoDefault(False)
        self.replace_button.clicked.connect(self.check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.replace_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(6)
        box.addWidget(heading)
        box.addWidget(warning)
        box.addLayout(prints)
        box.addWidget(phone)
        box.addLayout(form)
        box.addLayout(buttons)

    def _beside(self, field: QLineEdit, error: QLabel) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(field, 2)
        row.addWidget(error, 3)
        return row

    def show_refusal(self, registered: Sequence[str], offered: str) -> None:
        """Shows both fingerprints and clears what was typed for another file."""
        self.registered.setText("、".join(registered) or "无(原密钥已吊销)")
        self.offered.setText(offered)
        self.expected = offered
        self.typed.clear()
        self.reason.clear()
        self.show()

    def check(self) -> None:
        """The typed fingerprint must be the file's, and a reason given where required;
        each refusal is said beside its field. Then `confirmed` carries them."""
        typed, reason = self.typed.text().strip(), self.reason.text().strip()
        if not typed:
            self._mark(self.typed, self.typed_error, "请输入对方在电话中读出的指纹")
        elif not same_fingerprint(typed, self.expected):
            self._mark(self.typed, self.typed_error,
                       "与文件中的指纹不符:未更换。请重新电话核对;仍不一致时不要更换。")
        if self.texts.reason_required and not reason:
            self._mark(self.reason, self.reason_error, "请填写更换原因(将记入审计记录)")
        if self.typed_error.text() or self.reason_error.text():
            return
        self.confirmed.emit(typed, reason)

    def _mark(self, field: QLineEdit, error: QLabel, message: str) -> None:
        error.setText(message)
        invalid = bool(message)
        if field.property("invalid") != invalid:
            field.setProperty("invalid", invalid)
            field.style().unpolish(field)
            field.style().polish(field)
