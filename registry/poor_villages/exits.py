"""The village exit checklist with its values computed: 贫困发生率 from the households and
the year's 农业户籍人口, the other items from the year's facts. Which items apply is data
(forms/village.py, per province and year); an item without its fact is not met."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from forms.village import VillageItem, village_checklist_for
from registry.poor_villages.facts import Figures, facts_of, figures


@dataclass(frozen=True)
class CheckedItem:
    key: str
    label: str
    value: str  # what the 登记表 shows: "2.35%", "是", "未填"
    met: bool
    why: str = ""  # when not met


@dataclass(frozen=True)
class CheckedList:
    name: str
    year: int
    items: list[CheckedItem]

    @property
    def passed(self) -> bool:
        return all(i.met for i in self.items)

    def missing(self) -> list[CheckedItem]:
        return [i for i in self.items if not i.met]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "year": self.year, "passed": self.passed,
                "items": [{"key": i.key, "label": i.label, "value": i.value, "met": i.met,
                           **({"why": i.why} if i.why else {})} for i in self.items]}


def check(s: Session, village_code: str, year: int, counted: Figures | None = None
          ) -> CheckedList:
    checklist = village_checklist_for(village_code, year)
    row = facts_of(s, village_code, year)
    counted = counted or figures(s, village_code, year)
    return CheckedList(checklist.name, year,
                       [_item(i, row, counted, year) for i in checklist.items])


def _item(item: VillageItem, row: Any, counted: Figures, year: int) -> CheckedItem:
    if item.below is not None:
        rate = counted.incidence
        if rate is None:
            return CheckedItem(item.key, item.label, "无法计算", False,
                               f"{year}年农业户籍人口未填,无法计算贫困发生率")
        met = rate < item.below
        return CheckedItem(item.key, item.label, f"{rate}%", met,
                           "" if met else f"贫困发生率为{rate}%(贫困人口 "
                           f"{counted.poor_people} 人),不低于{item.below}%")
    if item.above is not None:
        income: Decimal | None = row.collective_income if row is not None else None
        if income is None:
            return CheckedItem(item.key, item.label, "未填", False,
                               f"{year}年村集体经济收入未填")
        met = income > item.above
        return CheckedItem(item.key, item.label, f"{income}元", met,
                           "" if met else f"村集体经济收入为{income}元")
    assert item.fact is not None
    value = getattr(row, item.fact) if row is not None else None
    if value is None:
        return CheckedItem(item.key, item.label, "未填", False, f"{year}年“{item.label}”未填")
    return CheckedItem(item.key, item.label, "是" if value else "否", bool(value),
                       "" if value else f"{year}年“{item.label}”为否")
