"""`fupin-station --self-test`: proves that an installed (or frozen) program works on this
PC, with nothing of the user's touched. In a temporary folder it makes a station and a
county store, saves a household, prints a 公示 with the CJK font embedded, writes a sync
bundle and imports it at the county, backs the station up and reads the backup, builds
the login window offscreen, and shows the notice in the print preview and prints its page
into a PDF file. Exit 0 when every step passed; each step prints one line.

CI runs it on the PyInstaller build (tests/test_installer.py), which is how a missing
module, data file or Qt plugin in build_installer.spec is found before a clerk finds it.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PASSWORD = "self-test-1"
TOWNSHIP = "513431102"  # 昭觉县竹核镇
VILLAGE = "513431102200"  # 尼日村


def _say(text: str) -> None:
    """Each line goes to the log (a windowed build has no stdout) and, when there is one,
    to stdout for whoever ran the self-test from a terminal or CI."""
    logging.getLogger("fupin").info("%s", text)
    if sys.stdout is not None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _household(folder: Path) -> str:
    from forms.idnumber import check_digit
    from registry import household_access
    from registry.store import Store

    store, _ = Store.create(folder / "station.db", kind="station", region_code=TOWNSHIP,
                            user="自检", password=PASSWORD)
    with store:
        head = "51343119700101001"
        hid = household_access.save_household(
            store,
            {"village_code": VILLAGE, "group_no": 1, "identification_standard": "1",
             "attribute": "1", "stage": "30", "poverty_status": "1", "main_cause": "01",
             "income_wage": "1200"},
            [{"name": "阿说自检", "id_number": head + check_digit(head), "relation": "01",
              "ethnicity": "07", "health": "1"}])
        found = household_access.household_detail(store, hid)
        assert found.id == hid
    return "保存并读回一户"


def _notice(folder: Path) -> str:
    from registry import demo
    from registry.procedure.access import list_notices
    from registry.store import Store
    from reports.pdf.jobs import NoticeJob, print_job

    out = folder / "公示.pdf"
    with Store.open(folder / "station.db", "自检", PASSWORD) as store:
        demo.generate(store, 40, seed=1)  # households with their steps, and their notices
        notices = list_notices(store)
        if not notices:
            raise AssertionError("演示数据中没有公示")
        print_job(store, NoticeJob(notices[0].number), out)
    data = out.read_bytes()
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
        raise AssertionError("公示 PDF 中没有嵌入 TrueType 字体")
    return f"公示 {notices[0].number},PDF {len(data) // 1024} KB,中文字体已嵌入"


def _bundle(folder: Path) -> str:
    from registry.store import Store
    from sync import enroll, export
    from sync.receive import import_files

    county, _ = Store.create(folder / "county.db", kind="county", region_code=TOWNSHIP[:6],
                             user="自检", password=PASSWORD)
    with county, Store.open(folder / "station.db", "自检", PASSWORD) as station:
        enroll.write_request(station, folder / "request.json")
        enroll.enroll(county, folder / "request.json", folder / "answer.json")
        enroll.accept(station, folder / "answer.json")
        (folder / "usb").mkdir()
        made = export.export_station(station, folder / "usb")
        results = import_files(county, [made.path])
    if not results or not results[0].ok:
        raise AssertionError(results[0].message if results else "没有导入结果")
    return f"数据包 {made.path.name} 已签名加密,县级导入成功"


def _backup(folder: Path) -> str:
    from registry import backup
    from registry.store import Store

    (folder / "backup").mkdir()
    with Store.open(folder / "station.db", "自检", PASSWORD) as store:
        made = backup.make_backup(store, folder / "backup")
    key = backup.unlock_backup(made.path, "自检", PASSWORD)
    if backup.read_info(made.path, key).households != 41:
        raise AssertionError("备份中的户数不对")
    return "备份并打开核对"


def _window(folder: Path) -> str:
    from desktop.access.login import LoginDialog
    from desktop.operations.worker import DbWorker
    from desktop.shell import application

    app = application()
    worker = DbWorker()
    try:
        login = LoginDialog(folder / "station.db", worker)
        login.show()
        app.processEvents()
        image = login.grab()
        if image.isNull() or login.user.currentText() != "自检":
            raise AssertionError("登录窗口没有正常显示")
        login.close()
        from desktop.look import icon
        if icon("app").isNull():
            raise AssertionError("图标(SVG)无法加载:缺少 Qt 的 SVG 插件")
    finally:
        worker.stop()
    return f"登录窗口 {image.width()}×{image.height()}"


def _preview(folder: Path) -> str:
    """The notice in the print preview (pdfium renders it) and its page through Qt's
    printing into a PDF file: what a bundle missing pdfium, Pillow or Qt's print support
    fails at."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    from desktop.printing.preview import PreviewDialog, print_pages
    from desktop.shell import application

    app = application()
    pdf, out = folder / "公示.pdf", folder / "打印.pdf"
    dialog = PreviewDialog(pdf, "自检")
    pages = dialog.page_count
    try:
        dialog.show()
        until = time.monotonic() + 30
        while not dialog.rendered_pages() and time.monotonic() < until:
            app.processEvents()
        if not dialog.rendered_pages():
            raise AssertionError("打印预览没有显示页面")
        printer = dialog.make_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        sent = print_pages(printer, pdf, 0, 0)
    finally:
        dialog.close()
    if sent != 1 or not out.read_bytes().startswith(b"%PDF"):
        raise AssertionError("打印没有输出")
    printers = len(QPrinterInfo.availablePrinters())  # the system's printing: CUPS, Windows
    return f"预览 {pages} 页,打印 1 页到 PDF;本机打印机 {printers} 台"


STEPS: tuple[tuple[str, Callable[[Path], str]], ...] = (
    ("加密数据库", _household),
    ("打印", _notice),
    ("同步数据包", _bundle),
    ("备份", _backup),
    ("界面", _window),
    ("预览", _preview),
)


def run() -> int:
    from registry import failures

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fupin-selftest-") as tmp:
        folder = Path(tmp)
        for name, step in STEPS:
            try:
                _say(f"自检 {name}:通过({step(folder)})")
            except Exception as e:  # noqa: BLE001 - every step reports, the next one runs
                failed += 1
                _say(f"自检 {name}:失败 — {failures.report(e, f'自检 {name}')}")
                _say(failures.safe_details(e))
    took = time.perf_counter() - started
    _say(f"自检{'全部通过' if not failed else f'有 {failed} 项失败'}({took:.1f} 秒)")
    return 0 if not failed else 1
