"""The 16-character key fingerprint in four large groups, read out by phone when a station
enrolls with its county."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class FingerprintView(QFrame):
    """The 16-character fingerprint in four large groups, read out by phone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprint")
        self.setStyleSheet("#fingerprint { background: #ffffff; border: 2px solid #2f6fc6;"
                           " border-radius: 6px; }")
        self.caption = QLabel("", self)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet("color: #1f2d3d; font-weight: bold;")
        row = QHBoxLayout()
        row.setSpacing(18)
        row.addStretch(1)
        self.groups: list[QLabel] = []
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSize(26)
        font.setBold(True)
        for _ in range(4):
            label = QLabel("----", self)
            label.setFont(font)
            label.setStyleSheet("color: #1f4f8f; font-size: 26pt; letter-spacing: 3px;")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row.addWidget(label)
            self.groups.append(label)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 10)
        box.addWidget(self.caption)
        box.addLayout(row)

    def show_fingerprint(self, fingerprint: str, caption: str) -> None:
        parts = fingerprint.split("-")
        for label, part in zip(self.groups, parts, strict=False):
            label.setText(part)
        self.caption.setText(caption)

    def text(self) -> str:
        return "-".join(g.text() for g in self.groups)
