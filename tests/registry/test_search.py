from __future__ import annotations

import pytest

from registry.households import save_household
from registry.search import HouseholdFilter, count_households, household_rows, search_households
from registry.store import Store
from tests.registry.samples import household, idn


@pytest.fixture
def village(station: Store) -> Store:
    people = [("张三", "11010519491231002X", 1), ("李四", idn("51343119800101001"), 2),
              ("欧阳娜", idn("51343119900101002"), 2), ("张珊珊", idn("51343119920101002"), 3)]
    with station.transaction() as s:
        for name, number, group in people:
            save_household(s, "admin", household(group_no=group), [
                {"name": name, "id_number": number, "relation": "01", "ethnicity": "01",
                 "health": "1"}])
        save_household(s, "admin", household(village_code="513431102201", group_no=1), [
            {"name": "吉克阿呷", "id_number": idn("51343119600101002"), "relation": "01",
             "ethnicity": "07", "health": "1"}])
    return station


def heads(store: Store, **kw: object) -> list[str]:
    with store.session() as s:
        return sorted(r.head_name or "" for r in search_households(s, HouseholdFilter(**kw)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张", ["张三", "张珊珊"]),
        ("zs", ["张三", "张珊珊"]),  # initials: 张三 zs, 张珊珊 zss
        ("ZSS", ["张珊珊"]),
        ("zhangsan", ["张三"]),
        ("zhangshan", ["张珊珊"]),
        ("ouyang", ["欧阳娜"]),
        ("198001", ["李四"]),
        ("19491231002x", ["张三"]),
        ("jkag", ["吉克阿呷"]),
        ("没有这个人", []),
    ],
)
def test_search_by_name_pinyin_and_id_fragment(village: Store, query: str,
                                               expected: list[str]) -> None:
    assert heads(village, text=query) == expected


def test_search_by_village_code_group_and_village_name(village: Store) -> None:
    assert heads(village, text="513431102201") == ["吉克阿呷"]
    assert heads(village, village_code="513431102200", group_no=2) == ["李四", "欧阳娜"]
    with village.session() as s:
        assert count_households(s, HouseholdFilter(text="尼日")) == 4


def test_search_by_status_and_stage(village: Store) -> None:
    assert heads(village, poverty_status="2") == []
    # New households are applications (stage 10, from their recorded step, not typed).
    assert len(heads(village, stage="10")) == 5
    assert heads(village, stage="80") == []


def test_the_index_follows_edits_and_tombstones(village: Store) -> None:
    from registry.households import delete_household, get_household, member_values

    with village.session() as s:
        (row,) = search_households(s, HouseholdFilter(text="欧阳娜"))
        values = [member_values(m) for m in get_household(s, row.id).members]
    values[0]["name"] = "欧阳雪"
    with village.transaction() as s:
        save_household(s, "admin", household(group_no=2), values, household_id=row.id)
    assert heads(village, text="欧阳娜") == []
    assert heads(village, text="ouyangxue") == ["欧阳雪"]
    with village.transaction() as s:
        delete_household(s, "admin", row.id, "迁出")
    assert heads(village, text="ouyangxue") == []


def test_one_or_two_digits_do_not_filter_yet(village: Store) -> None:
    assert len(heads(village, text="51")) == 5


def test_find_households_is_exact_when_specific_and_bounded_when_not(village: Store) -> None:
    from registry.search import find_households

    with village.session() as s:
        exact = find_households(s, HouseholdFilter(text="zs"), sort="head")
        assert not exact.capped and len(exact.ids) == 2
        broad = find_households(s, HouseholdFilter(text="尼日"), cap=2)
        assert broad.capped and len(broad.ids) == 2
        browse = find_households(s, HouseholdFilter(village_code="513431102200"), cap=2)
        assert not browse.capped and len(browse.ids) == 4  # no text: never capped
        within = find_households(s, HouseholdFilter(text="zs", group_no=3))
        assert [r.head_name for r in household_rows(s, within.ids)] == ["张珊珊"]


def test_a_capped_search_in_a_place_counts_the_place(village: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """In a chosen place (the county's township, a village, a group) the cap counts the
    place's households: the text is read from its index over the whole store up to
    PLACE_BUDGET times the cap, and a text with more is looked for household by household
    in the place (capping over the store first kept only the few in the place)."""
    from registry import search
    from registry.search import find_households

    def found(**kw: object) -> tuple[list[str], bool]:
        with village.session() as s:
            hits = find_households(s, HouseholdFilter(**kw), cap=1)  # type: ignore[arg-type]
            return [r.head_name or "" for r in household_rows(s, hits.ids)], hits.capped

    # "5134" is in four ID numbers, "z" in two households' initials: over a cap of 1,
    # within 10 × 1 read from the index: every one in the place, exact.
    assert found(text="5134", village_code="513431102200", group_no=2) == (
        ["李四", "欧阳娜"], False)
    assert found(text="5134", village_code="513431102201") == (["吉克阿呷"], False)
    monkeypatch.setattr(search, "PLACE_BUDGET", 1)  # past the budget: the place's own
    assert found(text="5134", village_code="513431102201") == (["吉克阿呷"], False)
    assert found(text="z", village_code="513431102200", group_no=3) == (["张珊珊"], False)
    assert found(text="5134", village_code="513431102200", group_no=2) == (["李四"], True)
    assert found(text="尼日", village_code="513431102") == (["张三"], True)  # by village name
    assert found(text="513431102201", village_code="513431102") == (["吉克阿呷"], False)
    assert found(text="jkag", village_code="513431102200") == ([], False)


def test_lists_sort_heads_in_pinyin_order(village: Store) -> None:
    with village.session() as s:
        rows = search_households(s, HouseholdFilter(), sort="head")
    assert [r.head_name for r in rows] == ["吉克阿呷", "李四", "欧阳娜", "张三", "张珊珊"]
