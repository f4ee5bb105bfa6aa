"""A province's households for the province-scale run (bench_province), made fast: a few
township blocks are generated once by registry/demo (plausible families, their steps, aid
and incomes: ~150 households/s on this machine), and every township of every county is then
derived from one of them by re-keying, about a hundred times faster:

- every row gets a new id (income and yearly review ids derived again from the new
  household, as registry/aid/ids.py derives them); references (household, notice,
  objection, also inside a step's facts) follow;
- the block's 48 villages are laid onto the township's real villages (block village k →
  village k mod n); village groups, 驻村工作队 and 村帮扶规划 come from the first n block
  villages only, so each village has one set, and a household's group is folded into its
  village's groups; a notice's region (village or township) follows;
- each member gets another given name (same sex, same surname), a birth date shifted by
  up to half a year (so a block used twice never repeats a name with a birth date, which
  the duplicate search would flag), an ID number on the county's own code with that birth
  date, the block's sequence digits and a recomputed check digit (unique in the county:
  another sequence of the same sex on a clash), and the search keys, 残疾证号 and the
  household's 户主 columns made again from them; the 文号 in the steps name the county.

Blocks are generated per ethnic profile (凉山 彝族, 甘孜 藏族, 阿坝 藏羌, elsewhere 汉族) and
a township takes a block of its county's profile. What is lost against generating every
household: spouses married in from a neighbouring county carry this county's code, and
households, incomes and steps repeat across townships (ids, names, ID numbers, places
differ; every row is distinct).

The rows go straight into a county store with sync.wire.insert_rows (raw storage values,
fresh revs), in one transaction per county, the search index written once at the end."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from forms import idnumber
from registry import audit, demo, derived, search_index
from registry.aid import ids as aid_ids
from registry.ids import new_id
from registry.poor_villages.ids import facts_id
from registry.regions import Division, sichuan
from registry.store import Store
from registry.tracking import reserve_revs
from sync import wire
from sync.names import (
    AID_PLAN,
    HELPER,
    HOUSEHOLD,
    HOUSEHOLD_INCOME,
    MEMBER,
    NOTICE,
    NOTICE_ENTRY,
    OBJECTION,
    PROCEDURE_EVENT,
    TEAM_MEMBER,
    VILLAGE_FACTS,
    VILLAGE_GROUP,
    VILLAGE_PLAN,
    YEARLY_REVIEW,
)

BLOCK_VILLAGES = 48  # the most villages of any Sichuan township (2023)
# ethnic profile → a real county of it whose code the block's demo rows are made under
PROFILES = {"5134": "513431", "5133": "513322", "5132": "513226", "other": "512021"}
BLOCK_TOWNSHIP = {"5134": "513431102", "5133": "513322100", "5132": "513226100",
                  "other": "512021100"}
# Tables written per household (besides the household and its members), in wire order.
_BY_HOUSEHOLD = (HELPER, AID_PLAN, HOUSEHOLD_INCOME, YEARLY_REVIEW, PROCEDURE_EVENT)
_BY_VILLAGE = (VILLAGE_GROUP, TEAM_MEMBER, VILLAGE_PLAN)
# ids derived from (household, year), as registry/aid/ids.py derives them
_DERIVED_ID = {HOUSEHOLD_INCOME: "income", YEARLY_REVIEW: "review"}
WRITTEN = (VILLAGE_GROUP, HOUSEHOLD, MEMBER, HELPER, AID_PLAN, HOUSEHOLD_INCOME,
           YEARLY_REVIEW, TEAM_MEMBER, VILLAGE_PLAN, PROCEDURE_EVENT, NOTICE, NOTICE_ENTRY,
           OBJECTION, VILLAGE_FACTS)


def profile(county_code: str) -> str:
    return county_code[:4] if county_code[:4] in PROFILES else "other"


class _Cols:
    """Column positions of one wire table."""

    def __init__(self, name: str):
        self.names = wire.columns(name)
        self.at = {c: i for i, c in enumerate(self.names)}

    def __getitem__(self, column: str) -> int:
        return self.at[column]


COLS = {name: _Cols(name) for name in WRITTEN}


@dataclass
class Block:
    """One generated township's rows (wire storage values), ready to be re-keyed."""

    county: str  # the real county its rows were made under (ID numbers, 文号)
    township: str  # its synthetic township code (9 digits); villages are township + k
    rows: dict[str, list[list[Any]]]
    households: int = 0
    groups: dict[int, int] = field(default_factory=dict)  # village k → its groups

    def village_index(self, code: str) -> int:
        return int(code[9:])


