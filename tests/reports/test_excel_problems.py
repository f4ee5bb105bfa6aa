"""CellProblem lives in its own module, below the import and the marked copy that both
use it (it used to sit in importing.py, reached from marking only under TYPE_CHECKING)."""

from __future__ import annotations

from reports.excel import importing, marking, marking_large, problems


def test_one_cell_problem_class_everywhere() -> None:
    from reports.excel.importing import CellProblem  # the old name still works

    assert CellProblem is problems.CellProblem
    assert importing.CellProblem is marking.CellProblem is marking_large.CellProblem \
        is problems.CellProblem


def test_problem_list_keeps_the_first_in_sheet_order_and_counts_the_rest() -> None:
    found = problems.ProblemList(limit=10)
    rows = [(sheet, row) for row in range(200, 1, -1) for sheet in ("家庭成员", "农户")]
    for sheet, row in rows:  # found late rows first, members before households
        found.add(sheet, row, "AB", "列", None, "有误")
        found.add(sheet, row, "C", "列", None, "有误")
    found.add("农户", 2, "C", "列", None, "有误")  # a kept problem again: counted once
    listed = found.listed()
    assert [(p.sheet, p.row, p.column) for p in listed] == [
        ("农户", row, column) for row in range(2, 7) for column in ("C", "AB")]
    assert found.total == len(rows) * 2 and found.rows == len(rows)
