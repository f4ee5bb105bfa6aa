"""Issue 12's figures: backup and restore of a 20,000-household station (targets ≤ 10 s
each). The backup is SQLite's backup API through the store's keyed connection plus the
check that opens the copy (quick_check over every page); the restore checks the backup, copies
it beside the store, checks the copy and swaps the files."""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import figure, section, timed
from registry import backup, demo
from registry.store import Store

TOWNSHIP = "513431102"
PASSWORD = "bench-password"


def run(workdir: Path, quick: bool) -> None:
    households = 2_000 if quick else 20_000
    section(f"备份与恢复({households} 户)")
    path = workdir / "station.db"
    for leftover in workdir.glob("*"):
        leftover.unlink()
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, households, seed=1)
        usb = workdir / "usb"
        usb.mkdir(exist_ok=True)
        with timed() as t:
            made = backup.make_backup(store, usb)
        key = store._data_key()
    figure("备份(复制 + 打开核对)", t.seconds, "s", "≤ 10 s", t.seconds <= 10)
    figure("备份文件大小", made.info.size / 1024 ** 2, "MB")
    with timed() as t:
        result = backup.restore(made.path, path, key, force=True)
    figure("恢复(核对 + 复制 + 核对 + 替换)", t.seconds, "s", "≤ 10 s", t.seconds <= 10)
    assert result.info.households == households
    with Store.open(path, "admin", PASSWORD) as reopened, timed() as t:
        problems = reopened.verify()
    assert problems == [], problems
    figure("恢复后 fupin verify", t.seconds, "s")
