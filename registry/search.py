"""Finding households in SQL: by name, ID-number fragment, pinyin initials (张三 → zs) or
full pinyin, by village (name or 12-digit code), group, stage and status.

A query of three or more characters is a substring match through the FTS5 trigram index
over each member's key `张三|zhangsan|zs|5134…` (registry/search_index.py); one or two
characters are a prefix of the name (a surname), of the initials or of the full pinyin,
through plain indexes. Lists fetch ids first and rows for the visible ids only (the desktop
table does the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from registry import search_index
from registry.models import Household, Member, Region

_VillageRegion = aliased(Region)


@dataclass(frozen=True)
class HouseholdFilter:
    text: str = ""
    village_code: str | None = None
    group_no: int | None = None
    stage: str | None = None
    poverty_status: str | None = None
    include_deleted: bool = False
    township_code: str | None = None  # 9 digits: every village of a township (the county)


SORT_KEYS: dict[str, Any] = {
    "village": (Household.village_code, Household.group_no, Household.head_pinyin),
    "group": (Household.group_no, Household.head_pinyin),
    "head": (Household.head_pinyin,),
    "size": (Household.size,),
    "per_capita": (Household.net_income_per_capita,),
    "stage": (Household.stage,),
    "status": (Household.poverty_status,),
    "updated": (Household.updated_at,),
}


@dataclass(frozen=True)
class HouseholdRow:
    id: str
    village_code: str
    village_name: str
    group_no: int | None
    head_name: str | None
    head_id_number: str | None
    size: int
    attribute: str | None
    main_cause: str | None
    stage: str
    poverty_status: str
    net_income_per_capita: Decimal | None
    deleted: bool


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _prefix(column: Any, text: str) -> ColumnElement[bool]:
    """column starts with text, as an index range (LIKE would not use the index)."""
    return and_(column >= text, column < text + "\U0010ffff")


def _matching_members(dialect: str, text: str) -> Any:
    """Household ids of living members whose keys contain (3+ characters) or start with
    (1–2 characters: a surname, initials, a pinyin syllable) the query."""
    if len(text) >= 3:
        return search_index.members_containing(dialect, text)
    keys = _member_keys(text)
    if keys is None:
        return None  # one or two digits say nothing yet: no filter
    return select(Member.household_id).where(keys, Member.deleted.is_(False))


def _member_keys(text: str) -> ColumnElement[bool] | None:
    """The query as a condition on one member's keys: contains (3+ characters, the text
    the trigram index holds) or starts with (1–2 characters)."""
    if len(text) >= 3:
        return Member.search_text.contains(text, autoescape=True)
    if _is_chinese(text):
        return _prefix(Member.name, text)
    if text.isascii() and text.isalpha():
        return or_(_prefix(Member.name_initials, text), _prefix(Member.name_pinyin, text))
    return None


def _villages_named(text: str) -> Any:
    return select(Region.code).where(Region.level == "village",
                                     Region.name.contains(text, autoescape=True))


def _household_matches(text: str) -> ColumnElement[bool]:
    """The query as a condition on one household (_text_sources, household by household)."""
    if len(text) == 12 and text.isdigit():
        return Household.village_code == text
    keys = _member_keys(text)
    assert keys is not None  # a text without keys has no sources: never asked
    match = exists().where(Member.household_id == Household.id, Member.deleted.is_(False),
                           keys)
    return or_(match, Household.village_code.in_(_villages_named(text))) \
        if _is_chinese(text) else match


def _place_conditions(f: HouseholdFilter) -> list[ColumnElement[bool]]:
    """Everything but the text: tombstones, village, group, stage, status."""
    where: list[ColumnElement[bool]] = []
    if not f.include_deleted:
        where.append(Household.deleted.is_(False))
    if f.village_code and len(f.village_code) < 12:  # a township (the county's tree)
        where.append(_prefix(Household.village_code, f.village_code))
    elif f.village_code:
        where.append(Household.village_code == f.village_code)
    if f.township_code:
        where.append(_prefix(Household.village_code, f.township_code))
    if f.group_no is not None:
        where.append(Household.group_no == f.group_no)
    if f.stage:
        where.append(Household.stage == f.stage)
    if f.poverty_status:
        where.append(Household.poverty_status == f.poverty_status)
    return where


def _text_sources(session: Session, text: str) -> list[Any]:
    """Selects of household ids the text points at (empty: the text filters nothing)."""
    if len(text) == 12 and text.isdigit():
        return [select(Household.id).where(Household.village_code == text)]
    members = _matching_members(session.get_bind().dialect.name, text)
    if members is None:
        return []
    sources = [members]
    if _is_chinese(text):
        # A Chinese query also finds a village by name: "尼日" lists 尼日村.
        sources.append(select(Household.id)
                       .where(Household.village_code.in_(_villages_named(text))))
    return sources


def _conditions(session: Session, f: HouseholdFilter) -> list[ColumnElement[bool]]:
    where = _place_conditions(f)
    sources = _text_sources(session, f.text.strip().lower())
    if sources:
        where.append(or_(*(Household.id.in_(source) for source in sources)))
    return where


def _order(sort: str, descending: bool) -> list[Any]:
    return [c.desc() if descending else c.asc() for c in SORT_KEYS[sort]] + [Household.id]


def household_ids(session: Session, f: HouseholdFilter, sort: str = "village",
                  descending: bool = False, limit: int | None = None, offset: int = 0
                  ) -> list[str]:
    """Every matching id in order (exact; the CLI and exports use this)."""
    q = (select(Household.id).where(and_(*_conditions(session, f)))
         .order_by(*_order(sort, descending)))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    # The driver's rows, not SQLAlchemy's: a county's 200,000 ids in a third of the time.
    with session.connection().execute(q) as result:
        return [household_id for (household_id,) in result.cursor.fetchall()]


# A text search stops collecting after this many households: "li" or "张" match a tenth
# of a county, and nobody reads 20,000 hits — they type one more character. Each hit costs
# a member and a household row read at random from the store (to place and sort it): 200
# (eight screens) keep a county's search as you type within 100 ms (500: 130 ms of the
# worker for "张" on a loaded machine, 200: 40 ms). Browsing a village (no text) is never
# capped.
SEARCH_CAP = 200
PLACE_BUDGET = 10  # × the cap: a search in a place reads this many from the whole store


@dataclass(frozen=True)
class Hits:
    ids: list[str]
    capped: bool  # more matched than the cap: ids are the first `cap` found, sorted


def find_households(session: Session, f: HouseholdFilter, sort: str = "village",
                    descending: bool = False, cap: int = SEARCH_CAP) -> Hits:
    """Search as the user types: exact when the text is specific, bounded when it is not,
    so a county of 200,000 households answers as fast as a township.

    In a chosen place (the county's township, a village, a group; a stage) the cap counts
    the place's households: a text with more than `cap` households in the whole store is
    looked for household by household in the place instead, in list order, to the cap
    (capped over the store first, "张" in a township listed a few dozen)."""
    text = f.text.strip().lower()
    sources = _text_sources(session, text)
    if not sources:
        return Hits(household_ids(session, f, sort, descending), capped=False)
    place = _place_conditions(f)
    narrowed = len(place) > (0 if f.include_deleted else 1)
    # In a place, ten times the cap from the whole store: most texts are then found from
    # their index (a township's households one by one take a second at a county).
    budget = cap * PLACE_BUDGET if narrowed else cap
    candidates: set[str] = set()
    capped = False
    for source in sources:
        found = search_index.first_households(session, source, budget + 1)
        capped = capped or len(found) > budget
        candidates.update(found[:budget])
    if capped and narrowed:
        q = (select(Household.id).where(*place, _household_matches(text))
             .order_by(*_order(sort, descending)).limit(cap + 1))
        ids = list(session.execute(q).scalars())
        return Hits(ids[:cap], len(ids) > cap)
    q = (select(Household.id)
         .where(and_(*place), Household.id.in_(list(candidates)))
         .order_by(*_order(sort, descending)))
    return Hits(list(session.execute(q).scalars()), capped)


def count_households(session: Session, f: HouseholdFilter) -> int:
    q = select(func.count()).select_from(Household).where(and_(*_conditions(session, f)))
    return int(session.execute(q).scalar_one())


def household_rows(session: Session, ids: Sequence[str]) -> list[HouseholdRow]:
    """Rows for these ids, in the order given (the visible page of a table)."""
    if not ids:
        return []
    q = (select(Household.id, Household.village_code, _VillageRegion.name, Household.group_no,
                Household.head_name, Household.head_id_number, Household.size,
                Household.attribute, Household.main_cause, Household.stage,
                Household.poverty_status, Household.net_income_per_capita, Household.deleted)
         .join(_VillageRegion, _VillageRegion.code == Household.village_code, isouter=True)
         .where(Household.id.in_(list(ids))))
    found = {
        r[0]: HouseholdRow(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                           r[10], r[11], r[12])
        for r in session.execute(q)
    }
    return [found[i] for i in ids if i in found]


def search_households(session: Session, f: HouseholdFilter, sort: str = "village",
                      limit: int | None = 200) -> list[HouseholdRow]:
    return household_rows(session, household_ids(session, f, sort=sort, limit=limit))


def village_counts(session: Session) -> dict[tuple[str, int | None], int]:
    """Households per (village, group), for the tree."""
    q = (select(Household.village_code, Household.group_no, func.count())
         .where(Household.deleted.is_(False))
         .group_by(Household.village_code, Household.group_no))
    return {(v, g): n for v, g, n in session.execute(q)}


def group_counts(session: Session, village_code: str) -> dict[int | None, int]:
    """Households per group of one village (read when a large office's tree opens it)."""
    q = (select(Household.group_no, func.count())
         .where(Household.village_code == village_code, Household.deleted.is_(False))
         .group_by(Household.group_no))
    return {g: n for g, n in session.execute(q)}
