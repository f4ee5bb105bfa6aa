"""The statistics tables as the reader sees them (title, columns, cells), built from
registry.statistics rows: one shape for the PDF, the workbook and the app's table.

    with store.session() as s:
        table = load_table(s, "cause", "township", "522633")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import statistics
from registry.models import Region
from registry.statistics import Row

Cell = str | int | Decimal | None

# the tables of a whole report, in reading order
REPORT_ORDER = ("stage", "attribute", "cause", "status", "standard", "incidence", "skill",
                "health", "education", "year", "helper", "measure", "source")


@dataclass(frozen=True)
class StatTable:
    by: str
    title: str
    level: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def cells(self) -> list[list[Cell]]:
        """One list of cells per row, matching `columns`."""
        return [table_cells(self.by, r) for r in self.rows]


def columns_of(by: str, level: str) -> tuple[str, ...]:
    unit = statistics.LEVEL_NAMES[level]
    if by == "incidence":
        return (f"{unit}代码", unit, "口径", "贫困户数", "贫困人口", "农业户籍人口",
                "贫困发生率(%)")
    key = {"measure": "帮扶措施", "source": "资金来源", "year": "脱贫与返贫",
           "helper": "帮扶责任人"}.get(by, statistics.BY[by])
    head = (f"{unit}代码", unit, key, "户数", "人数")
    if by in ("measure", "source"):
        return (*head, "计划数", "资金(元)")
    return head


def table_cells(by: str, r: Row) -> list[Cell]:
    cells: list[Cell] = [r.code, r.name, r.key, r.households, r.people]
    if by == "incidence":
        cells += [r.base, r.rate if r.rate is not None else statistics.NO_BASE]
    elif by in ("measure", "source"):
        cells += [r.plans, r.amount]
    return cells


def load_table(s: Session, by: str, level: str, code: str | None,
               on: date | None = None) -> StatTable:
    rows = statistics.stats(s, by, level, code, on)
    return StatTable(by, statistics.BY[by], level, columns_of(by, level), tuple(rows))


def load_tables(s: Session, level: str, code: str | None, bys: Sequence[str] = REPORT_ORDER,
                on: date | None = None) -> list[StatTable]:
    """Every table of `bys`, counted together (tables of the same rows share one pass)."""
    found = statistics.tables(s, bys, level, code, on)
    return [StatTable(by, statistics.BY[by], level, columns_of(by, level), tuple(found[by]))
            for by in bys]


def place_name(s: Session, code: str | None, fallback: str) -> str:
    """The name of the region a report covers: its code's region, else the store's own."""
    if not code:
        return fallback
    name = s.scalar(select(Region.name).where(Region.code == code))
    return name or code


@dataclass(frozen=True)
class Total:
    key: str
    households: int
    people: int
    plans: int
    amount: Decimal


def totals(table: StatTable) -> list[Total]:
    """The table summed over its units, per key, in the table's key order (the charts show
    the area as a whole)."""
    order: dict[str, list[int | Decimal]] = {}
    for r in table.rows:
        t = order.setdefault(r.key, [0, 0, 0, Decimal(0)])
        t[0] += r.households
        t[1] += r.people
        t[2] += r.plans or 0
        t[3] += r.amount or Decimal(0)
    labels = statistics.key_labels(table.by)
    rank = {k: i for i, k in enumerate(labels)}
    ranked = sorted(order.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
    return [Total(k, int(v[0]), int(v[1]), int(v[2]), Decimal(v[3])) for k, v in ranked]
