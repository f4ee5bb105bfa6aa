"""One bad cell of an imported workbook: where it is and what is wrong. Its own module
because the import (importing.py) finds problems and the marked copy (marking.py,
marking_large.py) shows them; importing also calls marking, so the class sits below both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str  # the column letter
    header: str
    value: Any
    message: str
