"""The 统计报告 in the county's yearly archive (县归档, sync/archive.py): the report as PDF,
by township, and every table as a workbook, by village (the finest figures, for anyone who
recounts), each a part `(path inside the archive, write(path))` written when the archive
builder calls it. Figures are those of the rows when the archive is built; the date says
so on the report and in the workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from registry.store import Store
from reports.statistics.report import write_report
from reports.statistics.workbook import write_workbook

STATISTICS_DIR = "统计报告"

ArchivePart = tuple[str, Callable[[Path], None]]


def _safe(text: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip()


def archive_parts(store: Store, year: int) -> list[ArchivePart]:
    stem = f"{STATISTICS_DIR}/{_safe(store.info.region_name)}{year}年"

    def report(path: Path) -> None:
        write_report(store, path, level="township")

    def workbook(path: Path) -> None:
        write_workbook(store, path, level="village")

    return [(f"{stem}统计报告(按乡镇).pdf", report),
            (f"{stem}统计表(按行政村).xlsx", workbook)]
