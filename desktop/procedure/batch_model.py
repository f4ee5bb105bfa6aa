"""The village batch's table model: a village's households (a few hundred at most) with
their stage and a check box each; the checked ones are what a step is recorded for.
Tested with no view."""

from __future__ import annotations

from desktop.procedure.checked_rows import COL_CHECK as COL_CHECK  # the batch's columns
from desktop.procedure.checked_rows import CheckedRowsModel
from registry.procedure.access import BatchRow

COL_GROUP, COL_HEAD, COL_ID, COL_SIZE, COL_STAGE = range(1, 6)
HEADERS = ("", "组", "户主", "户主身份证号", "人口", "识别阶段")


class BatchModel(CheckedRowsModel[BatchRow]):
    headers = HEADERS
    right_aligned = frozenset({COL_GROUP, COL_SIZE})

    def __init__(self) -> None:
        super().__init__()
        self._all: list[BatchRow] = []
        self.stage: str | None = None  # shown: every stage (None) or one

    # ---- content ----------------------------------------------------------------------
    def set_rows(self, rows: list[BatchRow]) -> None:
        self.beginResetModel()
        self._all = rows
        present = {r.household_id for r in rows}
        self._checked &= present
        self._filter()
        self.endResetModel()

    def set_stage(self, stage: str | None) -> None:
        self.beginResetModel()
        self.stage = stage
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._rows = [r for r in self._all if self.stage is None or r.stage == self.stage]
        shown = {r.household_id for r in self._rows}
        self._checked &= shown  # what is not shown is never acted on

    def stage_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self._all:
            counts[r.stage] = counts.get(r.stage, 0) + 1
        return counts

    def check_stage(self, stage: str) -> None:
        """Checks exactly the shown households at `stage`."""
        self._checked.clear()
        self.set_checked([r.household_id for r in self._rows if r.stage == stage])

    def cell(self, r: BatchRow, col: int) -> str:
        return ("", "" if r.group_no is None else f"{r.group_no}组", r.head_name,
                r.head_id_number, str(r.size), r.stage_name)[col]
