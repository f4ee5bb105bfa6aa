"""The tree of the station's villages and their groups, each with its household count; at a
county, county → township → village → group. Choosing an item filters the household table
to it (a township filters by its code prefix)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop.look import icon
from registry.villages import Village

PlaceRole = Qt.ItemDataRole.UserRole + 1  # (village/township code | None, group_no | None)
GroupsRole = Qt.ItemDataRole.UserRole + 2  # a village's groups not made yet: [(number, count)]
# Above this many villages (a city, the province: 34,000) a village's groups are made when it
# is opened: the province's 48,000 groups at 440,000 households took a second to build.
EAGER_VILLAGES = 1000


class VillageTree(QTreeWidget):
    place_chosen = Signal(object, object)  # village_code | None, group_no | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("villageTree")
        self.setColumnCount(2)
        self.setHeaderLabels(["村 / 组", "户数"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.currentItemChanged.connect(self._changed)
        self.itemExpanded.connect(self._fill_groups)
        self.root: QTreeWidgetItem | None = None

    def populate(self, township: str, villages: list[Village],
                 counts: dict[tuple[str, int | None], int],
                 townships: list[tuple[str, str]] | None = None) -> None:
        """`township` names the root (a county's name at a county); with `townships` (an
        office's places above its villages: townships, and at a city or the province the
        counties and cities too, in code order) each place hangs under the longest code
        that prefixes it and the villages under their township, each with its count."""
        current = self.current_node()
        blocked = self.blockSignals(True)  # the caller may block them too: restored below
        self.clear()
        per_village: dict[str, dict[int | None, int]] = {}
        for (code, g), n in counts.items():
            per_village.setdefault(code, {})[g] = n
        root = _item(self, township, sum(counts.values()))
        root.setIcon(0, icon("township"))
        root.setData(0, PlaceRole, (None, None))
        self.root = root
        parents: dict[str, QTreeWidgetItem] = {}
        if townships:
            lengths = {len(code) for code, _ in townships}  # the levels above the townships
            above = "".join(name for width, name in ((4, "市 / "), (6, "县 / "))
                            if width in lengths)
            self.setHeaderLabels([f"{above}乡镇 / 村 / 组", "户数"])
            root.setIcon(0, icon("app"))
            totals: dict[str, int] = {}  # each place's households, added up from its villages
            for code, groups in per_village.items():
                n = sum(groups.values())
                for cut in (9, 6, 4):
                    totals[code[:cut]] = totals.get(code[:cut], 0) + n
            for code, name in townships:
                parent = next((parents[code[:cut]] for cut in (6, 4)
                               if len(code) > cut and code[:cut] in parents), root)
                item = _item(parent, name, totals.get(code, 0))
                item.setIcon(0, icon("township"))
                item.setData(0, PlaceRole, (code, None))
                item.setToolTip(0, f"{name}({code})")
                parents[code] = item
        eager = len(villages) <= EAGER_VILLAGES
        for v in villages:
            in_village = per_village.get(v.code, {})
            parent = parents.get(v.code[:9], root)
            item = _item(parent, v.name, sum(in_village.values()))
            item.setIcon(0, icon("village"))
            item.setData(0, PlaceRole, (v.code, None))
            item.setToolTip(0, f"{v.name}({v.code})")
            numbers = sorted({n for n, _ in v.groups} | {g for g in in_village if g is not None})
            in_groups = [(n, in_village.get(n, 0)) for n in numbers]
            if eager:
                _add_groups(item, v.code, in_groups)
            elif in_groups:
                item.setData(0, GroupsRole, in_groups)
                item.setChildIndicatorPolicy(
                    QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        root.setExpanded(True)
        self.select_place(*current)
        self.blockSignals(blocked)

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.invisibleRootItem()]
        while stack:
            item = stack.pop()
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:
                    out.append(child)
                    stack.append(child)
        return out

    def current_place(self) -> tuple[str | None, int | None]:
        """The chosen village and group (None, None on the root or a township)."""
        code, group = self.current_node()
        return (code, group) if code is not None and len(code) == 12 else (None, None)

    def current_node(self) -> tuple[str | None, int | None]:
        """What the chosen item filters by: a village or township code, and a group."""
        item = self.currentItem()
        if item is None:
            return None, None
        code, group = item.data(0, PlaceRole)
        return code, group

    def select_place(self, village: str | None, group: int | None) -> None:
        for item in self._items():
            place = tuple(item.data(0, PlaceRole))
            if place == (village, group):
                self.setCurrentItem(item)
                return
            if group is not None and place == (village, None):  # its groups not made yet
                self._fill_groups(item)
                for i in range(item.childCount()):
                    child = item.child(i)
                    if child is not None and tuple(child.data(0, PlaceRole)) == (village, group):
                        self.setCurrentItem(child)
                        return
        if self.root is not None:
            self.setCurrentItem(self.root)

    def _fill_groups(self, item: QTreeWidgetItem) -> None:
        """Makes a village's groups when it is opened (a large tree)."""
        groups = item.data(0, GroupsRole)
        if groups:
            item.setData(0, GroupsRole, None)
            _add_groups(item, item.data(0, PlaceRole)[0], groups)

    def _changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is not None:
            village, group = current.data(0, PlaceRole)
            self.place_chosen.emit(village, group)


def _item(parent: QTreeWidget | QTreeWidgetItem, name: str, households: int) -> QTreeWidgetItem:
    item = QTreeWidgetItem(parent, [name, str(households)])
    item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _add_groups(village: QTreeWidgetItem, code: str, groups: list[tuple[int, int]]) -> None:
    for number, households in groups:
        child = _item(village, f"{number}组", households)
        child.setIcon(0, icon("group"))
        child.setData(0, PlaceRole, (code, number))
