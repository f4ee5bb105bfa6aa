"""`fupin-station`: the desktop program. `--demo` makes (once) and opens the demo station.

It starts the log (registry.applog) first. What it says before a window opens goes to the
console when there is one: a windowed build on Windows has no stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from registry import applog, demo, failures

NO_SCREEN = """没有检测到图形显示(DISPLAY 未设置),无法打开窗口。
{where}
在有屏幕的电脑上运行同一命令即可打开;在无屏幕的服务器上可用虚拟屏幕:
    xvfb-run -a .venv/bin/fupin-station {args}"""


def _has_screen() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def _say(text: str) -> None:
    if sys.stderr is not None:
        sys.stderr.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fupin-station",
                                     description="扶贫开发建档立卡 乡镇工作站")
    parser.add_argument("--store", type=Path, help="打开此数据库文件")
    parser.add_argument("--demo", action="store_true",
                        help="打开演示工作站(第一次运行时自动建立,含演示数据)")
    parser.add_argument("--demo-dir", type=Path, default=Path("demo-station"))
    args = parser.parse_args(argv)
    applog.setup()

    station = None
    if args.demo:
        try:
            station = demo.ensure_demo_station(args.demo_dir)
        except Exception as e:  # noqa: BLE001 - the one error path, before any window
            _say(f"错误:{failures.report(e, '建立演示工作站')}")
            return 1
        _say(station.instructions())
    if not _has_screen():
        where = f"演示工作站已就绪:{station.store}" if station else ""
        _say(NO_SCREEN.format(where=where, args=" ".join(sys.argv[1:]) or "--demo"))
        return 0

    from desktop.shell import run  # Qt is imported only when a window will open

    store = Path(station.store) if station else args.store
    login = (station.user, station.password) if station else None
    return run(store, demo_login=login)


if __name__ == "__main__":
    sys.exit(main())
