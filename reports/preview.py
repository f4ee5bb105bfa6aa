"""Print preview without Qt: our PDFs rendered to images with pdfium (pypdfium2), the same
on Windows and Linux. The desktop shows these images and prints or saves the PDF itself."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from registry.progress import Cancelled, Progress

PdfSource = Path | str | bytes


def _open(pdf: PdfSource) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))


def page_count(pdf: PdfSource) -> int:
    doc = _open(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_page(pdf: PdfSource, index: int, dpi: float = 96) -> Image.Image:
    """Page `index` (0-based) as an RGB image at `dpi` (96 fits a screen, 150 a zoom)."""
    doc = _open(pdf)
    try:
        if not 0 <= index < len(doc):
            raise IndexError(f"没有第 {index + 1} 页(共 {len(doc)} 页)")
        return _render(doc[index], dpi)
    finally:
        doc.close()


def _render(page: pdfium.PdfPage, dpi: float) -> Image.Image:
    bitmap = page.render(scale=dpi / 72)
    image: Image.Image = bitmap.to_pil().convert("RGB")
    page.close()
    return image


def render_pages(pdf: PdfSource, dpi: float = 96, first: int = 0, last: int | None = None,
                 progress: Progress | None = None) -> Iterator[Image.Image]:
    """Pages first..last (0-based, inclusive) one by one, so a 2,000-page register can be
    previewed lazily; `progress` returning False stops with Cancelled."""
    doc = _open(pdf)
    try:
        end = len(doc) - 1 if last is None else min(last, len(doc) - 1)
        total = end - first + 1
        for n, index in enumerate(range(first, end + 1), start=1):
            yield _render(doc[index], dpi)
            if progress is not None and not progress(n, total):
                raise Cancelled("已取消预览")
    finally:
        doc.close()


def page_png(pdf: PdfSource, index: int, dpi: float = 96) -> bytes:
    """One page as PNG bytes (QImage.fromData / QPixmap.loadFromData take these)."""
    out = io.BytesIO()
    render_page(pdf, index, dpi).save(out, format="PNG")
    return out.getvalue()
