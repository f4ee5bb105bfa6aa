"""CellProblem lives in its own module, below the import and the marked copy that both
use it (it used to sit in importing.py, reached from marking only under TYPE_CHECKING)."""

from __future__ import annotations

from reports.excel import importing, marking, marking_large, problems


def test_one_cell_problem_class_everywhere() -> None:
    from reports.excel.importing import CellProblem  # the old name still works

    assert CellProblem is problems.CellProblem
    assert importing.CellProblem is marking.CellProblem is marking_large.CellProblem \
        is problems.CellProblem
