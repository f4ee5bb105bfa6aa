"""The village chooser of the dialogs that work on one village (按村帮扶, 年度动态调整, the
registers). At a station its villages by name. At an office, where names repeat (the
province's 34,412 villages hold many a 城关村), each with its township, and at a city or the
province its county too, in a box one types into to find a village."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from registry.regions import sichuan
from registry.villages import Village


def village_label(code: str, name: str, kind: str) -> str:
    """「村」at a station, 「乡镇 村」at a county, 「县 乡镇 村」at a city or the province."""
    if kind == "station":
        return name
    places = sichuan()
    above = [code[:9]] if kind == "county" else [code[:6], code[:9]]
    names = [d.name for d in map(places.get, above) if d is not None]
    return " ".join([*names, name])


def village_box(parent: QWidget, villages: Sequence[Village], current: str | None,
                kind: str) -> QComboBox:
    """The villages (data: the code), `current` chosen, else the first."""
    box = QComboBox(parent)
    box.setMinimumWidth(220)
    for v in villages:
        box.addItem(village_label(v.code, v.name, kind), v.code)
    index = box.findData(current) if current else -1
    box.setCurrentIndex(max(index, 0))
    if kind != "station":
        _searchable(box)
    return box


def _searchable(box: QComboBox) -> None:
    """Typing part of a name lists the villages holding it; text that names none goes
    back to the village chosen when the box is left."""
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    # Sized for a label, not by measuring every one of tens of thousands.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(18)
    completer, line = box.completer(), box.lineEdit()
    assert completer is not None and line is not None  # an editable box has both
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    line.setPlaceholderText("输入村名查找")

    def settle() -> None:
        if box.findText(box.currentText()) < 0:
            box.setEditText(box.itemText(box.currentIndex()))
    line.editingFinished.connect(settle)
