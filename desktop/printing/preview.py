"""Print preview of a generated PDF: its pages rendered to images by reports.preview (pdfium,
the same on every PC), lazily, only the pages near the view, so a 2,000-page 乡登记簿 opens
at once. From here the clerk saves the PDF (另存为PDF) or prints it: the printer gets each
page rendered again at its own resolution, so what comes out is what the preview showed.

    dialog = PreviewDialog(pdf_path, "尼日村第一次公示", parent, owned_dir=tmp)
    dialog.show()
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from PySide6.QtCore import (
    QRect,
    QSettings,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.look import icon
from registry import failures
from registry.errors import UserError
from reports import preview

SCREEN_DPI = 96
PRINT_DPI_CAP = 300  # enough for text on paper; 600 dpi A3 pages would take 200 MB each
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
FIT_WIDTH = 0.0  # the zoom combo's "适合宽度"
FIT_PAGE = -1.0  # "整页": a whole page in the view
KEEP_AROUND = 6  # rendered pages kept either side of the view; farther ones are dropped
PAGE_GAP = 12


class PrinterUnavailable(UserError):
    """The printer could not be started (off, unplugged, no driver)."""


def to_qimage(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    width, height = rgb.size
    data = rgb.tobytes()
    # copy(): the QImage must own its pixels once `data` is gone
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def page_points(pdf: Path) -> tuple[float, float]:
    """The first page's size in points (our PDFs have one page size throughout)."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        width, height = doc[0].get_size()
        return float(width), float(height)
    finally:
        doc.close()


