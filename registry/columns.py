"""Column types shared by the models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Dialect, Integer, Text
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


class FixedSum(Fixed):
    """Fixed for sums of money (a village's funds in 分 can pass PostgreSQL's 32-bit
    integer)."""

    impl = BigInteger
    cache_ok = True


class ServerSealed(TypeDecorator[str]):
    """A secret column (a private key in hex). In a SQLCipher file it is stored as it is
    (the whole file is encrypted); on a PostgreSQL server it is sealed with the server key
    held outside the database (registry/server.py), never written in plain."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value  # type: ignore[no-any-return]
        from registry import server

        return server.seal(str(value), self.purpose)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value  # type: ignore[no-any-return]
        from registry import server

        return server.unseal(str(value), self.purpose)
