"""The machinery every printed document shares: paper sizes, styles in the CJK font,
table cells that wrap only when they must, page decorations drawn once the page count is
known ("第 n 页 共 m 页"), progress and cancelling, and writing the file atomically."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from registry.files import write_atomic
from registry.progress import Cancelled, Progress
from reports.fonts import FontSet

PAPERS: dict[str, tuple[float, float]] = {"A4": A4, "A3": A3}
CELL_PAD = 3.0  # points of padding left and right in a table cell
FRAME_PAD = 6.0  # SimpleDocTemplate's frame padding on each side
HEADER_GREY = colors.HexColor("#E6E6E6")
SUBTOTAL_GREY = colors.HexColor("#F2F2F2")
CREATOR = "扶贫开发建档立卡系统(乡镇工作站)"


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    households: int
    members: int


def page_size(paper: str, wide: bool = False) -> tuple[float, float]:
    if paper not in PAPERS:
        raise ValueError(f"不支持的纸张:{paper}(可选 A4、A3)")
    size = PAPERS[paper]
    return landscape(size) if wide else size


class Styles:
    """Paragraph styles in the CJK font, scaled for the paper (A3 posters read from afar)."""

    def __init__(self, fonts: FontSet, base: float = 10.0):
        self.fonts = fonts
        self.base = base
        font = fonts.name

        def style(name: str, size: float, align: int = TA_LEFT, leading: float = 1.35,
                  **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * leading,
                                  alignment=align, wordWrap="CJK", **kw)

        self.title = style("title", base * 2.0, TA_CENTER, 1.3, spaceAfter=base * 0.6)
        self.subtitle = style("subtitle", base * 1.2, TA_CENTER, spaceAfter=base * 0.8)
        self.body = style("body", base * 1.2, leading=1.7, firstLineIndent=base * 2.4,
                          spaceAfter=base * 0.3)
        self.line = style("line", base * 1.2, leading=1.7)
        self.right = style("right", base * 1.2, TA_RIGHT, leading=1.7)
        self.heading = style("heading", base * 1.3, spaceBefore=base * 0.8,
                             spaceAfter=base * 0.4)
        self.cell = style("cell", base, leading=1.25)
        self.cell_center = style("cell_center", base, TA_CENTER, 1.25)
        self.small = style("small", base * 0.85)

    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup(typeset(text), self.fonts), style or self.line)


_FULL_WIDTH = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08", ")": "\uff09",
               "!": "\uff01", "?": "\uff1f"}


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def typeset(text: str) -> str:
    """Printed Chinese sentences take full-width punctuation: an ASCII comma, colon or
    bracket next to a Chinese character becomes its full-width form (a clerk would
    notice the narrow ones on a poster)."""
    chars = list(text)
    for i, ch in enumerate(chars):
        wide = _FULL_WIDTH.get(ch)
        if wide is None:
            continue
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        if (before and _cjk(before)) or (after and _cjk(after)) or ch in "()" and (
                "\uff08" in chars[:i] or ch == "(" and ")" in chars[i:]):
            chars[i] = wide
    return "".join(chars)


def markup(text: str, fonts: FontSet) -> str:
    """Escapes text for a Paragraph and puts characters the main font lacks into the
    fallback face that has them."""
    if not fonts.fallbacks or not fonts.needs_fallback(text):
        return escape(text)
    out: list[str] = []
    for ch in text:
        face = fonts.face_for(ch)
        if face is None or face is fonts.main:
            out.append(escape(ch))
        else:
            out.append(f'<font name="{face.name}">{escape(ch)}</font>')
    return "".join(out)


class Cells:
    """Table cells: a plain string when the text fits the column in the main font (fast:
    ReportLab draws strings without layout), a wrapping Paragraph only when it must."""

    def __init__(self, styles: Styles, widths: Sequence[float], size: float,
                 centered: Sequence[bool] | None = None):
        self.styles = styles
        self.fonts = styles.fonts
        self.room = [w - 2 * CELL_PAD for w in widths]
        self.size = size
        self.centered = list(centered) if centered else [False] * len(widths)
        self.style = ParagraphStyle("c", parent=styles.cell, fontSize=size, leading=size * 1.2)
        self.style_center = ParagraphStyle("cc", parent=self.style, alignment=TA_CENTER)
        self._width: dict[str, float] = {}

    def width(self, text: str) -> float:
        w = self._width.get(text)
        if w is None:
            w = stringWidth(text, self.fonts.name, self.size)
            self._width[text] = w
        return w

    def header(self, text: str, col: int) -> str | Paragraph:
        """A column title: one line if it fits, else broken in the middle (家庭人 / 口数),
        never a lone last character."""
        if self.width(text) <= self.room[col] or len(text) <= 2:
            return text
        half = (len(text) + 1) // 2
        return f"{text[:half]}\n{text[half:]}"  # the header row is centred (grid_style)

    def __call__(self, text: str, col: int) -> str | Paragraph:
        """The text as a plain string, broken into lines ("\n") where it does not fit the
        column: ReportLab draws and measures plain strings without layout, and a village's
        扶贫手册 has thousands of wrapped cells (as Paragraphs they cost a fifth of its
        time). Only text needing a fallback face still becomes a Paragraph."""
        if not text:
            return ""
        if self.fonts.fallbacks and self.fonts.needs_fallback(text):
            style = self.style_center if self.centered[col] else self.style
            return Paragraph(markup(text, self.fonts), style)
        if self.width(text) <= self.room[col] and "\n" not in text:
            return text
        return "\n".join(self.lines(text, self.room[col]))

    def lines(self, text: str, room: float) -> list[str]:
        """Breaks text to fit `room` points, as a Chinese typesetter would: anywhere
        between Chinese characters, but not inside a number or a Latin word (10,000.00
        moves to the next line whole when it fits there), and never before closing
        punctuation (，。)、…), which stays on the line it follows."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for ch in paragraph:
                w = self.width(ch)
                if line and ch not in _NO_LINE_START and used + w > room:
                    cut = _last_break(line) if _joined(line[-1], ch) else len(line)
                    lines.append(line[:cut].rstrip(" "))
                    line = line[cut:].lstrip(" ")
                    used = sum(self.width(c) for c in line)
                line += ch
                used += w
            lines.append(line)
        return lines


