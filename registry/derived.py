"""Values that are computed, never typed: from the ID number (sex, birth date, age), from
the members (household size, head), from the income fields (net income, per capita), and
the search keys (name, full pinyin, initials, ID number)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from forms import codelists as cl
from forms import idnumber
from forms.household import INCOME_FIELDS, TRANSFER_FIELDS


def _sum(values: Mapping[str, Any], names: Iterable[str]) -> Decimal:
    return sum((Decimal(values.get(n) or 0) for n in names), Decimal(0))


def member_facts(values: Mapping[str, Any]) -> dict[str, Any]:
    """sex, birth date and the search keys of a validated member. One without an ID number
    yet (暂无身份证号) keeps the typed sex and birth date and an empty number."""
    full, initials = name_pinyin(values["name"])
    if values.get("no_id_number") or not values.get("id_number"):
        return {"id_number": "", "sex": values["sex"], "birth_date": values["birth_date"],
                "name_pinyin": full, "name_initials": initials,
                "search_text": search_text(values["name"], "")}
    facts = idnumber.parse(values["id_number"])
    return {"sex": facts.sex, "birth_date": facts.birth_date, "name_pinyin": full,
            "name_initials": initials, "search_text": search_text(values["name"], facts.number)}


def search_text(name: str, id_number: str) -> str:
    """One lower-case line for the trigram index: 张三|zhangsan|zs|5134...; the separators
    keep a query from matching across two keys."""
    full, initials = name_pinyin(name)
    return f"{name}|{full}|{initials}|{id_number.lower()}"


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name: 张三 → ("zhangsan", "zs"). Names repeat a lot in
    a township, so the cache saves most pypinyin calls on imports. pypinyin is imported
    here, at the first name: its phrase dictionary costs 0.6 s and 55 MB, which a county
    window that only reads households never needs."""
    from pypinyin import Style, lazy_pinyin

    syllables = [p.lower() for p in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    return "".join(syllables), "".join(p[0] for p in syllables if p)


def is_current(member: Mapping[str, Any]) -> bool:
    return not member.get("deleted") and not member.get("change_reason")


def household_facts(values: Mapping[str, Any], members: Iterable[Mapping[str, Any]]
                    ) -> dict[str, Any]:
    current = [m for m in members if is_current(m)]
    head = next((m for m in current if m.get("relation") == cl.HEAD_OF_HOUSEHOLD), None)
    size = len(current)
    transfer = _sum(values, TRANSFER_FIELDS)
    any_income = any(values.get(n) is not None
                     for n in (*INCOME_FIELDS, *TRANSFER_FIELDS, "business_expense"))
    net = (_sum(values, INCOME_FIELDS) + transfer - Decimal(values.get("business_expense") or 0)
           if any_income else None)
    per_capita = (net / size).quantize(Decimal("0.01")) if net is not None and size else None
    return {
        "size": size,
        "head_name": head["name"] if head else None,
        # Lists sort heads in pinyin order, as people expect (张 after 王), not by code point.
        "head_pinyin": name_pinyin(head.get("name") or "")[0] if head else None,
        "head_id_number": head["id_number"] if head else None,
        "income_transfer": transfer if any_income else None,
        "net_income": net,
        "net_income_per_capita": per_capita,
    }


def age(birth: date, on: date | None = None) -> int:
    return idnumber.age_on(birth, on or date.today())
