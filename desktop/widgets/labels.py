"""Labels with a role the style sheet knows (desktop.look): a title, a grey hint."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def set_title(label: QLabel) -> QLabel:
    label.setProperty("role", "title")
    return label


def hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label
