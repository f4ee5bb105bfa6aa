"""The exit checklist (两不愁三保障) as data: which items a household must meet before its
exit may be proposed, per province and year. Provinces added items of their own over the
years (四川's 一超六有 adds 通电 and 广播电视), so the list is looked up, never hard-coded in
the procedure; income above the line is checked separately against the year's 扶贫标准."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str  # stored in yearly_review.checklist (JSON), never renamed
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Checklist:
    name: str
    items: tuple[Item, ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)

    def label_of(self, key: str) -> str:
        return next((i.label for i in self.items if i.key == key), key)

    def unmet(self, answers: dict[str, bool] | None) -> list[Item]:
        """The items not answered 是 (an item left blank is not met)."""
        answers = answers or {}
        return [i for i in self.items if answers.get(i.key) is not True]


TWO_ASSURANCES_THREE_GUARANTEES = Checklist("两不愁三保障", (
    Item("food_clothing", "不愁吃、不愁穿"),
    Item("education", "义务教育有保障", "家中无义务教育阶段辍学学生"),
    Item("medical", "基本医疗有保障", "参加新农合/大病保险,大病得到救治"),
    Item("housing", "住房安全有保障", "无C级、D级危房"),
    Item("water", "饮水安全有保障"),
))

SICHUAN_ONE_ABOVE_SIX_HAVE = Checklist("一超六有", (
    *TWO_ASSURANCES_THREE_GUARANTEES.items,
    Item("electricity", "有生活用电"),
    Item("radio_tv", "有广播电视"),
))

# (province code prefix, first year it applies) → checklist; the latest entry not after
# the year wins, the national list when a province has none.
_BY_PROVINCE: dict[tuple[str, int], Checklist] = {
    ("", 2014): TWO_ASSURANCES_THREE_GUARANTEES,
}


def checklist_for(region_code: str | None = None, year: int | None = None) -> Checklist:
    """The checklist that applies to a household of `region_code` in `year`."""
    best: tuple[int, int, Checklist] | None = None
    for (prefix, since), checklist in _BY_PROVINCE.items():
        if (region_code or "").startswith(prefix) and (year is None or since <= year):
            rank = (len(prefix), since)
            if best is None or rank > best[:2]:
                best = (*rank, checklist)
    return best[2] if best else TWO_ASSURANCES_THREE_GUARANTEES
