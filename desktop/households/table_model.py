"""The household table's model: it holds only the ids of the current query (from SQL) and
fetches rows for the visible part in pages, so a 20,000-household station never loads every
row. Sorting and filtering are SQL's job (registry.search.SORT_KEYS), not a proxy's.

The store is reached through a `HouseholdSource`, so the model is tested with no view.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from forms import codelists as cl
from forms.fields import CodeList
from forms.idnumber import mask
from registry.search import HouseholdFilter, HouseholdRow

_ROOT = QModelIndex()  # the invisible root, as a default argument

class HouseholdSource(Protocol):
    def ids(self, f: HouseholdFilter, sort: str, descending: bool) -> list[str]: ...

    def rows(self, ids: Sequence[str]) -> list[HouseholdRow]: ...


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _labels(codes: CodeList) -> Callable[[str | None], str]:
    """label_of with the code list's labels looked up once (a page makes 600 of them)."""
    labels = {c.code: c.label for c in codes.choices}
    return lambda code: labels.get(code, code) if code else ""


_ATTRIBUTE, _CAUSE, _STAGE, _STATUS = (
    _labels(c) for c in (cl.HOUSEHOLD_ATTRIBUTE, cl.POVERTY_CAUSE, cl.STAGE, cl.POVERTY_STATUS))


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None
    text: Callable[[HouseholdRow], str]
    align_right: bool = False


# Column constants (Vorta's habit): use these, never bare numbers.
COL_VILLAGE, COL_GROUP, COL_HEAD, COL_ID, COL_SIZE, COL_ATTRIBUTE, COL_CAUSE, COL_INCOME, \
    COL_STAGE, COL_STATUS = range(10)

COLUMNS: tuple[Column, ...] = (
    Column("行政村", "village", lambda r: r.village_name),
    Column("组", "group", lambda r: "" if r.group_no is None else f"{r.group_no}组",
           align_right=True),
    Column("户主", "head", lambda r: r.head_name or ""),
    Column("户主身份证号", None, lambda r: mask(r.head_id_number) if r.head_id_number else ""),
    Column("人口", "size", lambda r: str(r.size), align_right=True),
    Column("贫困户属性", None, lambda r: _ATTRIBUTE(r.attribute)),
    Column("主要致贫原因", None, lambda r: _CAUSE(r.main_cause)),
    Column("人均纯收入(元)", "per_capita", lambda r: _money(r.net_income_per_capita),
           align_right=True),
    Column("识别阶段", "stage", lambda r: _STAGE(r.stage)),
    Column("脱贫状态", "status", lambda r: _STATUS(r.poverty_status)),
)

IdRole = Qt.ItemDataRole.UserRole + 1  # the household id (str)
RowRole = Qt.ItemDataRole.UserRole + 2  # the HouseholdRow
SortRole = Qt.ItemDataRole.UserRole + 3  # the SORT_KEYS name of a column, on the header

# The view asks data() for some ten roles of every visible cell at each paint: plain ints
# and alignments made once keep that cheap (Qt's enums are Python objects).
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ALIGNMENTS = tuple((Qt.AlignmentFlag.AlignRight if c.align_right else Qt.AlignmentFlag.AlignLeft)
                    | Qt.AlignmentFlag.AlignVCenter for c in COLUMNS)

PAGE_SIZE = 50  # two screens: a search shows its first screen after one small fetch
MAX_PAGES = 60  # pages kept in memory; older ones are fetched again when scrolled back


class HouseholdTableModel(QAbstractTableModel):
    """`requery` runs the query again when the sort changes: the window passes its search,
    which runs in the DB worker and hands the ids back through `set_ids` (a county's list
    is 200,000 ids: never read on the UI thread). Without it the model asks its source at
    once (tests, small lists)."""

    def __init__(self, source: HouseholdSource, page_size: int = PAGE_SIZE,
                 requery: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._source = source
        self._requery = requery or self.refresh
        self._page_size = page_size
        self._ids: list[str] = []
        # Fetched pages: each row with its cells' texts, made once when the page arrives.
        self._pages: OrderedDict[int, list[tuple[HouseholdRow, tuple[str, ...]]]] = \
            OrderedDict()
        self.filter = HouseholdFilter()
        self.sort_key = "village"
        self.descending = False
        self.fetches = 0  # pages fetched so far (tests check laziness)

    # ---- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Runs the current query again (after a save, or a filter change)."""
        self.set_ids(self._source.ids(self.filter, self.sort_key, self.descending))

    def set_filter(self, f: HouseholdFilter) -> None:
        self.filter = f
        self.refresh()

    def set_ids(self, ids: list[str], f: HouseholdFilter | None = None) -> None:
        """Takes a result computed elsewhere (the DB worker's search)."""
        self.beginResetModel()
        if f is not None:
            self.filter = f
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def extend_ids(self, ids: list[str]) -> None:
        """The whole list of which the model shows the first part: the rest is appended,
        so the view keeps its place and selection (or, changed meanwhile, shown anew)."""
        shown = len(self._ids)
        if ids[:shown] != self._ids:
            self.set_ids(ids)
            return
        if len(ids) > shown:
            self.beginInsertRows(_ROOT, shown, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()

    def ids(self) -> list[str]:
        return list(self._ids)

    def row_of(self, household_id: str) -> int:
        try:
            return self._ids.index(household_id)
        except ValueError:
            return -1

    def household_row(self, row: int) -> HouseholdRow | None:
        cached = self._cached(row)
        return None if cached is None else cached[0]

    def _cached(self, row: int) -> tuple[HouseholdRow, tuple[str, ...]] | None:
        if not 0 <= row < len(self._ids):
            return None
        page = row // self._page_size
        rows = self._pages.get(page)
        if rows is None:
            start = page * self._page_size
            wanted = self._ids[start:start + self._page_size]
            found = {r.id: r for r in self._source.rows(wanted)}
            rows = []
            for i in wanted:
                r = found.get(i) or _missing(i)
                rows.append((r, tuple(c.text(r) for c in COLUMNS)))
            self._pages[page] = rows
            self.fetches += 1
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows[row - page * self._page_size]

    # ---- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY:
            cached = self._cached(index.row())
            return None if cached is None else cached[1][index.column()]
        if role == _ALIGNMENT:
            return _ALIGNMENTS[index.column()] if index.isValid() else None
        if role == IdRole:
            row = index.row()
            return self._ids[row] if 0 <= row < len(self._ids) else None
        if role == RowRole:
            return self.household_row(index.row())
        if role == _TOOLTIP and index.column() == 0:
            cached = self._cached(index.row())
            return None if cached is None else f"{cached[0].village_name} " \
                f"{cached[0].head_name or ''}户"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == SortRole:
            return COLUMNS[section].sort_key
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort_key
        if key is None:
            return  # not sortable in SQL; the header ignores the click
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return  # the view announcing its initial order: nothing to query
        self.sort_key = key
        self.descending = descending
        self._requery()


def _missing(household_id: str) -> HouseholdRow:
    """A row deleted since the ids were read: shown blank until the next refresh."""
    return HouseholdRow(household_id, "", "", None, None, None, 0, None, None, "", "", None,
                        True)
