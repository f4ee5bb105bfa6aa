"""What the app's 统计 screen shows, prepared off the UI thread: the units to choose from,
one table and its chart as an image (the PDF's drawing rendered by pdfium, so screen and
paper cannot differ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry import villages
from registry.store import Store
from reports import preview
from reports.fonts import find_fonts
from reports.statistics.charts import chart_pdf
from reports.statistics.tables import StatTable, load_table


@dataclass(frozen=True)
class Unit:
    code: str | None  # None: the whole store
    name: str
    depth: int  # 0 the store's own region, 1 a township (at a county), 2 a village


def units(store: Store) -> list[Unit]:
    """The store's region, then (at a county) each township with its villages after it."""
    with store.session() as s:
        townships = villages.list_townships(s) if store.info.office else []
        found = villages.list_villages(s)
    out = [Unit(None, f"全部({store.info.region_name})", 0)]
    if not townships:
        return out + [Unit(v.code, v.name, 2) for v in found]
    for code, name in townships:
        out.append(Unit(code, name, 1))
        out += [Unit(v.code, v.name, 2) for v in found if v.code.startswith(code)]
    return out


@dataclass(frozen=True)
class StatView:
    table: StatTable
    chart_png: bytes


def load_view(store: Store, by: str, level: str, code: str | None, dpi: float = 96,
              on: date | None = None) -> StatView:
    with store.session() as s:
        table = load_table(s, by, level, code, on)
    return StatView(table, preview.page_png(chart_pdf(table, find_fonts()), 0, dpi))
