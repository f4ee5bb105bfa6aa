"""The papers of a 县归档 (sync/archive.py signs and checks the folder): per township its
农户登记簿 (PDF) and its households and members as a workbook (Excel), and the county
summary (PDF). Each is a part `(path inside the archive, write(path))`, written when the
archive builder calls it, each in a session of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from registry.models import Household, Region
from registry.search import HouseholdFilter
from registry.store import Store
from reports.excel.export import export_households
from reports.pdf.county_summary import print_county_summary
from reports.pdf.registers import print_register

REGISTERS_DIR = "登记簿"
WORKBOOKS_DIR = "农户数据Excel"

ArchivePart = tuple[str, Callable[[Path], None]]


def _safe(text: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip()


def townships_with_households(store: Store) -> list[tuple[str, str]]:
    """(code, name) of every township the county holds live households of."""
    township = func.substr(Household.village_code, 1, 9)
    with store.session() as s:
        codes = list(s.scalars(select(township).where(Household.deleted.is_(False))
                               .group_by(township).order_by(township)))
        names = dict(s.execute(select(Region.code, Region.name)
                               .where(Region.level == "township")).all())
    return [(code, names.get(code, code)) for code in codes]


def archive_parts(store: Store, year: int) -> list[ArchivePart]:
    county = store.info.region_name
    parts: list[ArchivePart] = []

    def summary(path: Path) -> None:
        with store.session() as s:
            print_county_summary(s, path, county_name=county, year=year)

    parts.append((f"{REGISTERS_DIR}/{_safe(county)}{year}年汇总表.pdf", summary))
    for code, name in townships_with_households(store):
        def register(path: Path, code: str = code) -> None:
            with store.session() as s:
                print_register(s, path, township=code)

        def workbook(path: Path, code: str = code, name: str = name) -> None:
            export_households(store, path, HouseholdFilter(township_code=code),
                              title=f"{name}农户({year}年归档)")

        stem = f"{code}-{_safe(name)}"
        parts.append((f"{REGISTERS_DIR}/{stem}农户登记簿.pdf", register))
        parts.append((f"{WORKBOOKS_DIR}/{stem}农户.xlsx", workbook))
    return parts
