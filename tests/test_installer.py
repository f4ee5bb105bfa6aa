"""The PyInstaller build (build_installer.spec), as CI makes it: built into a temporary
folder, its size checked, then the built `fupin-station --self-test` run offscreen (a new
store, a household, a notice PDF with the font embedded, a sync bundle, a backup, the login
window) and the built `fupin` asked for its version of a store. It takes minutes: marked
slow (`-m "not slow"` leaves it out)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 160 * 1024 ** 2  # the target, for the Windows folder the clerks get
MAX_LINUX_BYTES = 210 * 1024 ** 2  # the whole Linux folder (a guard against regressions)
# What the Linux folder carries that Windows provides itself: Qt's ICU (the data alone is
# 31 MB; Qt on Windows uses the system's) and the build machine's system libraries (X11,
# xcb, glib, fontconfig, CUPS, …). Python's own libraries come on Windows too.
ICU = ("libicudata", "libicuuc", "libicui18n")
WINDOWS_HAS_TOO = ("libpython", "libcrypto", "libssl", "libffi", "libsqlite3", "libz.")
EXE = ".exe" if sys.platform == "win32" else ""


def linux_only(p: Path, internal: Path) -> bool:
    if p.name.startswith(ICU):
        return True
    return p.parent == internal and p.name.startswith("lib") and ".so" in p.name \
        and not p.name.startswith(WINDOWS_HAS_TOO)


def bundle_size(folder: Path, windows_like: bool = False) -> int:
    """Bytes in the folder; `windows_like`: without what only the Linux folder needs."""
    internal = folder / "_internal"
    return sum(p.lstat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink()
               and not (windows_like and linux_only(p, internal)))


def build(dist: Path, work: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build_installer.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return time.perf_counter() - started


def cold_start(folder: Path, store: Path) -> float:
    """Launch to the login window shown (the program quits once it is up)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FUPIN_QUIT_WHEN_SHOWN": "1"}
    started = time.perf_counter()
    done = subprocess.run([str(folder / f"fupin-station{EXE}"), "--store", str(store)],
                          env=env, capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    return took


@pytest.mark.slow
def test_built_bundle_passes_its_self_test(tmp_path: Path) -> None:
    if shutil.which("strip") is None and sys.platform != "win32":
        pytest.skip("binutils (strip) missing")
    dist, work = tmp_path / "dist", tmp_path / "work"
    seconds = build(dist, work)
    folder = dist / "fupin-station"
    size, counted = bundle_size(folder), bundle_size(folder, windows_like=True)
    print(f"\n构建 {seconds:.0f} 秒,大小 {size / 1024 ** 2:.0f} MB"
          f"(不计 Linux 独有的 ICU 和系统库:{counted / 1024 ** 2:.0f} MB)")
    assert (folder / f"fupin{EXE}").is_file()
    assert size <= MAX_LINUX_BYTES, f"{size / 1024 ** 2:.0f} MB"
    assert counted <= MAX_BYTES, f"{counted / 1024 ** 2:.0f} MB"
    # Only the Chinese Qt translation, and the font with its licence.
    translations = {p.name for p in folder.rglob("*.qm")}
    assert translations == {"qtbase_zh_CN.qm"}, translations
    fonts = folder / "_internal" / "resources" / "fonts"
    assert any(fonts.glob("*.tt[cf]")) and any(fonts.glob("LICENSE-*/*"))
    assert any(folder.rglob("registry/migrations/versions/0001_*.py"))
    assert any(folder.rglob("docs/使用手册.pdf"))

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "FUPIN_LOG_DIR": str(tmp_path / "logs"), "FUPIN_PASSWORD": "installer-test-1"}
    env.pop("FUPIN_FONT", None)  # the bundled font, not the developer's
    done = subprocess.run([str(folder / f"fupin-station{EXE}"), "--self-test"], env=env,
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "自检全部通过" in done.stdout

    store = tmp_path / "s.db"
    done = subprocess.run([str(folder / f"fupin{EXE}"), "init", "--store", str(store),
                           "--township", "513431102", "--user", "admin"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(folder / f"fupin{EXE}"), "backup", "--store", str(store),
                           "--out", str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "已备份并核对" in done.stdout, done.stderr

    first = cold_start(folder, store)
    again = min(cold_start(folder, store) for _ in range(3))
    print(f"启动到登录窗口:第一次 {first:.2f} 秒,之后 {again:.2f} 秒")
    assert again <= 10  # the 3-second target is measured by benchmarks (bench_installer)
