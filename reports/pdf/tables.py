"""Table columns built from forms/ fields: header from the label, cell text from the
field's type and code list, width from what the column actually holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from forms.fields import Field
from registry.errors import UserError
from reports.pdf.layout import CELL_PAD


class PrivateField(UserError, ValueError):
    """A field marked public=False asked for on a public notice."""


def public_only(fields: Iterable[Field]) -> tuple[Field, ...]:
    """The guard of every public notice: ID numbers, phones, bank accounts and health
    details (Field.public False) never reach a poster."""
    chosen = tuple(fields)
    private = [f.label for f in chosen if not f.public]
    if private:
        raise PrivateField(f"公示、公告不得包含个人隐私信息:{'、'.join(private)}")
    return chosen


@dataclass(frozen=True)
class Column:
    title: str
    field: Field | None = None  # None: a column of our own (序号)
    centered: bool = False
    header_share: float = 1.0  # <1: the title may wrap onto two lines in a narrow column


def _header_line(c: Column) -> str:
    """The part of a title that must fit on one line: all of it, or for a narrow column
    allowed to wrap, its longer half (家庭人口数 → 家庭人 / 口数, 性别 stays whole)."""
    if c.header_share >= 1 or len(c.title) <= 3:
        return c.title
    return c.title[: (len(c.title) + 1) // 2]


def natural_widths(columns: Sequence[Column], rows: Iterable[Sequence[str]], font: str,
                   size: float, header_size: float | None = None) -> list[float]:
    """The width each column needs for its longest text, titles included."""
    header_size = header_size or size
    need = [stringWidth(_header_line(c), font, header_size) for c in columns]
    seen: list[set[str]] = [set() for _ in columns]
    for row in rows:
        for i, text in enumerate(row):
            if text and text not in seen[i]:
                seen[i].add(text)
                w = stringWidth(text, font, size)
                if w > need[i]:
                    need[i] = w
    return [w + 2 * CELL_PAD + 1 for w in need]


def fit_widths(natural: Sequence[float], total: float, cap: Sequence[float] | None = None
               ) -> list[float]:
    """Stretches or squeezes the columns to the frame width: room to spare goes to every
    column in proportion; when too wide, the widest columns give way first (they wrap)."""
    widths = list(natural)
    if cap:
        widths = [min(w, c) for w, c in zip(widths, cap, strict=True)]
    used = sum(widths)
    if used <= total:
        return [w * total / used for w in widths]
    # Squeeze only columns wider than an even share, down to a common ceiling.
    ceiling = max(widths)
    while sum(min(w, ceiling) for w in widths) > total and ceiling > 1:
        ceiling -= 1
    return [min(w, ceiling) for w in widths]