def make_blocks(store_path: Path, per_profile: int, households: int, seed: int = 2014
                ) -> dict[str, list[Block]]:
    """`per_profile` blocks of `households` households for each ethnic profile, made by
    registry/demo in one station store (made at `store_path`, or read from it when it is
    there from an earlier run with the same sizes)."""
    password = "province-bench"
    if not store_path.exists():
        store, _ = Store.create(store_path, kind="station", region_code=BLOCK_TOWNSHIP["other"],
                                user="admin", password=password)
        with store:
            for county in PROFILES.values():
                for b in range(per_profile):
                    township = f"{county}9{b:02d}"
                    villages = [f"{township}{k:03d}" for k in range(BLOCK_VILLAGES)]
                    made = demo.build_rows(villages, county, households,
                                           seed=seed + 100 * b + int(county) % 97)
                    with store.transaction() as s:
                        demo.insert_rows(s, made)
    blocks: dict[str, list[Block]] = {p: [] for p in PROFILES}
    with Store.open(store_path, "admin", password) as store, store.session() as s:
        tables = {name: wire.select_rows(s, name) for name in WRITTEN if name != VILLAGE_FACTS}
    by_township: dict[str, dict[str, list[list[Any]]]] = defaultdict(lambda: defaultdict(list))
    household_township: dict[str, str] = {}
    notice_township: dict[str, str] = {}
    for r in tables[HOUSEHOLD]:
        township = r[COLS[HOUSEHOLD]["village_code"]][:9]
        household_township[r[COLS[HOUSEHOLD]["id"]]] = township
        by_township[township][HOUSEHOLD].append(r)
    for r in tables[NOTICE]:
        township = r[COLS[NOTICE]["region_code"]][:9]
        notice_township[r[COLS[NOTICE]["id"]]] = township
        by_township[township][NOTICE].append(r)
    for name in (MEMBER, *_BY_HOUSEHOLD, NOTICE_ENTRY, OBJECTION):
        at = COLS[name]["household_id"]
        for r in tables[name]:
            by_township[household_township[r[at]]][name].append(r)
    for name in _BY_VILLAGE:
        at = COLS[name]["village_code"]
        for r in tables[name]:
            by_township[r[at][:9]][name].append(r)
    for township, rows in sorted(by_township.items()):
        county = township[:6]
        block = Block(county, township, {name: rows.get(name, []) for name in WRITTEN},
                      len(rows[HOUSEHOLD]))
        g = COLS[VILLAGE_GROUP]
        for r in rows[VILLAGE_GROUP]:
            k = block.village_index(r[g["village_code"]])
            block.groups[k] = max(block.groups.get(k, 0), r[g["number"]])
        blocks[profile(county)].append(block)
    return blocks


class Ids:
    """Fresh row ids, fast: uuid.UUID costs 3 µs a row, a third of the re-keying. UUIDv7 as
    registry/ids.new_id makes them (its time, version and variant, refreshed by `renew`),
    the last 48 bits a counter from a random start."""

    def __init__(self) -> None:
        self.n = random.getrandbits(40)
        self.renew()

    def renew(self) -> None:
        self.prefix = new_id()[:24]

    def __call__(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n & 0xFFFFFFFFFFFF:012x}"


