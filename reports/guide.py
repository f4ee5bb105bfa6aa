"""The user guide (docs/使用手册.md) as a PDF, with the CJK font embedded like every PDF of
the program. A small Markdown subset is enough for the guide: `#`/`##`/`###` headings,
paragraphs, `- ` and `1. ` lists, ``` blocks, `**bold**`, `` `code` `` and images
`![caption](images/x.png)` on a line of their own. build_installer.spec builds it for the
installer; 帮助 → 使用手册 builds it when the installed one is missing (desktop/help)."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Preformatted, Spacer

from reports.fonts import FontSet, find_fonts
from reports.pdf.layout import build_pdf, draw_centered, page_label

TITLE = "扶贫开发建档立卡工作站 使用手册"
_IMAGE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)]+)\)\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_LIST = re.compile(r"^(?:- |\d+\. )")
WIDTH = A4[0] - 36 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK",
                          spaceAfter=5)
    return {
        "body": base,
        "h1": ParagraphStyle("h1", parent=base, fontSize=20, leading=28, spaceBefore=10,
                             spaceAfter=12, alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", parent=base, fontSize=15, leading=22, spaceBefore=14,
                             spaceAfter=6, textColor="#1f4e79"),
        "h3": ParagraphStyle("h3", parent=base, fontSize=12, leading=18, spaceBefore=8,
                             spaceAfter=4),
        "item": ParagraphStyle("item", parent=base, leftIndent=14, bulletIndent=4,
                               spaceAfter=2),
        "code": ParagraphStyle("code", parent=base, fontSize=9, leading=13, leftIndent=10,
                               backColor="#f2f2f2", borderPadding=4, spaceBefore=4,
                               spaceAfter=8),
        "caption": ParagraphStyle("caption", parent=base, fontSize=9, leading=13,
                                  alignment=TA_CENTER, textColor="#555555", spaceAfter=10),
    }


def _inline(text: str) -> str:
    text = escape(text, quote=False)
    text = _BOLD.sub(r"<b>\1</b>", text)
    return _CODE.sub(r'<font color="#8b0000">\1</font>', text)


def _image(path: Path, caption: str, styles: dict[str, ParagraphStyle]) -> Flowable:
    from reportlab.lib.utils import ImageReader
    width, height = ImageReader(str(path)).getSize()
    scale = min(WIDTH / width, 110 * mm / height, 0.75)  # screen pixels at ~96 dpi
    image = Image(str(path), width=width * scale, height=height * scale)
    return KeepTogether([image, Paragraph(_inline(caption), styles["caption"])])


def story(markdown: str, folder: Path, fonts: FontSet) -> list[Flowable]:
    styles = _styles(fonts.name)
    out: list[Flowable] = []
    paragraph: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if paragraph:
            out.append(Paragraph(_inline(" ".join(paragraph)), styles["body"]))
            paragraph.clear()

    for line in markdown.splitlines():
        if code is not None:
            if line.startswith("```"):
                out.append(Preformatted("\n".join(code), styles["code"]))
                code = None
            else:
                code.append(line)
            continue
        stripped = line.strip()
        if line.startswith("```"):
            flush()
            code = []
        elif not stripped:
            flush()
        elif stripped.startswith("#"):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            out.append(Paragraph(_inline(stripped[level:].strip()),
                                 styles[f"h{min(level, 3)}"]))
        elif (m := _IMAGE.match(stripped)) is not None:
            flush()
            out.append(_image(folder / m["path"], m["caption"], styles))
        elif _LIST.match(stripped):
            flush()
            bullet = "•" if stripped.startswith("- ") else stripped.split(".")[0] + "."
            out.append(Paragraph(_inline(_LIST.sub("", stripped)), styles["item"],
                                 bulletText=bullet))
        else:
            paragraph.append(stripped)
    flush()
    if code is not None:
        out.append(Preformatted("\n".join(code), styles["code"]))
    return out


def build_guide(source: Path, out: Path, fonts: FontSet | None = None) -> int:
    """Writes the PDF; returns its page count."""
    fonts = fonts or find_fonts()
    text = Path(source).read_text("utf-8")

    def decorate(canvas: Any, number: int, total: int) -> None:
        draw_centered(canvas, fonts, 9, A4[0] / 2, 10 * mm, page_label(number, total))

    return build_pdf(out, [*story(text, Path(source).parent, fonts), Spacer(1, 1)], A4,
                     decorate, font=fonts.name, title=TITLE)

