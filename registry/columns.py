"""Column types shared by the models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Integer
from sqlalchemy.types import TypeDecorator


class Fixed(TypeDecorator[Decimal]):
    """A Decimal with fixed places stored as a scaled integer (分 for 元): exact, and
    SUM/ORDER BY work in SQL. SQLite has no decimal type of its own."""

    impl = Integer
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__()
        self.places = places
        self._scale = Decimal(10) ** places

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * self._scale).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / self._scale).quantize(Decimal(1).scaleb(-self.places))
