"""The year's 扶贫标准 and whether a per-capita income is above it. Lines are kept per year
and 识别标准 (国家 1 / 省定 2 / 市定 3); a household identified under a standard with no
line of its own that year is measured against the national one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import codelists as cl
from registry.models import PovertyLine

NATIONAL = "1"


@dataclass(frozen=True)
class Line:
    year: int
    standard: str
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.year}年{cl.IDENTIFICATION_STANDARD.label_of(self.standard)}" \
               f" {self.amount:.0f} 元"


class Lines:
    """Every line of the store, read once (a village's list asks for hundreds)."""

    def __init__(self, s: Session) -> None:
        self._by: dict[tuple[int, str], Decimal] = {
            (y, st or NATIONAL): a for y, st, a in s.execute(
                select(PovertyLine.year, PovertyLine.standard, PovertyLine.amount)
                .where(PovertyLine.deleted.is_(False)))}

    def line(self, year: int | None, standard: str | None = None) -> Line | None:
        if year is None:
            return None
        for st in dict.fromkeys((standard or NATIONAL, NATIONAL)):
            amount = self._by.get((year, st))
            if amount is not None:
                return Line(year, st, amount)
        return None

    def above(self, per_capita: Decimal | None, year: int | None,
              standard: str | None = None) -> bool | None:
        """True above the line, False at or below it, None when either is unknown."""
        line = self.line(year, standard)
        if line is None or per_capita is None:
            return None
        return per_capita > line.amount


def describe(per_capita: Decimal | None, line: Line | None) -> str:
    """线上 / 线下, as screens and handbooks show it beside the income."""
    if per_capita is None:
        return "未填收入"
    if line is None:
        return "无该年度扶贫标准"
    return (f"高于{line.label}" if per_capita > line.amount
            else f"低于或等于{line.label}")


def set_line(s: Session, year: int, amount: Decimal, standard: str = NATIONAL) -> None:
    """Sets (or changes) a year's line; the county hands them down in its return bundles."""
    row = s.scalar(select(PovertyLine).where(PovertyLine.year == year,
                                             PovertyLine.standard == standard))
    if row is None:
        s.add(PovertyLine(year=year, amount=amount, standard=standard))
    else:
        row.amount = amount
        row.deleted = False
