"""Issue 12's installer figures: the one-folder build from build_installer.spec — how long it
takes and how big the folder is (target ≤ 160 MB, counted in MiB as du and the installer test
count) — and the start of the built fupin-station to its login window (target ≤ 3 s),
offscreen, median of several launches: cold (the bundle's own files dropped from the page
cache first, as after a reboot; the system's libraries stay cached) and warm.

Builds into the workdir (several minutes); `--quick` launches fewer times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.common import figure, median, section, timed

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if sys.platform == "win32" else ""
PASSWORD = "bench-installer-1"


def _folder_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink())


def _drop_from_cache(folder: Path) -> None:
    """Asks the kernel to forget the cached pages of the bundle's files (only these)."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _cpu_of_children() -> float:
    if sys.platform == "win32":
        return 0.0
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _launch(folder: Path, store: Path, env: dict[str, str], cpu: list[float]) -> float:
    before = _cpu_of_children()
    with timed() as t:
        done = subprocess.run([str(folder / f"fupin-station{EXE}"), "--store", str(store)],
                              env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    cpu.append(_cpu_of_children() - before)
    return t.seconds


def run(workdir: Path, quick: bool) -> None:
    section("安装包:构建、大小、启动到登录窗口")
    dist, work = workdir / "dist", workdir / "build"
    with timed() as t:
        built = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(dist), "--workpath", str(work),
             str(ROOT / "build_installer.spec")],
            cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    figure("构建(PyInstaller)", t.seconds, "s")
    folder = dist / "fupin-station"
    size = _folder_bytes(folder)
    figure("文件夹大小", size / 1024 ** 2, "MB", "≤ 160 MB", size <= 160 * 1024 ** 2)

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FUPIN_QUIT_WHEN_SHOWN": "1",
           "FUPIN_PASSWORD": PASSWORD, "FUPIN_LOG_DIR": str(workdir / "logs")}
    store = workdir / "station.db"
    for leftover in workdir.glob("station.db*"):
        leftover.unlink()
    made = subprocess.run([str(folder / f"fupin{EXE}"), "init", "--store", str(store),
                           "--township", "513431102", "--user", "admin"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    runs = 3 if quick else 7
    cpu: list[float] = []
    _launch(folder, store, env, [])  # once, so both series start alike
    cold, warm = [], []
    for _ in range(runs):
        if hasattr(os, "posix_fadvise"):
            _drop_from_cache(folder)
            cold.append(_launch(folder, store, env, cpu))
        warm.append(_launch(folder, store, env, cpu))
    if cold:
        figure(f"启动到登录窗口,冷(中位数,{runs} 次)", median(cold), "s", "≤ 3 s",
               median(cold) <= 3)
    figure(f"启动到登录窗口,热(中位数,{runs} 次)", median(warm), "s", "≤ 3 s",
           median(warm) <= 3)
    if any(cpu):  # the process's own CPU time: what a busy machine does not inflate much
        figure("启动到登录窗口,CPU 时间(中位数)", median(cpu), "s")
    figure("机器负载(1 分钟平均)", os.getloadavg()[0] if hasattr(os, "getloadavg") else 0,
           "")
