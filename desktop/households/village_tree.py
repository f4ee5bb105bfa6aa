"""The tree of the station's villages and their groups, each with its household count; at a
county, county → township → village → group. Choosing an item filters the household table
to it (a township filters by its code prefix)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop.look import icon
from registry.villages import Village

PlaceRole = Qt.ItemDataRole.UserRole + 1  # (village/township code | None, group_no | None)
# Above this many villages (a city, the province: 34,000) a township's villages are made when
# it is opened, and a village's groups when it is opened: the province's 37,700 places took
# a second to build, its 230,000 groups more.
EAGER_VILLAGES = 1000
Groups = list[tuple[int, int | None]]  # a village's groups: (number, households | unknown)


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
        self.itemExpanded.connect(self._opened)
        self.root: QTreeWidgetItem | None = None
        # Called with a village whose groups were made without their households (a city's
        # or the province's tree): the window counts them and calls set_group_counts. A
        # callback, not a signal: the window blocks the tree's signals while it fills it.
        self.count_groups: Callable[[str], None] | None = None
        self._places: dict[tuple[str | None, int | None], QTreeWidgetItem] = {}
        # What a large tree makes when it is opened: a township's villages, a village's
        # groups.
        self._villages_of: dict[str, list[tuple[Village, int, dict[int | None, int]]]] = {}
        self._groups_of: dict[str, Groups] = {}
        self._counted = False  # a village's groups are counted when it is opened
        self._totals: dict[str, int] = {}  # households per village

    def populate(self, township: str, villages: list[Village],
                 counts: dict[tuple[str, int | None], int],
                 townships: list[tuple[str, str]] | None = None,
                 totals: dict[str, int] | None = None) -> None:
        """`township` names the root (a county's name at a county); with `townships` (an
        office's places above its villages: townships, and at a city or the province the
        counties and cities too, in code order) each place hangs under the longest code
        that prefixes it and the villages under their township, each with its count.
        `counts` are households per (village, group); or, with `totals` (households per
        village), a village's groups show their households once set_group_counts gives
        them."""
        current = self.current_node()
        blocked = self.blockSignals(True)  # the caller may block them too: restored below
        self.clear()
        self._places, self._villages_of, self._groups_of = {}, {}, {}
        per_village: dict[str, dict[int | None, int]] = {}
        for (code, g), n in counts.items():
            per_village.setdefault(code, {})[g] = n
        counted = self._counted = totals is not None
        if totals is None:
            totals = {code: sum(groups.values()) for code, groups in per_village.items()}
        self._totals = totals
        root = self._item(self, township, sum(totals.values()), (None, None))
        root.setIcon(0, icon("township"))
        self.root = root
        parents: dict[str, QTreeWidgetItem] = {}
        if townships:
            lengths = {len(code) for code, _ in townships}  # the levels above the townships
            above = "".join(name for width, name in ((4, "市 / "), (6, "县 / "))
                            if width in lengths)
            self.setHeaderLabels([f"{above}乡镇 / 村 / 组", "户数"])
            root.setIcon(0, icon("app"))
            in_place: dict[str, int] = {}  # each place's households, added up from its villages
            for code, n in totals.items():
                for cut in (9, 6, 4):
                    in_place[code[:cut]] = in_place.get(code[:cut], 0) + n
            for code, name in townships:
                parent = next((parents[code[:cut]] for cut in (6, 4)
                               if len(code) > cut and code[:cut] in parents), root)
                item = self._item(parent, name, in_place.get(code, 0), (code, None))
                item.setIcon(0, icon("township"))
                item.setToolTip(0, f"{name}({code})")
                parents[code] = item
        eager = len(villages) <= EAGER_VILLAGES
        for v in villages:
            households = totals.get(v.code, 0)
            in_village = per_village.get(v.code, {})
            above_village = parents.get(v.code[:9])
            if eager or above_village is None:
                self._add_village(above_village or root, v, households, in_village,
                                  with_groups=eager and not counted)
                continue
            waiting = self._villages_of.setdefault(v.code[:9], [])
            if not waiting:
                above_village.setChildIndicatorPolicy(
                    QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            waiting.append((v, households, in_village))
        root.setExpanded(True)
        self.select_place(*current)
        self.blockSignals(blocked)

    def _item(self, parent: QTreeWidget | QTreeWidgetItem, name: str, households: int | None,
              place: tuple[str | None, int | None]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [name, "" if households is None else str(households)])
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(0, PlaceRole, place)
        self._places[place] = item
        return item

    def _add_village(self, parent: QTreeWidgetItem, v: Village, households: int,
                     in_village: dict[int | None, int], with_groups: bool) -> None:
        """A village, and its groups now or when it is opened: those it has and those its
        households are in, each with its households (unknown while being counted)."""
        item = self._item(parent, v.name, households, (v.code, None))
        item.setIcon(0, icon("village"))
        item.setToolTip(0, f"{v.name}({v.code})")
        numbers = sorted({n for n, _ in v.groups} | {g for g in in_village if g is not None})
        groups: Groups = [(n, None if self._counted else in_village.get(n, 0))
                          for n in numbers]
        if with_groups:
            self._add_groups(item, v.code, groups)
        elif groups or (self._counted and households):  # (counted: groups none registered)
            self._groups_of[v.code] = groups
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)

    def _add_groups(self, village: QTreeWidgetItem, code: str, groups: Groups) -> None:
        for number, households in groups:
            self._item(village, f"{number}组", households, (code, number)).setIcon(
                0, icon("group"))
        # Counted once, when opened (not again when the count adds a group).
        if self._counted and self.count_groups is not None and (
                not groups or any(n is None for _, n in groups)):
            self.count_groups(code)

    def set_group_counts(self, code: str, counts: dict[int | None, int]) -> None:
        """The households of a village's groups, counted since it was opened; a group
        that has households but no entry of its own is added."""
        village = self._places.get((code, None))
        if village is None or code in self._groups_of:
            return  # gone (the tree was read again) or not opened
        made = [village.child(i) for i in range(village.childCount())]
        numbers = {item.data(0, PlaceRole)[1] for item in made if item is not None}
        if numbers >= counts.keys() - {None}:
            for item in made:
                if item is not None:
                    item.setText(1, str(counts.get(item.data(0, PlaceRole)[1], 0)))
            return
        for number in numbers:  # made again with the new ones, in number order
            del self._places[(code, number)]
        village.takeChildren()
        self._add_groups(village, code, [(n, counts.get(n, 0)) for n in sorted(
            numbers | {g for g in counts if g is not None})])

    def current_place(self) -> tuple[str | None, int | None]:
        """The chosen village and group (None, None on the root or a township)."""
        code, group = self.current_node()
        return (code, group) if code is not None and len(code) == 12 else (None, None)

    def village_for_dialog(self) -> str | None:
        """The village a dialog about one village opens on: the chosen one; else the first
        with households under the chosen place, or in the whole tree (at the province
        the first village by code is often one without any)."""
        code, _ = self.current_node()
        if code is not None and len(code) == 12:
            return code
        within = code or ""
        return min((v for v, n in self._totals.items() if n and v.startswith(within)),
                   default=None)

    def current_node(self) -> tuple[str | None, int | None]:
        """What the chosen item filters by: a village or township code, and a group."""
        item = self.currentItem()
        if item is None:
            return None, None
        code, group = item.data(0, PlaceRole)
        return code, group

    def select_place(self, village: str | None, group: int | None) -> None:
        """Chooses the place (the root where there is none), making what leads to it."""
        if village is not None and (village, None) not in self._places:
            self._make_villages(village[:9])
        if group is not None and village in self._groups_of:
            self._make_groups(village)
        item = self._places.get((village, group)) or self.root
        if item is not None:
            self.setCurrentItem(item)

    def _opened(self, item: QTreeWidgetItem) -> None:
        code, group = item.data(0, PlaceRole)
        if code is not None and group is None:
            self._make_villages(code)
            self._make_groups(code)

    def _make_villages(self, township: str) -> None:
        """Makes a township's villages when it is opened (a large tree)."""
        waiting = self._villages_of.pop(township, None)
        parent = self._places.get((township, None))
        if waiting and parent is not None:
            for v, households, in_village in waiting:
                self._add_village(parent, v, households, in_village, with_groups=False)

    def _make_groups(self, village: str) -> None:
        """Makes a village's groups when it is opened (a large tree)."""
        groups = self._groups_of.pop(village, None)
        item = self._places.get((village, None))
        if groups is not None and item is not None:
            self._add_groups(item, village, groups)

    def _changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is not None:
            village, group = current.data(0, PlaceRole)
            self.place_chosen.emit(village, group)