class _Page(QLabel):
    def __init__(self, index: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.index = index
        self.zoom_rendered: float | None = None
        self.setObjectName("previewPage")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("#previewPage { background: #ffffff; border: 1px solid #9aa3ad; "
                           "color: #9aa3ad; }")
        self.setText(f"第 {index + 1} 页")

    def drop(self) -> None:
        if self.zoom_rendered is not None:
            self.clear()
            self.setText(f"第 {self.index + 1} 页")
            self.zoom_rendered = None


class PreviewDialog(QDialog):
    """Pages in a scroll area; zoom; 第 n 页 共 m 页; 另存为PDF; 打印."""

    page_rendered = Signal(int)  # tests wait for this
    saved = Signal(str)
    printed = Signal(int)  # pages sent to the printer

    def __init__(self, pdf: Path, title: str, parent: QWidget | None = None, *,
                 owned_dir: tempfile.TemporaryDirectory[str] | None = None,
                 summary: str = "") -> None:
        super().__init__(parent)
        self.pdf = Path(pdf)
        self.title = title
        self._owned_dir = owned_dir  # the temporary PDF goes when the dialog does
        self.setObjectName("printPreview")
        self.setWindowTitle(f"打印预览 — {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.page_count = preview.page_count(self.pdf)
        self.points = page_points(self.pdf)
        self.zoom = FIT_WIDTH
        self.current = 0
        self._queue: list[int] = []
        self._build(summary)
        self._render_timer = QTimer(self)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_next)
        # most of a 1366×768 office screen, title bar and taskbar left visible
        screen = self.screen().availableGeometry()
        self.resize(min(1200, screen.width() * 9 // 10), min(900, screen.height() * 9 // 10))
        QTimer.singleShot(0, self._relayout)

    # ---- widgets ------------------------------------------------------------------------
    def _build(self, summary: str) -> None:
        self.save_button = QPushButton(icon("save"), "另存为PDF…", self)
        self.save_button.clicked.connect(self.save_as)
        self.print_button = QPushButton(icon("print"), "打印…", self)
        self.print_button.setDefault(True)
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.clicked.connect(self.print_document)
        self.prev_button = QPushButton("上一页", self)
        self.prev_button.clicked.connect(lambda: self.go_to(self.current - 1))
        self.next_button = QPushButton("下一页", self)
        self.next_button.clicked.connect(lambda: self.go_to(self.current + 1))
        self.page_label = QLabel(self)
        self.page_label.setMinimumWidth(120)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_box = QComboBox(self)
        self.zoom_box.addItem("适合宽度", FIT_WIDTH)
        self.zoom_box.addItem("整页", FIT_PAGE)
        for z in ZOOMS:
            self.zoom_box.addItem(f"{round(z * 100)}%", z)
        self.zoom_box.currentIndexChanged.connect(
            lambda _i: self.set_zoom(float(self.zoom_box.currentData())))
        close = QPushButton("关闭", self)
        close.clicked.connect(self.close)

        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addSpacing(16)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel("缩放:", self))
        bar.addWidget(self.zoom_box)
        bar.addStretch(1)
        bar.addWidget(close)

        self.pages_widget = QWidget()
        self.pages_widget.setObjectName("previewPages")
        column = self.column = QVBoxLayout(self.pages_widget)
        column.setSpacing(PAGE_GAP)
        column.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages = [_Page(i, self.pages_widget) for i in range(self.page_count)]
        for page in self.pages:
            column.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.scroller = QScrollArea(self)
        self.scroller.setObjectName("previewScroll")
        self.scroller.setWidget(self.pages_widget)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setStyleSheet("#previewScroll, #previewPages { background: #6b7480; }")
        self.scroller.verticalScrollBar().valueChanged.connect(lambda _v: self._view_moved())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        if summary:
            note = QLabel(summary, self)
            note.setProperty("role", "hint")
            layout.addWidget(note)
        layout.addWidget(self.scroller, 1)
        self._update_label()

    # ---- geometry -----------------------------------------------------------------------
    def effective_zoom(self) -> float:
        if self.zoom not in (FIT_WIDTH, FIT_PAGE):
            return self.zoom
        # room beside the vertical scroll bar, shown or not yet: no horizontal bar at fit
        room = (self.scroller.width() - self.scroller.verticalScrollBar().sizeHint().width()
                - 2 * PAGE_GAP - 4)
        zoom = room / (self.points[0] / 72 * SCREEN_DPI)
        if self.zoom == FIT_PAGE:
            tall = self.scroller.height() - 2 * PAGE_GAP - 4
            zoom = min(zoom, tall / (self.points[1] / 72 * SCREEN_DPI))
        return max(0.25, min(3.0, zoom))

    def page_size_px(self) -> QSize:
        z = self.effective_zoom()
        return QSize(round(self.points[0] / 72 * SCREEN_DPI * z),
                     round(self.points[1] / 72 * SCREEN_DPI * z))

    def set_zoom(self, zoom: float) -> None:
        keep = self.current
        self.zoom = zoom
        index = self.zoom_box.findData(zoom)
        if index >= 0 and index != self.zoom_box.currentIndex():
            self.zoom_box.setCurrentIndex(index)
        self._relayout()
        self.go_to(keep)

    def zoom_step(self, direction: int) -> None:
        now = self.effective_zoom()
        if direction > 0:
            self.set_zoom(next((z for z in ZOOMS if z > now + 0.01), ZOOMS[-1]))
        else:
            self.set_zoom(next((z for z in reversed(ZOOMS) if z < now - 0.01), ZOOMS[0]))

    def _relayout(self) -> None:
        size = self.page_size_px()
        for page in self.pages:
            page.setFixedSize(size)
            if page.zoom_rendered is not None and page.zoom_rendered != self.effective_zoom():
                page.drop()
        self.pages_widget.adjustSize()
        self._view_moved()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        if self.zoom in (FIT_WIDTH, FIT_PAGE):
            QTimer.singleShot(0, self._relayout)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 — Qt's name
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.zoom_step(1)
                return
            if event.key() == Qt.Key.Key_Minus:
                self.zoom_step(-1)
                return
        if plain and event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.go_to(self.current + (1 if event.key() == Qt.Key.Key_PageDown else -1))
            return
        super().keyPressEvent(event)

    # ---- which page is shown ------------------------------------------------------------
    def go_to(self, index: int) -> None:
        index = max(0, min(self.page_count - 1, index))
        self.column.activate()
        self.scroller.verticalScrollBar().setValue(self.pages[index].y() - PAGE_GAP)
        self._view_moved()
        # near the end the view cannot scroll a page to the top: the page asked for wins
        self.current = index
        self._update_label()

    def visible_pages(self) -> list[int]:
        top = self.scroller.verticalScrollBar().value()
        bottom = top + self.scroller.viewport().height()
        return [p.index for p in self.pages
                if p.y() + p.height() >= top and p.y() <= bottom]

    def _view_moved(self) -> None:
        visible = self.visible_pages()
        if visible:
            top = self.scroller.verticalScrollBar().value()
            # the page holding the upper third of the view is "the" current page
            mark = top + self.scroller.viewport().height() // 3
            self.current = next((i for i in visible
                                 if self.pages[i].y() + self.pages[i].height() >= mark),
                                visible[-1])
            self._update_label()
        wanted = visible + [i for i in (visible[-1] + 1,) if visible and i < self.page_count]
        self._queue = [i for i in wanted if self.pages[i].zoom_rendered
                       != self.effective_zoom()]
        if self._queue:
            self._render_timer.start()
        near = set(range(self.current - KEEP_AROUND, self.current + KEEP_AROUND + 1))
        for page in self.pages:
            if page.index not in near and page.zoom_rendered is not None:
                page.drop()

    def _update_label(self) -> None:
        self.page_label.setText(f"第 {self.current + 1} 页 共 {self.page_count} 页")
        self.prev_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(self.current < self.page_count - 1)

    def _render_next(self) -> None:
        """One page per timer tick: scrolling stays smooth while pages fill in."""
        if not self._queue:
            self._render_timer.stop()
            return
        index = self._queue.pop(0)
        page = self.pages[index]
        zoom = self.effective_zoom()
        if page.zoom_rendered == zoom:
            return
        ratio = self.devicePixelRatioF()
        image = to_qimage(preview.render_page(self.pdf, index, dpi=SCREEN_DPI * zoom * ratio))
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        page.setPixmap(pixmap)
        page.zoom_rendered = zoom
        self.page_rendered.emit(index)

    def rendered_pages(self) -> list[int]:
        return [p.index for p in self.pages if p.zoom_rendered is not None]

    # ---- saving and printing ------------------------------------------------------------
    def suggested_name(self) -> str:
        return "".join(ch for ch in self.title if ch not in '\\/:*?"<>|').strip() + ".pdf"

    def save_as(self) -> Path | None:
        settings = QSettings()
        folder = str(settings.value("print/save_dir", str(Path.home())))
        name, _ = QFileDialog.getSaveFileName(self, "另存为PDF",
                                              str(Path(folder) / self.suggested_name()),
                                              "PDF 文件 (*.pdf)")
        if not name:
            return None
        target = Path(name)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            shutil.copyfile(self.pdf, target)
        except OSError as e:
            QMessageBox.warning(self, "另存为PDF", f"无法保存到 {target}:"
                                f"{failures.report(e, '另存为PDF')}")
            return None
        settings.setValue("print/save_dir", str(target.parent))
        self.saved.emit(str(target))
        return target

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        width, height = self.points
        landscape = width > height
        portrait = (min(width, height), max(width, height))
        size_id = QPageSize.id(QSizeF(*portrait), QPageSize.Unit.Point,
                               QPageSize.SizeMatchPolicy.FuzzyMatch)
        page_size = (QPageSize(size_id) if size_id != QPageSize.PageSizeId.Custom
                     else QPageSize(QSizeF(*portrait), QPageSize.Unit.Point))
        printer.setPageSize(page_size)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                                   else QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)  # the PDF pages carry their own margins
        return printer

    def ask_printer(self, printer: QPrinter) -> bool:
        """The system print dialog (printer, copies, page range); tests replace this."""
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, self.page_count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def print_document(self) -> int:
        printer = self.make_printer()
        if not self.ask_printer(printer):
            return 0
        first, last = printer.fromPage(), printer.toPage()
        if first == 0 and last == 0:
            first, last = 1, self.page_count
        last = min(last, self.page_count)
        progress = QProgressDialog("正在打印…", "取消", 0, last - first + 1, self)
        progress.setWindowTitle("打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)

        def step(done: int, _total: int) -> bool:
            progress.setValue(done)
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            sent = print_pages(printer, self.pdf, first - 1, last - 1, step)
        except (OSError, PrinterUnavailable) as e:
            progress.close()
            QMessageBox.warning(self, "打印", f"打印失败:{failures.report(e, '送打印机')}")
            return 0
        progress.close()
        if sent < last - first + 1:
            QMessageBox.information(self, "打印", f"已取消打印(已送出 {sent} 页)。")
        self.printed.emit(sent)
        return sent

    # ---- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 — Qt's name
        self._render_timer.stop()
        for page in self.pages:
            page.drop()
        super().closeEvent(event)
        if self._owned_dir is not None:
            self._owned_dir.cleanup()
            self._owned_dir = None


def print_pages(printer: QPrinter, pdf: Path, first: int, last: int,
                progress: Callable[[int, int], bool] | None = None) -> int:
    """Paints pages first..last (0-based) of `pdf` on `printer`, each rendered at the
    printer's resolution (at most PRINT_DPI_CAP) and fitted to the paper; returns the
    number of pages sent (fewer when `progress` returned False)."""
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable("无法连接打印机,请检查打印机是否已开机并连接")
    sent = 0
    total = last - first + 1
    try:
        for index in range(first, last + 1):
            if sent:
                printer.newPage()
            image = to_qimage(preview.render_page(pdf, index, dpi=dpi))
            paper = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
            scaled = image.size().scaled(paper.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(paper.x() + (paper.width() - scaled.width()) // 2,
                           paper.y() + (paper.height() - scaled.height()) // 2,
                           scaled.width(), scaled.height())
            painter.drawImage(target, image)
            sent += 1
            if progress is not None and not progress(sent, total):
                break
    finally:
        painter.end()
    return sent
