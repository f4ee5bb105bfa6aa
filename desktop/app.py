"""`fupin-station`: the desktop program. `--demo` makes (once) and opens the demo station,
`--demo-county` the demo county (its county office store).

It starts the log (registry.applog) first. What it says before a window opens goes to the
console when there is one: a windowed build on Windows has no stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from registry import applog, failures, server

NO_SCREEN = """没有检测到图形显示(DISPLAY 未设置),无法打开窗口。
{where}
在有屏幕的电脑上运行同一命令即可打开;在无屏幕的服务器上可用虚拟屏幕:
    xvfb-run -a .venv/bin/fupin-station {args}"""


def __getattr__(name: str) -> object:
    """`desktop.app.demo`, imported when first used: Faker and the demo data cost start-up
    time that a normal start (the login window) does not need."""
    if name == "demo":
        from registry import demo
        return demo
    raise AttributeError(name)


def _has_screen() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def store_target(text: str) -> Path | str:
    """--store: a SQLCipher file, or a postgresql:// URL of a store on a server."""
    return text if server.is_server(text) else Path(text)


def _shown_args(argv: list[str]) -> str:
    """The command line as it may be shown: a server's URL without its password."""
    return " ".join(server.shown(a) if server.is_server(a) else a for a in argv)


def _say(text: str) -> None:
    if sys.stderr is not None:
        sys.stderr.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fupin-station",
                                     description="扶贫开发建档立卡 乡镇工作站")
    parser.add_argument("--store", type=store_target,
                        help="打开此数据库文件,或服务器数据库 postgresql://用户@主机/库名")
    parser.add_argument("--demo", action="store_true",
                        help="打开演示工作站(第一次运行时自动建立,含演示数据)")
    parser.add_argument("--demo-dir", type=Path, default=None,
                        help="演示数据所在文件夹(默认 demo-station 或 demo-county)")
    parser.add_argument("--demo-county", action="store_true",
                        help="打开演示县(县扶贫办与各乡镇工作站,第一次运行时自动建立,约需几分钟)")
    parser.add_argument("--self-test", action="store_true",
                        help="自检:在临时文件夹中建库、保存、打印、同步、备份并显示登录窗口"
                             "(不显示窗口,不动用户的数据),全部通过时返回 0")
    args = parser.parse_args(argv)
    applog.setup()
    if args.self_test:
        from desktop import selftest
        return selftest.run()

    demo_store: tuple[str, str, str] | None = None  # path, user, password
    where = ""
    if args.demo_county:
        from sync import demo_county  # the demo data: only for --demo-county

        try:
            county = demo_county.ensure_demo_county(args.demo_dir or Path("demo-county"),
                                                    say=_say)
        except Exception as e:  # noqa: BLE001 - the one error path, before any window
            _say(f"错误:{failures.report(e, '建立演示县')}")
            return 1
        _say(county.instructions())
        demo_store = (county.county, county.user, county.password)
        where = f"演示县已就绪:{county.county}"
    elif args.demo:
        from registry import demo  # Faker and the demo data: only for --demo (start-up time)
        try:
            station = demo.ensure_demo_station(args.demo_dir or Path("demo-station"))
        except Exception as e:  # noqa: BLE001 - the one error path, before any window
            _say(f"错误:{failures.report(e, '建立演示工作站')}")
            return 1
        _say(station.instructions())
        demo_store = (station.store, station.user, station.password)
        where = f"演示工作站已就绪:{station.store}"
    if not _has_screen():
        _say(NO_SCREEN.format(where=where, args=_shown_args(sys.argv[1:]) or "--demo"))
        return 0

    from desktop.shell import run  # Qt is imported only when a window will open

    store: Path | str | None = Path(demo_store[0]) if demo_store else args.store
    login = (demo_store[1], demo_store[2]) if demo_store else None
    return run(store, demo_login=login)


if __name__ == "__main__":
    sys.exit(main())
