"""Issue 14's county figures: `fupin demo-county` with 30 stations (300 households each:
stores made, enrolled, exported, imported at the county, decided, returned and imported
at the stations) ≤ 5 min, and the 县归档 of that county (`fupin archive build`: a register
per township, the county summary, a workbook per township, the stations' records and the
signed manifest) ≤ 5 min; its `archive verify` for the record."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.common import figure, peak_rss_mb, section, timed
from cli.archive_commands import build
from registry.store import Store
from sync import archive
from sync.demo_county import DEMO_PASSWORD, DEMO_USER, ensure_demo_county


def run(workdir: Path, quick: bool) -> None:
    stations, households = (3, 50) if quick else (30, 300)
    section(f"演示县与县归档({stations} 个乡镇,每站 {households} 户)")
    folder = workdir / "demo-county"
    shutil.rmtree(folder, ignore_errors=True)
    with timed() as t:
        county = ensure_demo_county(folder, stations=stations, households=households)
    figure(f"demo-county({stations} 站)", t.seconds, "s", "≤ 300 s", t.seconds <= 300)
    figure("  疑似重复(人)", county.duplicates, "人")
    figure("  审定(户)", county.approved, "户")
    figure("  退回(户)", county.returned, "户")
    out = workdir / "archive"
    shutil.rmtree(out, ignore_errors=True)
    with Store.open(folder / "county.db", DEMO_USER, DEMO_PASSWORD) as store, timed() as t:
        result = build(store, 2026, out)
    figure(f"archive build({len(result.files)} 个文件)", t.seconds, "s", "≤ 300 s",
           t.seconds <= 300)
    figure("  归档大小", result.bytes / 1024 ** 2, "MB")
    with timed() as t:
        verified = archive.verify_archive(out)
    assert verified.ok, verified.lines()
    figure("archive verify", t.seconds, "s")
    figure("峰值内存", peak_rss_mb(), "MB")