_AID_NAMESPACE = aid_ids._NAMESPACE.bytes


def derived_id(kind: str, household_id: str, year: int) -> str:
    """registry.aid.ids.income_id / review_id without uuid.UUID's cost."""
    h = bytearray(hashlib.sha1(_AID_NAMESPACE + f"{kind}:{household_id}:{year}".encode())
                  .digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50
    h[8] = (h[8] & 0x3F) | 0x80
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


# ---- names -------------------------------------------------------------------------------
_GIVEN = {"1": demo._MALE_NAMES, "2": demo._FEMALE_NAMES}
_ALL_GIVEN = set(demo._MALE_NAMES) | set(demo._FEMALE_NAMES)
_surnames: dict[str, str] = {}
_pinyin: dict[str, tuple[str, str]] = {}


def surname(name: str) -> str:
    found = _surnames.get(name)
    if found is None:
        found = name[:1]
        for cut in (2, 1):  # the longest given name the demo could have drawn
            if len(name) > cut and name[-cut:] in _ALL_GIVEN:
                found = name[:-cut]
                break
        _surnames[name] = found
    return found


def pinyin(name: str) -> tuple[str, str]:
    found = _pinyin.get(name)
    if found is None:
        found = _pinyin[name] = derived.name_pinyin(name)
    return found


# ---- one county -----------------------------------------------------------------------------
@dataclass
class CountyTotals:
    code: str
    households: int = 0
    people: int = 0  # members living in their household (not left)
    records: int = 0
    rekey_seconds: float = 0.0
    write_seconds: float = 0.0


def county_villages(code: str) -> list[tuple[str, list[str]]]:
    """(township, its villages) of a county, townships without villages left out."""
    regions = sichuan()
    out = []
    for t in sorted(regions.children(code), key=lambda d: d.code):
        villages = sorted(d.code for d in regions.children(t.code) if d.level == "village")
        if t.level == "township" and villages:
            out.append((t.code, villages))
    return out


class _Rekey:
    """Derives a county's townships from blocks; one per county (its ID numbers unique)."""

    def __init__(self, county: Division, rng: random.Random):
        self.county = county
        self.code = county.code
        self.short = county.name[:1]
        self.rng = rng
        self.used: set[str] = set()
        self.out: dict[str, list[list[Any]]] = {name: [] for name in WRITTEN}
        self.households = 0
        self.people = 0
        self.new_id = Ids()

    def id_number(self, born: str, seq: int) -> str:
        ymd = born[:4] + born[5:7] + born[8:10]
        while True:
            first17 = f"{self.code}{ymd}{seq:03d}"
            number = first17 + idnumber.check_digit(first17)
            if number not in self.used:
                self.used.add(number)
                return number
            seq = (seq + 2) % 1000

    def township(self, block: Block, township: str, villages: Sequence[str], shift: int
                 ) -> None:
        n = len(villages)
        new_id = self.new_id
        new_id.renew()
        vmap = {f"{block.township}{k:03d}": villages[k % n] for k in range(BLOCK_VILLAGES)}
        out, rows = self.out, block.rows
        households: dict[str, str] = {}
        notices: dict[str, str] = {}
        objections: dict[str, str] = {}

        # members first: the household's 户主 columns are made from them
        c = COLS[MEMBER]
        m_hh, m_name, m_num, m_sex = c["household_id"], c["name"], c["id_number"], c["sex"]
        m_birth, m_py, m_ini, m_text = c["birth_date"], c["name_pinyin"], c["name_initials"], \
            c["search_text"]
        m_cert, m_joined, m_id, m_change = c["disability_cert"], c["joined_date"], c["id"], \
            c["change_reason"]
        people: dict[str, tuple[str, str, str]] = {}  # old number → name, pinyin, number
        rng = self.rng
        for base in rows[MEMBER]:
            r = list(base)
            hid = households.get(r[m_hh])
            if hid is None:
                hid = households[r[m_hh]] = new_id()
            r[m_hh] = hid
            r[m_id] = new_id()
            old_birth = r[m_birth]
            born = (date.fromisoformat(old_birth) + timedelta(days=shift)).isoformat()
            r[m_birth] = born
            if r[m_joined] == old_birth:
                r[m_joined] = born
            name = surname(r[m_name]) + rng.choice(_GIVEN[r[m_sex]])
            full, initials = pinyin(name)
            r[m_name], r[m_py], r[m_ini] = name, full, initials
            old = r[m_num]
            number = self.id_number(born, int(old[14:17])) if old else ""
            r[m_num] = number
            if r[m_cert]:
                r[m_cert] = number + r[m_cert][18:]
            r[m_text] = f"{name}|{full}|{initials}|{number.lower()}"
            if old:
                people[old] = (name, full, number)
            if not r[m_change] and not r[c["deleted"]]:
                self.people += 1
            out[MEMBER].append(r)

        c = COLS[HOUSEHOLD]
        h_id, h_village, h_group = c["id"], c["village_code"], c["group_no"]
        h_name, h_py, h_num = c["head_name"], c["head_pinyin"], c["head_id_number"]
        for base in rows[HOUSEHOLD]:
            r = list(base)
            hid = households.get(r[h_id])
            if hid is None:  # a household with no members (never made by the demo)
                hid = households[r[h_id]] = new_id()
            r[h_id] = hid
            k = block.village_index(r[h_village]) % n
            r[h_village] = villages[k]
            if r[h_group]:
                r[h_group] = (r[h_group] - 1) % block.groups.get(k, r[h_group]) + 1
            head = people.get(r[h_num] or "")
            if head is not None:
                r[h_name], r[h_py], r[h_num] = head
            out[HOUSEHOLD].append(r)
        self.households += len(rows[HOUSEHOLD])

        for name in _BY_VILLAGE:  # one set per village: the first n block villages'
            at, rid = COLS[name]["village_code"], COLS[name]["id"]
            for base in rows[name]:
                if block.village_index(base[at]) < n:
                    r = list(base)
                    r[at], r[rid] = vmap[r[at]], new_id()
                    out[name].append(r)

        c = COLS[NOTICE]
        for base in rows[NOTICE]:
            r = list(base)
            notices[r[c["id"]]] = r[c["id"]] = new_id()
            region = r[c["region_code"]]
            r[c["region_code"]] = vmap[region] if len(region) == 12 else township
            out[NOTICE].append(r)
        c = COLS[OBJECTION]
        for base in rows[OBJECTION]:
            r = list(base)
            objections[r[c["id"]]] = r[c["id"]] = new_id()
            r[c["notice_id"]] = notices[r[c["notice_id"]]]
            r[c["household_id"]] = households[r[c["household_id"]]]
            out[OBJECTION].append(r)
        c = COLS[NOTICE_ENTRY]
        for base in rows[NOTICE_ENTRY]:
            r = list(base)
            r[c["id"]] = new_id()
            r[c["notice_id"]] = notices[r[c["notice_id"]]]
            r[c["household_id"]] = households[r[c["household_id"]]]
            out[NOTICE_ENTRY].append(r)

        old_short = f'"{_county_short(block.county)}扶贫〔'
        new_short = f'"{self.short}扶贫〔'
        for name in _BY_HOUSEHOLD:
            c = COLS[name]
            rid, hh = c["id"], c["household_id"]
            derive = _DERIVED_ID.get(name)
            year = c["year"] if derive else 0
            event = name == PROCEDURE_EVENT
            notice_at = c["notice_id"] if event else 0
            facts_at = c["facts"] if event else 0
            target = out[name]
            for base in rows[name]:
                r = list(base)
                hid = r[hh] = households[r[hh]]
                r[rid] = derived_id(derive, hid, r[year]) if derive else new_id()
                if event:
                    if r[notice_at]:
                        r[notice_at] = notices[r[notice_at]]
                    facts = r[facts_at]
                    if facts:
                        if '"objection": "' in facts:
                            loaded = json.loads(facts)
                            loaded["objection"] = objections[loaded["objection"]]
                            facts = json.dumps(loaded, ensure_ascii=False, sort_keys=True)
                        if old_short in facts:
                            facts = facts.replace(old_short, new_short)
                        r[facts_at] = facts
                target.append(r)

    def village_facts(self, villages: Sequence[str], created: str) -> None:
        c = COLS[VILLAGE_FACTS]
        for village in villages:
            for year in (2015, 2016):
                r: list[Any] = [None] * len(c.names)
                r[c["village_code"]], r[c["year"]] = village, year
                r[c["people_agricultural"]] = self.rng.randint(3000, 9000)
                r[c["id"]], r[c["deleted"]] = facts_id(village, year), 0
                r[c["created_at"]] = r[c["updated_at"]] = created
                self.out[VILLAGE_FACTS].append(r)


_shorts: dict[str, str] = {}


def _county_short(code: str) -> str:
    if code not in _shorts:
        d = sichuan().get(code)
        _shorts[code] = (d.name if d else "县")[:1]
    return _shorts[code]


def write_county(store: Store, blocks: dict[str, list[Block]], use: Iterator[int],
                 seed: int, user: str = "演示数据") -> CountyTotals:
    """Every township of the store's county derived from a block of its profile (`use`
    numbers the blocks' uses across the province: each use shifts birth dates
    differently) and written as it is made, all in one transaction: fresh revs, raw
    inserts, the members' search index written once at the end; one `demo` audit entry,
    as registry/demo writes for a batch of demo rows."""
    county = sichuan().get(store.info.region_code)
    assert county is not None and county.level == "county"
    rekey = _Rekey(county, random.Random(seed))
    pool = blocks[profile(county.code)]
    places = county_villages(county.code)
    totals = CountyTotals(county.code)
    with store.transaction() as s:
        conn = s.connection()
        with search_index.deferred(conn):
            for township, villages in places:
                n = next(use)
                block = pool[n % len(pool)]
                shift = (n // len(pool) * 97) % 361 - 180 or 181  # never the block's own
                start = time.perf_counter()
                rekey.township(block, township, villages, shift)
                totals.rekey_seconds += time.perf_counter() - start
                totals.records += _flush(s, rekey.out)
            created = pool[0].rows[HOUSEHOLD][0][COLS[HOUSEHOLD]["created_at"]]
            rekey.village_facts([v for _, vs in places for v in vs], created)
            totals.records += _flush(s, rekey.out)
            search_index.rebuild(conn)
        totals.households, totals.people = rekey.households, rekey.people
        audit.record(s, user, "demo", "household", None,
                     after={"households": totals.households, "people": totals.people,
                            "records": totals.records})
    return totals


def _flush(s: Session, out: dict[str, list[list[Any]]]) -> int:
    """Writes the rows made so far (fresh revs, in table order) and empties `out`."""
    count = sum(len(rows) for rows in out.values())
    rev = reserve_revs(s, count) if count else 0
    for name in WRITTEN:
        rows, at = out[name], COLS[name]["rev"]
        for r in rows:
            r[at] = rev
            rev += 1
        if rows:
            wire.insert_rows(s, name, COLS[name].names, [tuple(r) for r in rows])
        rows.clear()
    return count


def townships_of(codes: Sequence[str]) -> int:
    return sum(len(county_villages(c)) for c in codes)


def spread(count: int) -> list[Division]:
    """`count` of Sichuan's 183 counties, spread over its cities (every one when 183)."""
    counties = sorted(sichuan().counties(), key=lambda d: d.code)
    if count >= len(counties):
        return counties
    step = len(counties) / count
    return [counties[int(i * step)] for i in range(count)]