# Closing punctuation never begins a line.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕’”…—,.;:?!)]}%")


def _joined(before: str, after: str) -> bool:
    """Two characters of one number or Latin word: no line break between them."""
    return before.isascii() and after.isascii() and not before.isspace() \
        and not after.isspace()


def _last_break(line: str) -> int:
    """Where the line may break before its last word; the whole line when it is one word."""
    for i in range(len(line) - 1, 0, -1):
        if not _joined(line[i - 1], line[i]) and line[i] not in _NO_LINE_START:
            return i
    return len(line)


def grid_style(fonts: FontSet, size: float, header_rows: int = 1,
               centered: Sequence[int] = ()) -> list[tuple[Any, ...]]:
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.name),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), size * 0.25),
        ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.3),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_GREY),
                 ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER")]
    cmds += [("ALIGN", (c, header_rows), (c, -1), "CENTER") for c in centered]
    return cmds


class FastTable(Table):
    """A Table that writes all its plain-string cells in one PDF text object.

    ReportLab draws each string cell with its own canvas.drawString: a text object, a font
    and a subset lookup per cell — half of a village's 扶贫手册 time (100,000 cells). Here
    the strings are collected while the table draws and written at the end, each string's
    PDF text worked out once per document. Flowable cells, shaped or right-to-left text
    and non-TrueType fonts are drawn by ReportLab as before."""

    def draw(self) -> None:
        self._pending: list[tuple[str, CellStyle, float, float, float, float]] = []
        super().draw()
        _write_strings(self.canv, self._pending)
        self._pending = []

    def _drawCell(self, cellval: Any, cellstyle: CellStyle, pos: tuple[float, float],  # noqa: N802
                  size: tuple[float, float]) -> None:
        if isinstance(cellval, str) and not cellstyle.direction and not cellstyle.shaping \
                and cellstyle.alignment in _ALIGNS and _dynamic(cellstyle.fontname):
            if cellval:
                self._pending.append((cellval, cellstyle, *pos, *size))
            return
        super()._drawCell(cellval, cellstyle, pos, size)


_ALIGNS = frozenset(("LEFT", "CENTER", "CENTRE", "RIGHT"))
_VALIGNS = frozenset(("TOP", "MIDDLE", "BOTTOM"))


def _dynamic(fontname: str) -> bool:
    return bool(getFont(fontname)._dynamicFont)


