"""The desktop on a large station and on a county: login to a usable main window,
search-as-you-type, and the memory of the running app. The county window over 200,000
households should be as fast as a township's over 20,000 (issue 14).

The app runs offscreen in a subprocess (`python -m desktop.probe`) so its memory is its own
and this package never imports Qt. The stores are built once per workdir (`--workdir` keeps
them between runs): the station with the demo generator, the county with bench_statistics'
county store (households written directly, spread over every village of the county).

What a user runs: an installed program (the PyInstaller bundle, `pip install .`) loads the
project's modules from bytecode. An editable checkout run with PYTHONDONTWRITEBYTECODE=1
would compile about 130 of them from source at every login (a quarter of a second), so the
project's packages are compiled first (`compileall` into `__pycache__`, which .gitignore
covers) and the probe runs without that variable.

The login is pressed two seconds after its window appears (desktop.probe's TYPING_S: the
user types a password meanwhile, and the program loads its code in the background); the
login pressed at once, as a script would, is measured too, in a second run.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_statistics import county_store
from benchmarks.common import figure, section
from registry import demo
from registry.store import Store

TOWNSHIP = "513431102"
USER, PASSWORD = "admin", "bench-pass-1"
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forms", "registry", "reports", "sync", "desktop", "resources")


def station_store(workdir: Path, households: int) -> Path:
    path = workdir / f"desktop-station-{households}.db"
    if not path.exists():
        start = time.perf_counter()
        store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user=USER,
                                password=PASSWORD)
        with store:
            demo.generate(store, households, seed=7)
        figure(f"准备:生成 {households} 户的演示工作站", time.perf_counter() - start, "s")
    return path


def compiled() -> dict[str, str]:
    """The project's packages compiled to bytecode, as an installed program has them; the
    environment for the probe (without PYTHONDONTWRITEBYTECODE)."""
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            compileall.compile_dir(ROOT / package, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen"}


def probe(path: Path | str, *options: str, figures: Path | None = None,
          user: str = USER, password: str = PASSWORD) -> dict[str, Any]:
    """desktop.probe's figures; options: typing seconds, then "login" (login figures only).
    A server's store (a URL) names the file its figures go to."""
    env = compiled()
    if figures is None:
        assert isinstance(path, Path), "a server's store: say where its figures go"
        figures = path.with_name(f"{path.name}.probe.json")
    figures.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-m", "desktop.probe", str(path), user, password,
                          str(figures), *options],
                         capture_output=True, text=True, env=env, timeout=900, check=False)
    if out.returncode != 0 or not figures.exists():
        print(out.stdout[-2000:], out.stderr[-2000:])
        raise RuntimeError("desktop.probe 失败")
    result: dict[str, Any] = json.loads(figures.read_text(encoding="utf-8"))
    return result


def report(r: dict[str, Any], at_once: dict[str, Any], households: int) -> None:
    assert r["households"] == households == at_once["households"], (r, at_once)
    figure("程序启动到登录窗口", r["startup_s"], "s")
    figure(f"(输入密码 {r['typing_s']:g} s 后按登录)", r["typing_s"], "s")
    figure("登录到可用主窗口(树、表格首屏已显示)", r["login_s"], "s", "≤ 2 s",
           r["login_s"] <= 2.0)
    figure("  其中:到主窗口出现(含打开数据库)", r["login_window_s"], "s")
    figure("  其中:到村组树显示", r["login_tree_s"], "s")
    figure("  登录所用 CPU 时间(各线程合计,机器忙时参考)", r["login_cpu_s"], "s")
    figure("  到全部户读完(状态栏“共 N 户”)", r["login_all_s"], "s")
    figure("  (对照)登录窗口一出现就按登录:到可用主窗口", at_once["login_s"], "s")
    figure("  (对照)其中 CPU 时间", at_once["login_cpu_s"], "s")
    figure("边输边搜:查询到结果显示 中位数", r["search_median_ms"], "ms", "≤ 100 ms",
           r["search_median_ms"] <= 100)
    figure("边输边搜:查询到结果显示 最慢", r["search_max_ms"], "ms", "≤ 100 ms",
           r["search_max_ms"] <= 100)
    figure("  所用 CPU 时间 中位数", r["search_cpu_median_ms"], "ms")
    figure("  所用 CPU 时间 最慢", r["search_cpu_max_ms"], "ms")
    slowest = max(r["search_ms"], key=r["search_ms"].get)
    figure(f"  (最慢的是“{slowest}”)", r["search_ms"][slowest], "ms")
    figure("(另加输入防抖)", 150, "ms")
    figure(f"从头滚动到尾({r['scroll_pages']} 屏)", r["scroll_s"], "s")
    figure("滚动中按页取行的次数", r["page_fetches"], "次")
    figure("运行中程序的内存(RSS,滚动全部之后)", r["rss_mb"], "MB", "≤ 400 MB",
           r["rss_mb"] <= 400)


def run(workdir: Path, quick: bool) -> None:
    households = 2_000 if quick else 20_000
    section(f"桌面程序:{households} 户的工作站(offscreen,独立子进程)")
    path = station_store(workdir, households)
    report(probe(path), probe(path, "0", "login"), households)

    households = 20_000 if quick else 200_000
    section(f"桌面程序:{households} 户的县(县 → 乡镇 → 村 → 组,offscreen,独立子进程)")
    path = county_store(workdir, households)
    report(probe(path), probe(path, "0", "login"), households)
