"""Issue 2's figures: store open, the 20,000-household insert on SQLCipher against plain
SQLite doing the same work, demo generation, search latency at 20,000 and 200,000
households, peak memory.

Search latency is the time to the first screen of results: the matching households (a text
search stops at registry.search.SEARCH_CAP households, as in the desktop) plus the rows of the
first 50; the uncapped figure (every matching id, as the CLI lists them) is printed beside it.

"Plain SQLite" is the same SQLite build (sqlcipher3) with no key: the same engine, pragmas,
models and bulk insert, so the ratio is the price of encryption alone.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from benchmarks.common import figure, median, peak_rss_mb, percentile, section, timed
from registry import demo, search_index
from registry.derived import name_pinyin
from registry.models import Base, Counter, Member, Region
from registry.search import HouseholdFilter, find_households, household_ids, household_rows
from registry.store import Store
from registry.tracking import COUNTER

TOWNSHIP = "513431102"
PASSWORD = "bench-password"


def _villages(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Region.code).where(Region.level == "village")
                              .order_by(Region.code)))


def _plain_engine(path: Path) -> Any:
    engine = create_engine(f"sqlite+pysqlite:///{path}", module=sqlcipher3)

    @event.listens_for(engine, "connect", insert=True)
    def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL",
                       "cache_size = -65536", "temp_store = MEMORY"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        search_index.create(conn)  # the same triggers and index as a real store
    with Session(engine) as s, s.begin():
        s.add(Counter(name=COUNTER, value=0))
    return engine


def _insert_encrypted(workdir: Path, rows: demo.DemoRows, tag: str) -> float:
    store, _ = Store.create(workdir / f"enc-{tag}.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store, timed() as t, store.transaction() as s:
        demo.insert_rows(s, copy.deepcopy(rows))
    return t.seconds


def _insert_plain(workdir: Path, rows: demo.DemoRows, tag: str) -> float:
    engine = _plain_engine(workdir / f"plain-{tag}.db")
    with timed() as t, Session(engine) as s, s.begin():
        demo.insert_rows(s, copy.deepcopy(rows))
    engine.dispose()
    return t.seconds


def _queries(store: Store, n: int, seed: int) -> list[str]:
    """A clerk's mix: full names, surnames, initials, full pinyin, ID fragments, villages."""
    rng = random.Random(seed)
    with store.session() as s:
        people = s.execute(select(Member.name, Member.id_number).limit(5000)).all()
        villages = s.execute(select(Region.code, Region.name)
                             .where(Region.level == "village")).all()
    out: list[str] = []
    for i in range(n):
        name, number = rng.choice(people)
        full, initials = name_pinyin(name)
        kind = i % 7
        code, village = rng.choice(villages)
        out.append([name, name[0], initials, full, number[6:14], number[-6:],
                    code if i % 2 else village[:2]][kind])
    return out


def _search_latency(store: Store, queries: list[str], exact: bool = False
                    ) -> tuple[float, float]:
    """What a clerk waits for: the matching households (capped search as in the desktop,
    or every id with exact=True, as the CLI lists them) and the first screen of rows."""
    times = []
    with store.session() as s:
        find_households(s, HouseholdFilter(text="warm-up"))
        for q in queries:
            with timed() as t:
                f = HouseholdFilter(text=q)
                ids = household_ids(s, f) if exact else find_households(s, f).ids
                household_rows(s, ids[:50])
            times.append(t.seconds * 1000)
    return median(times), percentile(times, 95)


def _grow(store: Store, households: int, seed: int, chunk: int = 20000) -> None:
    villages = _villages(store)
    done = 0
    while done < households:
        n = min(chunk, households - done)
        rows = demo.build_rows(villages, store.info.county_code, n, seed + done,
                               known_groups={(v, g) for v in villages for g in range(1, 11)})
        with store.transaction() as s:
            demo.insert_rows(s, rows)
        done += n


def run(workdir: Path, quick: bool) -> None:
    n = 2000 if quick else 20000
    big = 20000 if quick else 200000
    section(f"加密数据库(SQLCipher):{n} 户")

    store, _ = Store.create(workdir / "demo.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store, timed() as t:
        demo.generate(store, n, seed=1)
    figure(f"生成演示数据 {n} 户(含成员、帮扶)", t.seconds, "s", "≤ 60 s (20,000 户)",
           t.seconds <= 60 * n / 20000)

    opens = []
    for _ in range(5):
        with timed() as t:
            Store.open(workdir / "demo.db", "admin", PASSWORD).close()
        opens.append(t.seconds * 1000)
    figure("打开数据库(含口令派生 scrypt)中位数", median(opens), "ms")

    with Store.open(workdir / "demo.db", "admin", PASSWORD) as opened:
        rows = demo.build_rows(_villages(opened), opened.info.county_code, n, seed=2)
    enc, plain = [], []
    for i in range(3):  # alternate, so neither side gets the warmer disk cache
        enc.append(_insert_encrypted(workdir, rows, str(i)))
        plain.append(_insert_plain(workdir, rows, str(i)))
    figure(f"写入 {n} 户 {len(rows.members)} 人:SQLCipher", median(enc), "s")
    figure(f"写入 {n} 户 {len(rows.members)} 人:不加密 SQLite", median(plain), "s")
    ratio = median(enc) / median(plain)
    figure("加密/不加密 耗时比", ratio, "×", "≤ 1.3", ratio <= 1.3)

    queries = _queries(Store.open(workdir / "demo.db", "admin", PASSWORD), 200, seed=3)
    with Store.open(workdir / "demo.db", "admin", PASSWORD) as opened:
        med, p95 = _search_latency(opened, queries)
        figure(f"搜索 200 次混合查询({n} 户)中位数", med, "ms")
        figure(f"搜索 200 次混合查询({n} 户)p95", p95, "ms", "≤ 50 ms", p95 <= 50)
        med, p95 = _search_latency(opened, queries, exact=True)
        figure("同上,返回全部匹配(不设上限)p95", p95, "ms")
    figure("峰值内存(到此为止)", peak_rss_mb(), "MB")

    section(f"县级规模:{big} 户")
    county, _ = Store.create(workdir / "big.db", kind="station", region_code=TOWNSHIP,
                             user="admin", password=PASSWORD)
    with county, timed() as t:
        _grow(county, big, seed=10)
    figure(f"建库 {big} 户", t.seconds, "s")
    with Store.open(workdir / "big.db", "admin", PASSWORD) as opened:
        queries = _queries(opened, 200, seed=4)
        med, p95 = _search_latency(opened, queries)
        figure(f"搜索 200 次混合查询({big} 户)中位数", med, "ms")
        figure(f"搜索 200 次混合查询({big} 户)p95", p95, "ms", "≤ 200 ms", p95 <= 200)
        med, p95 = _search_latency(opened, queries, exact=True)
        figure("同上,返回全部匹配(不设上限)中位数", med, "ms")
        figure("同上,返回全部匹配(不设上限)p95", p95, "ms")
    figure("峰值内存(全程)", peak_rss_mb(), "MB")
