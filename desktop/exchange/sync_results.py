"""The table of import results, one row per bundle file: at the county the six buckets,
at a station what a return bundle brought; refused files in red, waiting ones in amber."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.look import AMBER, GREEN, RED, RED_BACK
from desktop.widgets.tables import count_item
from sync.names import (
    APPLIED,
    BUCKET_NAMES,
    BUCKETS,
    OUTCOME_NAMES,
    REFUSED,
    WAITING,
    counts_text,
    table_label,
)
from sync.receive import ImportResult

HELD_BUCKETS = ("conflict", "quarantined")  # records the county kept, not applied


def held_records(result: ImportResult) -> int:
    return sum(c.get(b, 0) for c in result.counts.values() for b in HELD_BUCKETS)


def table_totals(result: ImportResult) -> dict[str, int]:
    return {name: sum(b.values()) for name, b in result.counts.items()}


def received_text(result: ImportResult) -> str:
    """What a return bundle brought, in words: "县级回执 2,贫困线标准 1"."""
    parts = [f"{table_label(n)} {c}" for n, c in table_totals(result).items() if c]
    return ",".join(parts) or "无新内容"


class ResultTable(QTableWidget):
    """One row per imported file. At the county: the six buckets; at a station: what the
    return bundle brought. Refused files in red, waiting ones in amber."""

    def __init__(self, county: bool, parent: QWidget | None = None) -> None:
        self.county = county
        middle = [BUCKET_NAMES[b] for b in BUCKETS] if county else ["收到的内容"]
        headers = ["文件", "乡镇" if county else "来自", "编号", "结果", *middle, "说明"]
        super().__init__(0, len(headers))
        if parent is not None:
            self.setParent(parent)
        self.setObjectName("importResults")
        self.setHorizontalHeaderLabels(headers)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.setWordWrap(True)  # the 说明 of a refused or waiting file is read in full
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        widths = [200, 70, 44, 110] + ([64] * len(BUCKETS) if county else [240])
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)
        self.message_column = len(headers) - 1

    def show_results(self, results: list[ImportResult],
                     held_peers: Collection[str] = ()) -> None:
        """`held_peers`: stations whose audit chain this import found inconsistent; their
        applied bundles are marked like those with records held."""
        self.setRowCount(len(results))
        for row, r in enumerate(results):
            held = held_records(r) > 0 or (r.status == APPLIED and r.peer in held_peers)
            outcome = OUTCOME_NAMES.get(r.status, r.status)
            cells = [QTableWidgetItem(r.file), QTableWidgetItem(r.peer_name or r.peer),
                     count_item(r.seq if r.seq is not None else ""),
                     QTableWidgetItem(f"{outcome}(待核查)" if held else outcome)]
            sums = {b: sum(c.get(b, 0) for c in r.counts.values()) for b in BUCKETS}
            if self.county:
                cells += [count_item(sums[b] if r.counts else "") for b in BUCKETS]
            else:
                cells.append(QTableWidgetItem(received_text(r) if r.counts else ""))
            cells.append(QTableWidgetItem(r.message))
            detail = counts_text(r.counts).replace(";", "\n")
            for column, item in enumerate(cells):
                item.setToolTip(r.message + (f"\n\n{detail}" if detail else ""))
                if r.status == REFUSED:
                    item.setForeground(QBrush(RED))
                    item.setBackground(QBrush(RED_BACK))
                elif r.status == WAITING:
                    item.setForeground(QBrush(AMBER))
                elif held:  # applied, but not all of it: the county must look
                    item.setBackground(QBrush(RED_BACK))
                    bucket = self.header_bucket(column)
                    if column == 3 or (bucket in HELD_BUCKETS and sums[bucket]):
                        item.setForeground(QBrush(RED))
                elif column == 3:
                    item.setForeground(QBrush(GREEN))
                self.setItem(row, column, item)
        self.resizeRowsToContents()

    def header_bucket(self, column: int) -> str | None:
        """The bucket a county column counts, if it is one."""
        index = column - 4
        return BUCKETS[index] if self.county and 0 <= index < len(BUCKETS) else None

    def row_color(self, row: int) -> QColor:
        item = self.item(row, 3)
        assert item is not None
        return item.foreground().color()


def results_summary(results: list[ImportResult]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in OUTCOME_NAMES}
    parts = [f"{OUTCOME_NAMES[s]} {n}" for s, n in counts.items() if n]
    return f"共 {len(results)} 个文件:" + ",".join(parts)
