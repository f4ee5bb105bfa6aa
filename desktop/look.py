"""How the program looks: the CJK font (found on the system and registered, so text renders
the same on every PC), the icons in resources/icons, and one compact style sheet sized for
1366×768 office screens."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

import resources

# Where the installer bundles the font, then where the systems keep it.
FONT_CANDIDATES = (
    resources.path("fonts", "wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simsun.ttc"),
)

log = logging.getLogger("fupin.desktop")

FONT_POINT_SIZE = 10

# Colours that say something in tables and labels: refused or wrong, waiting, done.
RED = QColor("#c62f2f")
RED_BACK = QColor("#fdecec")
AMBER = QColor("#9a6700")
GREEN = QColor("#1e7b34")

STYLE = """
QWidget { font-size: 10pt; }
QMainWindow, QDialog, QWizard { background: #f5f6f8; }
QToolBar { background: #ffffff; border: none; border-bottom: 1px solid #d9dde3;
           spacing: 4px; padding: 3px 6px; }
QToolBar QToolButton { padding: 3px 8px; border-radius: 3px; }
QToolBar QToolButton:hover { background: #e8eef7; }
QLineEdit, QComboBox, QSpinBox, QPlainTextEdit {
    background: #ffffff; border: 1px solid #c4cad3; border-radius: 3px; padding: 2px 5px;
    min-height: 20px; }
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus { border: 1px solid #2f6fc6; }
QLineEdit[invalid="true"], QComboBox[invalid="true"] { border: 1px solid #c62f2f;
    background: #fff5f5; }
QLabel[role="error"] { color: #c62f2f; font-size: 9pt; }
QLabel[role="hint"] { color: #6b7480; font-size: 9pt; }
QLabel[role="title"] { font-size: 13pt; font-weight: bold; color: #1f2d3d; }
QLabel[role="derived"] { color: #1f4f8f; font-weight: bold; padding: 2px 5px;
    background: #eef3fa; border-radius: 3px; }
QTableView, QTreeView, QTreeWidget { background: #ffffff; border: 1px solid #d9dde3;
    alternate-background-color: #f7f9fc; selection-background-color: #cfe0f7;
    selection-color: #111111; gridline-color: #e6e9ee; }
QHeaderView::section { background: #eef1f5; border: none; border-right: 1px solid #d9dde3;
    border-bottom: 1px solid #d9dde3; padding: 3px 5px; font-weight: bold; }
QTabWidget::pane { border: 1px solid #d9dde3; background: #ffffff; top: -1px; }
QTabBar::tab { padding: 5px 14px; background: #e9ecf0; border: 1px solid #d9dde3;
    border-bottom: none; margin-right: 2px; }
QTabBar::tab:selected { background: #ffffff; font-weight: bold; }
QPushButton { padding: 4px 14px; border: 1px solid #b9c0ca; border-radius: 3px;
    background: #ffffff; min-width: 60px; }
QPushButton:hover { background: #eef3fa; }
QPushButton:default { background: #2f6fc6; color: #ffffff; border-color: #2a62ae; }
QGroupBox { border: 1px solid #d9dde3; border-radius: 4px; margin-top: 10px;
    background: #ffffff; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #1f2d3d;
    font-weight: bold; }
QStatusBar { background: #ffffff; border-top: 1px solid #d9dde3; }
#formPage, #formScroll { background: #ffffff; }
#lockCover { background: #e9edf3; }
#detailPanel { background: #ffffff; border: 1px solid #d9dde3; }
"""


def find_cjk_font() -> Path | None:
    for candidate in FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    return None


@cache
def register_font() -> str | None:
    """Registers the CJK font with Qt and returns its family (None when none is found:
    Qt then falls back to whatever the system offers)."""
    path = find_cjk_font()
    if path is None:
        log.warning("未找到中文字体(文泉驿微米黑或微软雅黑),中文可能显示为方框。"
                    "Debian/Ubuntu 请安装 fonts-wqy-microhei。")
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return families[0] if families else None


def install_chinese(app: QApplication) -> None:
    """Qt's own texts — standard buttons, file and print dialogs, context menus — in
    Chinese (qtbase_zh_CN.qm ships with PySide6), and Chinese number and date formats."""
    if app.findChild(QTranslator, "qtbase_zh_CN"):
        return  # already installed (tests make several windows in one application)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)  # parented: it lives as long as the application
    translator.setObjectName("qtbase_zh_CN")
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)


def apply(app: QApplication) -> None:
    install_chinese(app)
    family = register_font()
    font = QFont(family) if family else app.font()
    font.setPointSize(FONT_POINT_SIZE)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE)
    app.setWindowIcon(icon("app"))


@cache
def icon(name: str) -> QIcon:
    path = resources.path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
