"""One bad cell of an imported workbook, and the bounded list of them an import hands back.
Its own module because the import (importing.py) finds problems and the marked copy
(marking.py, marking_large.py) shows them; importing also calls marking, so the classes
sit below both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SHEET_ORDER = {"农户": 0, "家庭成员": 1}


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str  # the column letter
    header: str
    value: Any
    message: str


class ProblemList:
    """Problems in sheet, row, column order, whatever order they are found in: the first
    `limit` are kept, the others only counted, so a million bad rows cost a counter. The
    same message on the same cell counts once (among the kept ones; past them a repeat
    would count twice, which the import avoids by handing each household's problems
    over once)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self._kept: dict[tuple[Any, ...], CellProblem] = {}
        self._worst: tuple[Any, ...] | None = None  # the last kept key once full
        self._rows: set[tuple[int, int]] = set()

    def add(self, sheet: str, row: int, column: str, header: str, value: Any,
            message: str) -> None:
        order = _SHEET_ORDER.get(sheet, 2)
        key = (order, row, len(column), column, message)
        self._rows.add((order, row))
        if self._worst is not None and key > self._worst:
            self.total += 1
            return
        if key in self._kept:
            return
        self.total += 1
        self._kept[key] = CellProblem(sheet, row, column, header, value, message)
        if len(self._kept) >= 2 * self.limit:
            self._prune()

    def _prune(self) -> None:
        keys = sorted(self._kept)
        for key in keys[self.limit:]:
            del self._kept[key]
        self._worst = keys[self.limit - 1]

    @property
    def rows(self) -> int:
        """Rows with at least one problem, listed or not."""
        return len(self._rows)

    def listed(self) -> list[CellProblem]:
        keys = sorted(self._kept)[:self.limit]
        return [self._kept[k] for k in keys]

    def __bool__(self) -> bool:
        return self.total > 0
