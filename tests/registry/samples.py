"""Small valid households for tests."""

from __future__ import annotations

from typing import Any

from forms.idnumber import check_digit

VILLAGE = "513431102200"  # 尼日村


def idn(first17: str) -> str:
    return first17 + check_digit(first17)


def household(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "village_code": VILLAGE, "group_no": 3, "identification_standard": "1",
        "attribute": "1", "stage": "80", "poverty_status": "1", "main_cause": "01",
        "income_wage": "5000", "transfer_dibao": "1200", "business_expense": "300",
    }
    values.update(changes)
    return values


def members(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": "张三", "id_number": "11010519491231002X", "relation": "01",
         "ethnicity": "01", "health": "1"},
        {"name": "李秀英", "id_number": idn("51343119850315002"), "relation": "02",
         "ethnicity": "07", "health": "2"},
        *extra,
    ]
