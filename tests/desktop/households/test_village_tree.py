"""The village tree of a large office (a city, the province: tens of thousands of villages)
makes a township's villages and a village's groups when they are opened, and still finds
any group asked for; at a city or the province a village's groups are counted when it is
opened."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from desktop.households.village_tree import EAGER_VILLAGES, PlaceRole, VillageTree
from registry.villages import Village


def _villages(n: int) -> list[Village]:
    """`n` villages, a thousand to a township, each with two groups."""
    return [Village(f"5134311{i // 1000:02d}{i % 1000:03d}", f"村{i}", [(1, None), (2, None)])
            for i in range(n)]


def _tree(qtbot: QtBot, villages: list[Village]) -> VillageTree:
    tree = VillageTree()
    qtbot.addWidget(tree)
    counts = {(v.code, g): 3 for v in villages for g in (1, 2)}
    townships = sorted({(v.code[:9], f"乡镇{v.code[7:9]}") for v in villages})
    tree.populate("凉山州", villages, counts, [("513431", "昭觉县"), *townships])
    return tree


def test_a_small_tree_has_its_groups_at_once(qtbot: QtBot) -> None:
    tree = _tree(qtbot, _villages(3))
    assert tree.headerItem().text(0) == "县 / 乡镇 / 村 / 组"
    village = tree.root.child(0).child(0).child(0)  # type: ignore[union-attr]
    assert village.childCount() == 2 and village.child(1).text(0) == "2组"


def test_a_large_tree_makes_a_villages_groups_when_it_is_opened(qtbot: QtBot) -> None:
    villages = _villages(EAGER_VILLAGES + 1)
    tree = _tree(qtbot, villages)
    county = tree.root.child(0)  # type: ignore[union-attr]
    assert tree.headerItem().text(0) == "县 / 乡镇 / 村 / 组"  # a city's: no city above
    assert county.text(1) == str(6 * len(villages))
    township = county.child(0)
    assert township.childCount() == 0 and township.text(1) == str(6 * 1000)
    assert township.childIndicatorPolicy() == QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator
    township.setExpanded(True)
    assert township.childCount() == 1000
    first = township.child(0)
    assert first.childCount() == 0 and first.text(1) == "6"
    first.setExpanded(True)
    assert [first.child(i).text(0) for i in range(first.childCount())] == ["1组", "2组"]
    assert first.child(0).text(1) == "3"
    # A group of a village never opened is found all the same.
    last = villages[-1].code
    tree.select_place(last, 2)
    assert tree.current_place() == (last, 2)
    assert tree.currentItem().data(0, PlaceRole) == (last, 2)  # type: ignore[union-attr]


def test_the_provinces_tree_names_its_cities_in_the_header(qtbot: QtBot) -> None:
    tree = VillageTree()
    qtbot.addWidget(tree)
    villages = _villages(2)
    tree.populate("四川省", villages, {}, [("5134", "凉山彝族自治州"), ("513431", "昭觉县"),
                                        ("513431100", "乡镇00")])
    assert tree.headerItem().text(0) == "市 / 县 / 乡镇 / 村 / 组"
    city = tree.root.child(0)  # type: ignore[union-attr]
    assert city.text(0) == "凉山彝族自治州" and city.child(0).child(0).child(0).text(0) == "村0"


def test_an_offices_tree_counts_a_villages_groups_when_it_is_opened(qtbot: QtBot) -> None:
    """A city's or the province's tree: households per village (from the tally), each
    village's groups counted when it is opened, a group with households but no entry of
    its own put in its place."""
    villages = _villages(3)
    tree = VillageTree()
    qtbot.addWidget(tree)
    asked: list[str] = []
    tree.count_groups = asked.append
    totals = {villages[0].code: 7, villages[1].code: 2}
    tree.populate("凉山州", villages, {}, [("513431", "昭觉县"), ("513431100", "乡镇00")],
                  totals)
    township = tree.root.child(0).child(0)  # type: ignore[union-attr]
    assert (tree.root.text(1), township.text(1)) == ("9", "9")  # type: ignore[union-attr]
    first = township.child(0)
    assert first.text(1) == "7" and first.childCount() == 0 and asked == []
    first.setExpanded(True)
    assert asked == [villages[0].code]
    assert [(first.child(i).text(0), first.child(i).text(1))
            for i in range(first.childCount())] == [("1组", ""), ("2组", "")]
    tree.set_group_counts(villages[0].code, {1: 4, 3: 2, None: 1})
    assert [(first.child(i).text(0), first.child(i).text(1))
            for i in range(first.childCount())] == [("1组", "4"), ("2组", "0"), ("3组", "2")]
    tree.select_place(villages[0].code, 3)
    assert tree.current_place() == (villages[0].code, 3)
    # An answer for a village not opened (or of a tree read since) changes nothing.
    tree.set_group_counts(villages[1].code, {1: 2})
    assert township.child(1).childCount() == 0
    # A village whose households are in groups it has no entry for: opened, counted.
    tree.populate("凉山州", [Village(villages[2].code, "村2", [])], {},
                  [("513431", "昭觉县"), ("513431100", "乡镇00")], {villages[2].code: 5})
    township = tree.root.child(0).child(0)  # type: ignore[union-attr]
    bare = township.child(0)
    bare.setExpanded(True)
    assert asked[-1] == villages[2].code and bare.childCount() == 0
    tree.set_group_counts(villages[2].code, {2: 5})
    assert [(bare.child(i).text(0), bare.child(i).text(1))
            for i in range(bare.childCount())] == [("2组", "5")]


def test_a_dialog_about_one_village_opens_on_one_with_households(qtbot: QtBot) -> None:
    """The chosen village; else the first with households under the chosen place."""
    villages = _villages(2003)  # townships 00 (1,000 villages), 01 and 02
    tree = VillageTree()
    qtbot.addWidget(tree)
    with_households = {villages[5].code, villages[1500].code, villages[2001].code}
    counts = {(v.code, 1): 4 for v in villages if v.code in with_households}
    townships = sorted({(v.code[:9], f"乡镇{v.code[7:9]}") for v in villages})
    tree.populate("凉山州", villages, counts, [("513431", "昭觉县"), *townships])
    assert tree.village_for_dialog() == villages[5].code  # nothing chosen: the first
    tree.select_place(villages[1000].code[:9], None)  # township 01
    assert tree.village_for_dialog() == villages[1500].code
    tree.select_place(villages[2].code, None)  # a village chosen, even without households
    assert tree.village_for_dialog() == villages[2].code
