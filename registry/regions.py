"""统计用区划代码: the shipped Sichuan table, and what a store keeps of it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import resources

EDITION = "2023"
LEVELS = ("province", "city", "county", "township", "village")
LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}


@dataclass(frozen=True)
class Division:
    level: str
    code: str
    name: str
    parent_code: str | None


class Divisions:
    def __init__(self, rows: list[Division]):
        self._by_code = {d.code: d for d in rows}
        self._children: dict[str, list[Division]] = {}
        for d in rows:
            if d.parent_code:
                self._children.setdefault(d.parent_code, []).append(d)

    def get(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Division]:
        return list(self._children.get(code, []))

    def ancestors(self, code: str) -> list[Division]:
        """From the province down to and including `code`."""
        chain: list[Division] = []
        d = self.get(code)
        while d is not None:
            chain.append(d)
            d = self.get(d.parent_code) if d.parent_code else None
        return chain[::-1]

    def subtree(self, code: str) -> list[Division]:
        out: list[Division] = []
        stack = [code]
        while stack:
            for child in self.children(stack.pop()):
                out.append(child)
                stack.append(child.code)
        return out

    def counties(self) -> list[Division]:
        return [d for d in self._by_code.values() if d.level == "county"]

    def full_name(self, code: str) -> str:
        return "".join(d.name for d in self.ancestors(code))


def short_name(name: str) -> str:
    """尼日村村民委员会 → 尼日村, 城南社区居民委员会 → 城南社区: the names people use."""
    for long, short in (("村民委员会", "村"), ("居民委员会", "社区"), ("居委会", "社区"),
                        ("村委会", "村")):
        if name.endswith(long):
            stem = name[: -len(long)]
            return stem if stem.endswith(short) else stem + short
    return name


@lru_cache(maxsize=1)
def sichuan() -> Divisions:
    with resources.path("regions", f"sichuan-{EDITION}.csv").open(encoding="utf-8") as f:
        rows = [
            Division(r["level"], r["code"], short_name(r["name"]), r["parent_code"] or None)
            for r in csv.DictReader(f)
        ]
    return Divisions(rows)


def scope_for_store(kind: str, region_code: str) -> list[Division]:
    """What a store keeps: its ancestors, and below it every township and village
    (a station: its own township's villages; a county: all of its townships)."""
    divisions = sichuan()
    return divisions.ancestors(region_code) + divisions.subtree(region_code)


def check_region(kind: str, code: str) -> Division:
    expected = {"station": ("township", 9, "乡镇", "9"), "county": ("county", 6, "县", "6"),
                "city": ("city", 4, "市(州)", "4"), "province": ("province", 2, "省", "2")}
    level, length, label, digits = expected[kind]
    if len(code) != length or not code.isdigit():
        raise ValueError(f"{label}代码应为{digits}位数字")
    d = sichuan().get(code)
    if d is None or d.level != level:
        raise ValueError(f"四川省{EDITION}年区划代码中没有{label}代码 {code}")
    return d
