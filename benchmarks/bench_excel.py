"""Issue 5's Excel figures: exporting a 20,000-household township with its members
(≤ 20 s), the same cells dumped by bare openpyxl write-only in the same run (the ratio
says what our export adds: reading the store, labels, styles, drop-downs, atomic save),
and importing 5,000 households from a filled template with full validation (≤ 20 s).
Issue 13's: 20,000 rows of incomplete households (the first 1,000 problems listed, the
rest counted, a marked copy), and a full sheet of 1,048,575 such rows (and one of as many
members of no household) answered in ≤ 60 s with ≤ 500 MB peak memory, each measured in a
child process of its own (the workbooks are written once by splicing rows into the
template's XML and kept in the work folder: pass --workdir to reuse them).
Quick mode uses 2,000 and 500 households, 2,000 and 60,000 incomplete rows."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select

from benchmarks.common import figure, peak_rss_mb, section, timed
from registry import demo
from registry.models import Household, Region
from registry.search import HouseholdFilter, household_ids
from registry.store import Store
from reports.excel import export as excel_export
from reports.excel.columns import export_household_columns, export_member_columns
from reports.excel.export import export_households
from reports.excel.importing import import_workbook
from tests.reports.excel_big import incomplete_households, incomplete_members

TOWNSHIP = "513431102"
PASSWORD = "bench-password"


def _station(path: Path, households: int, seed: int) -> Store:
    for old in path.parent.glob(f"{path.name}*"):  # a store of an earlier run (--workdir)
        old.unlink()
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    if households:
        demo.generate(store, households, seed=seed)
    return store


def _same_cells(store: Store) -> tuple[list[list[Any]], list[list[Any]]]:
    """The exported sheets' rows, built in memory with the export's own row functions."""
    h_columns, m_columns = export_household_columns(), export_member_columns()
    h_rows: list[list[Any]] = [[c.header for c in h_columns]]
    m_rows: list[list[Any]] = [[c.header for c in m_columns]]
    with store.session() as s:
        ids = household_ids(s, HouseholdFilter(), sort="village")
        villages = {c: n for c, n in s.execute(
            select(Region.code, Region.name).where(Region.level == "village"))}
        today = date.today()
        for number, (h, people) in enumerate(excel_export._households(s, ids, None), start=1):
            h_rows.append(excel_export._household_row(number, h, villages, h_columns))
            m_rows += [excel_export._member_row(number, h, m, villages, m_columns, today)
                       for m in people]
    return h_rows, m_rows


def _bare_dump(path: Path, h_rows: list[list[Any]], m_rows: list[list[Any]]) -> None:
    wb = Workbook(write_only=True)
    for title, rows in (("农户", h_rows), ("家庭成员", m_rows)):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def run(workdir: Path, quick: bool) -> None:
    section("Excel 导出与导入")
    size = 2_000 if quick else 20_000
    with timed() as t:
        store = _station(workdir / "township.db", size, seed=7)
    figure(f"(准备)演示乡镇 {size} 户", t.seconds, "s")
    with store:
        with timed() as export:
            report = export_households(store, workdir / "register.xlsx")
        cells = report.households * len(export_household_columns()) \
            + report.members * len(export_member_columns())
        out = workdir / "register.xlsx"
        figure(f"导出 {report.households} 户 {report.members} 人({cells / 1e6:.2f} 百万格)",
               export.seconds, "s", "≤ 20 s" if not quick else "", export.seconds <= 20)
        figure("导出文件大小", out.stat().st_size / 2**20, "MiB")
        h_rows, m_rows = _same_cells(store)
        with timed() as bare:
            _bare_dump(workdir / "bare.xlsx", h_rows, m_rows)
        figure("同样的单元格:openpyxl 只写模式直接写出", bare.seconds, "s")
        figure("导出 / 直接写出 之比", export.seconds / bare.seconds, "×")
        del h_rows, m_rows

    # Import: a filled template of N households (an export of another station's village
    # data has exactly the template's shape) into an empty station, all rows validated.
    n = 500 if quick else 5_000
    with _station(workdir / "source.db", n, seed=11) as source:
        export_households(source, workdir / "filled.xlsx")
        with source.session() as s:
            members = s.scalar(select(func.count()).select_from(Household)) or 0
    with _station(workdir / "target.db", 0, seed=0) as target:
        with timed() as t:
            result = import_workbook(target, workdir / "filled.xlsx")
        assert result.ok, result.problems[:3]
        figure(f"导入 {result.households} 户 {result.members} 人(逐行校验,一个事务)",
               t.seconds, "s", "≤ 20 s" if not quick else "", t.seconds <= 20)
        assert result.households == members
        with timed() as t:
            refused = import_workbook(target, workdir / "filled.xlsx")
        assert not refused.ok
        figure(f"再导入同一文件:{refused.problem_count} 处重复(列出 {len(refused.problems)}),"
               "写出标记副本", t.seconds, "s")

    rows = 2_000 if quick else 20_000
    path = incomplete_households(workdir / f"incomplete-{rows}.xlsx", rows)
    with _station(workdir / "bad.db", 0, seed=0) as target:
        with timed() as t:
            bad = import_workbook(target, path)
        assert not bad.ok and bad.marked_copy is not None
        figure(f"{rows} 行不完整农户:{bad.problem_count} 处问题,列出 {len(bad.problems)},"
               "写出标记副本", t.seconds, "s")
    figure("峰值内存", peak_rss_mb(), "MiB")
    full = 60_000 if quick else 1_048_575
    _full_sheet(workdir / f"incomplete-{full}.xlsx", full, "不完整农户", incomplete_households,
                quick)
    _full_sheet(workdir / f"members-{full}.xlsx", full, "无户的家庭成员", incomplete_members,
                quick)


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from registry.store import Store
from reports.excel.importing import import_workbook
from reports.excel.reading import WorkbookError
work = Path(sys.argv[1])
store, _ = Store.create(work / "full-sheet.db", kind="station", region_code=sys.argv[3],
                        user="admin", password="bench-password")
with store:
    started = time.perf_counter()
    try:
        report = import_workbook(store, Path(sys.argv[2]))
        answer = report.summary()
    except WorkbookError as e:
        answer = str(e)
    seconds = time.perf_counter() - started
# VmHWM: this process's own peak (ru_maxrss keeps the parent's peak across fork and exec)
status = Path("/proc/self/status")
peak = next((int(line.split()[1]) for line in status.read_text().splitlines()
             if line.startswith("VmHWM:")), None) if status.exists() else None
peak_kib = peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "answer": answer, "peak_mb": peak_kib / 1024}))
"""


def _full_sheet(path: Path, rows: int, what: str, make: Callable[[Path, int], Path],
                quick: bool) -> None:
    """A whole sheet of bad rows, imported by a fresh process, so that its peak memory is
    the import's alone; the workbook is kept for the next run."""
    workdir = path.parent
    if not path.exists():
        with timed() as t:
            make(path, rows)
        figure(f"(准备)写出 {rows} 行{what}的工作簿", t.seconds, "s")
    for old in workdir.glob("full-sheet.db*"):
        old.unlink()
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", _CHILD, str(workdir), str(path), TOWNSHIP],
                          cwd=root, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  答复:{result['answer'][:60]}……", flush=True)
    figure(f"导入 {rows} 行{what}的工作簿(单独进程)", result["seconds"], "s",
           "" if quick else "≤ 60 s", None if quick else result["seconds"] <= 60)
    figure("  该进程峰值内存", result["peak_mb"], "MiB", "" if quick else "≤ 500 MiB",
           None if quick else result["peak_mb"] <= 500)
