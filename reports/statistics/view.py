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
    depth: int  # 0 the store's own region, 1 and 2 the two levels under it


# An office's choices: the two levels under its own region.
_BELOW = {"county": ("township", "village"), "city": ("county", "township"),
          "province": ("city", "county")}


def units(store: Store) -> list[Unit]:
    """The store's region, then a station's villages, or an office's two levels under it,
    each place followed by those inside it: a county's townships and their villages, a
    city's counties and their townships, the province's cities and their counties. (The
    province listed its 3,111 townships and 34,412 villages, a list to scroll rather than
    choose from, and took 5.4 s to match them up.)"""
    own = Unit(None, f"全部({store.info.region_name})", 0)
    with store.session() as s:
        if not store.info.office:
            return [own, *(Unit(v.code, v.name, 2) for v in villages.list_villages(s))]
        upper, lower = _BELOW[store.info.kind]
        places = villages.places_below(s, store.info.region_code, (upper, lower))
    return [own, *(Unit(code, name, 1 if level == upper else 2)
                   for code, name, level in places)]


@dataclass(frozen=True)
class StatView:
    table: StatTable
    chart_png: bytes


def load_view(store: Store, by: str, level: str, code: str | None, dpi: float = 96,
              on: date | None = None) -> StatView:
    with store.session() as s:
        table = load_table(s, by, level, code, on)
    return StatView(table, preview.page_png(chart_pdf(table, find_fonts()), 0, dpi))
