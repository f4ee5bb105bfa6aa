"""帮助 → 使用手册: the user guide (docs/使用手册.md) as a PDF in the program's own preview
window (offline, no PDF reader needed). The installed program carries the PDF built at
build time (build_installer.spec); from the source tree it is built on first use into a
temporary folder, in the DB worker (a second or two).

    install(window)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from desktop.look import icon
from registry.progress import Progress

if TYPE_CHECKING:  # the preview (pypdfium2) and the PDF writer (reportlab) load when opened
    from desktop.main_window import MainWindow
    from desktop.printing.preview import PreviewDialog

GUIDE_PDF = "使用手册.pdf"
GUIDE_MD = "使用手册.md"


def docs_folders() -> list[Path]:
    folders = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        folders.append(Path(frozen) / "docs")
    folders.append(Path(__file__).resolve().parents[2] / "docs")
    return folders


def bundled_pdf() -> Path | None:
    return next((f / GUIDE_PDF for f in docs_folders() if (f / GUIDE_PDF).is_file()), None)


def source() -> Path | None:
    return next((f / GUIDE_MD for f in docs_folders() if (f / GUIDE_MD).is_file()), None)


class GuideAction:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.preview: PreviewDialog | None = None
        self.action = QAction(icon("help"), "使用手册", window)
        self.action.setObjectName("guideAction")
        self.action.triggered.connect(lambda: self.open())
        window.add_action("帮助", self.action)
        help_menu = window.menu("帮助")
        first = help_menu.actions()[0]
        if first is not self.action:  # the guide first in 帮助
            help_menu.removeAction(self.action)
            help_menu.insertAction(first, self.action)

    def open(self) -> None:
        ready = bundled_pdf()
        if ready is not None:
            self._show(ready, None)
            return
        md = source()
        if md is None:
            self.window.statusBar().showMessage("找不到使用手册文件(docs/使用手册.md)", 6000)
            return
        owned = tempfile.TemporaryDirectory(prefix="fupin-guide-")
        pdf = Path(owned.name) / GUIDE_PDF

        def work(_p: Progress) -> Path:
            from reports.guide import build_guide

            build_guide(md, pdf)
            return pdf

        self.window.op("生成使用手册", work).success(
            lambda made: self._show(made, owned)).with_progress("正在打开使用手册…").run()

    def _show(self, pdf: Path, owned: tempfile.TemporaryDirectory[str] | None) -> None:
        from desktop.printing.preview import PreviewDialog

        self.preview = PreviewDialog(pdf, "使用手册", self.window, owned_dir=owned,
                                     summary="扶贫开发建档立卡工作站 使用手册")
        self.preview.show()


def install(window: MainWindow) -> GuideAction:
    guide = GuideAction(window)
    window.guide_action = guide  # type: ignore[attr-defined]
    return guide
