"""The PyInstaller build (build_installer.spec), as CI makes it: built into a temporary
folder, its size and contents checked, then the built `fupin-station --self-test` run
offscreen (a new store, a household, a notice PDF with the font embedded, a sync bundle, a
backup, the login window, the print preview and printing to a PDF), the built `fupin` makes
and backs up a store, and the built program starts with it to the login window. It takes
minutes: marked slow (`-m "not slow"` leaves it out). How long the build and the start take
is measured by `python -m benchmarks.run installer`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 160 * 1024 ** 2  # issue 12's target (MiB, as du counts), for the whole folder
MAX_ICU_DATA = 6 * 1024 ** 2  # Qt's ICU data, cut by the spec from 31 MB (Linux)
# What the Linux folder carries that Windows provides itself: Qt's ICU (Qt on Windows uses
# the system's) and system libraries (xcb, glib, dbus, CUPS and its TLS, …). Python's own
# libraries come on Windows too. Printed as an estimate of the Windows folder, not checked.
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


def start(folder: Path, store: Path) -> float:
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
    print(f"\n构建 {seconds:.0f} 秒,大小 {size / 1024 ** 2:.1f} MB"
          f"(不计 Linux 独有的 ICU 和系统库:{counted / 1024 ** 2:.1f} MB)")
    assert (folder / f"fupin{EXE}").is_file()
    assert size <= MAX_BYTES, f"{size / 1024 ** 2:.1f} MB"
    # Only the Chinese Qt translation, the platforms the program may meet, and the font
    # with its licence.
    translations = {p.name for p in folder.rglob("*.qm")}
    assert translations == {"qtbase_zh_CN.qm"}, translations
    platforms = {p.name.removeprefix("lib").split(".")[0]
                 for p in folder.rglob("platforms/*") if p.is_file()}
    assert platforms <= {"qwindows", "qxcb", "qoffscreen", "qminimal", "qcocoa"}, platforms
    assert "qoffscreen" in platforms
    for data in folder.rglob("libicudata.so*"):
        if data.is_file() and not data.is_symlink() and shutil.which("ld"):
            assert data.stat().st_size <= MAX_ICU_DATA, f"{data}: {data.stat().st_size}"
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

    print(f"启动到登录窗口 {start(folder, store):.2f} 秒(只作记录;见 benchmarks)")