def _write_strings(canv: Canvas,
                   cells: list[tuple[str, CellStyle, float, float, float, float]]) -> None:
    """The strings of a table as one BT … ET block, placed as Table._drawCell places them
    (padding, alignment, vertical alignment, leading)."""
    if not cells:
        return
    memo = _text_memo(canv)
    code: list[str] = []
    canv.saveState()  # the fill colour set here must not leak into what follows
    color: Any = None
    subset: tuple[str, float, int] | None = None
    code.append("BT")
    for text, st, x0, y0, width, height in cells:
        if st.valign not in _VALIGNS:
            raise ValueError(f"Bad valign: {st.valign!a}")
        if st.color != color:
            color = st.color
            code.append("ET")
            canv._code.extend(code)
            code = []
            canv.setFillColor(color)
            code.append("BT")
            subset = None
        font = getFont(st.fontname)
        lines = text.split("\n")
        leading, size = st.leading, st.fontsize
        if st.valign == "BOTTOM":
            y = y0 + st.bottomPadding + len(lines) * leading - size
        elif st.valign == "TOP":
            y = y0 + height - st.topPadding - size
        else:
            y = y0 + (st.bottomPadding + height - st.topPadding + len(lines) * leading) / 2 - size
        for line in lines:
            if st.alignment == "LEFT":
                x = x0 + st.leftPadding
            else:
                w = font.stringWidth(line, size)
                if st.alignment == "RIGHT":
                    x = x0 + width - st.rightPadding - w
                else:
                    x = x0 + (width + st.leftPadding - st.rightPadding) * 0.5 - w * 0.5
            code.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
            for part_subset, name, escaped in memo.parts(font, line):
                key = (st.fontname, size, part_subset)
                if key != subset:
                    code.append(f"{name} {fp_str(size)} Tf {fp_str(leading)} TL")
                    subset = key
                code.append(f"({escaped}) Tj")
            y -= leading
    code.append("ET")
    canv._code.extend(code)
    canv.restoreState()


class _TextMemo:
    """Per document: each string's subset pieces, PDF font names and escaped bytes. They
    never change within a document (ReportLab keeps a character's subset code for good)."""

    def __init__(self, canv: Canvas):
        self.canv = canv
        self.known: dict[tuple[str, str], list[tuple[int, str, str]]] = {}

    def parts(self, font: Any, text: str) -> list[tuple[int, str, str]]:
        key = (font.fontName, text)
        found = self.known.get(key)
        if found is None:
            doc = self.canv._doc
            found = self.known[key] = [
                (subset, font.getSubsetInternalName(subset, doc), self.canv._escape(piece))
                for subset, piece in font.splitString(text, doc)]
        return found


def _text_memo(canv: Canvas) -> _TextMemo:
    memo: _TextMemo | None = getattr(canv, "_fupin_text_memo", None)
    if memo is None:
        memo = _TextMemo(canv)
        canv._fupin_text_memo = memo
    return memo


_WHOLE = ((0, 0), (-1, -1))
_CELL_ATTRS = {"FONTNAME": "fontname", "FONTSIZE": "fontsize", "LEADING": "leading",
               "VALIGN": "valign", "LEFTPADDING": "leftPadding",
               "RIGHTPADDING": "rightPadding", "TOPPADDING": "topPadding",
               "BOTTOMPADDING": "bottomPadding"}
_CELL_CLASSES: dict[tuple[Any, ...], type[CellStyle]] = {}


def quick_table(rows: list[list[Any]], widths: Sequence[float],
                style: Sequence[tuple[Any, ...]], repeat_rows: int = 1) -> Table:
    """A Table whose whole-table font, leading, padding and valign (grid_style's first
    commands) are its cells' class defaults instead of commands applied cell by cell:
    a village's 扶贫手册 has thousands of small tables, and applying those commands to
    every cell of each cost more than drawing them."""
    defaults = {_CELL_ATTRS[c[0]]: c[3] for c in style
                if c[0] in _CELL_ATTRS and (c[1], c[2]) == _WHOLE}
    rest = [c for c in style if not (c[0] in _CELL_ATTRS and (c[1], c[2]) == _WHOLE)]
    key = tuple(sorted(defaults.items()))
    cls = _CELL_CLASSES.get(key)
    if cls is None:
        cls = _CELL_CLASSES[key] = type("QuickCell", (CellStyle,), defaults)
    cells = [[cls("") for _ in widths] for _ in rows]
    t = FastTable(rows, colWidths=list(widths), repeatRows=repeat_rows, cellStyles=cells)
    t.setStyle(TableStyle(rest))
    return t


def chunked_tables(header: list[Any], rows: list[list[Any]], widths: Sequence[float],
                   base_style: list[tuple[Any, ...]],
                   row_style: Callable[[int, int], list[tuple[Any, ...]]] | None = None,
                   chunk: int = 500, starts: Sequence[int] | None = None) -> list[Table]:
    """Long lists as ~500-row tables, each repeating the header: one giant Table makes
    ReportLab's splitting quadratic (STACK.md: 14 s vs 2.7 s for 20,000 rows).

    `starts` are the row indexes a table may begin at (a household's first row), so no
    household is cut between two tables. `row_style(start, end)` gives extra commands for
    rows start..end-1 of `rows`, with indexes already shifted to the chunk (header = 0)."""
    allowed = sorted(set(starts)) if starts is not None else None
    tables: list[Table] = []
    start = 0
    while start < len(rows) or not tables:
        end = min(start + chunk, len(rows))
        if allowed is not None and end < len(rows):
            later = [i for i in allowed[_first_at_least(allowed, end):][:1]]
            end = later[0] if later else len(rows)
        part = rows[start:end]
        extra = row_style(start, end) if row_style else []
        t = Table([header, *part], colWidths=list(widths), repeatRows=1)
        t.setStyle(TableStyle([*base_style, *extra]))
        tables.append(t)
        start = end
    return tables


def _first_at_least(ordered: Sequence[int], value: int) -> int:
    from bisect import bisect_left

    return bisect_left(ordered, value)


# Page decorations: drawn for each page when the document is complete, so the total is known.
Decorate = Callable[[Canvas, int, int], None]


class _NumberedCanvas(Canvas):
    def __init__(self, *args: Any, decorate: Decorate, pages_out: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pages_out = pages_out
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 — ReportLab's name
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for number, state in enumerate(self._saved, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        self._pages_out.append(total)
        super().save()


class _CountedCanvas(Canvas):
    """When the page count is known in advance (the registers paginate themselves), each
    page is decorated as it is finished: no page kept in memory until the end."""

    def __init__(self, *args: Any, decorate: Decorate, pages_out: list[int], total: int,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pages_out = pages_out
        self._total = total
        self._done = 0

    def showPage(self) -> None:  # noqa: N802 — ReportLab's name
        self._done += 1
        self._decorate(self, self._done, self._total)
        super().showPage()

    def save(self) -> None:
        self._pages_out.append(self._done)
        super().save()


class _Doc(SimpleDocTemplate):
    def __init__(self, *args: Any, progress: Progress | None, total: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._progress = progress
        self._total = max(total, 1)
        self._done = 0

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        super().handle_flowable(flowables)
        if self._progress is None:
            return
        done = max(self._done, self._total - len(flowables))
        if done != self._done:
            self._done = done
            if not self._progress(done, self._total):
                raise Cancelled("已取消打印,未生成文件")


def build_pdf(out: Path, story: list[Flowable], pagesize: tuple[float, float],
              decorate: Decorate, *, font: str, title: str, author: str = "",
              margins: tuple[float, float, float, float] = (15 * mm, 15 * mm, 18 * mm, 18 * mm),
              progress: Progress | None = None, pages: int | None = None) -> int:
    """Lays out the story, then writes the file atomically; returns the page count.
    margins: left, right, top, bottom. Cancelling via `progress` writes nothing.
    `pages`: the page count when the caller knows it (saves keeping every page in memory
    for "共 m 页"); if the layout disagrees, the document is built again the slow way."""
    if pages is not None:
        story_copy = list(story)
        data, made = _build(story, pagesize, decorate, font, title, author, margins,
                            progress, pages)
        if made != pages:
            data, made = _build(story_copy, pagesize, decorate, font, title, author,
                                margins, progress, None)
    else:
        data, made = _build(story, pagesize, decorate, font, title, author, margins,
                            progress, None)
    write_atomic(Path(out), data)
    if progress is not None:
        progress(1, 1)
    return made


def _build(story: list[Flowable], pagesize: tuple[float, float], decorate: Decorate,
           font: str, title: str, author: str, margins: tuple[float, float, float, float],
           progress: Progress | None, pages: int | None) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    left, right, top, bottom = margins
    doc = _Doc(buffer, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top,
               bottomMargin=bottom, title=title, author=author, creator=CREATOR,
               subject=title, progress=progress, total=len(story),
               # otherwise every page names Helvetica, a font the PDF does not embed
               initialFontName=font)
    made: list[int] = []
    if pages is None:
        maker = partial(_NumberedCanvas, decorate=decorate, pages_out=made)
    else:
        maker = partial(_CountedCanvas, decorate=decorate, pages_out=made, total=pages)
    doc.build(story, canvasmaker=maker)
    return buffer.getvalue(), made[0] if made else 0


def page_label(number: int, total: int) -> str:
    return f"第 {number} 页 共 {total} 页"


def draw_centered(canvas: Canvas, fonts: FontSet, size: float, x: float, y: float,
                  text: str) -> None:
    canvas.setFont(fonts.name, size)
    canvas.drawCentredString(x, y, text)
