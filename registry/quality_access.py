"""数据质量核查 for the desktop (and anyone holding an open store): the scopes a store may
check and the check itself, each call one short session of its own. Callers hold no session
and write no SQL; the result is registry.quality's QualityReport, which reports/ writes as
Excel or PDF.

    scopes(store)                       # [Scope("513431102", "某某乡", "township"), …]
    quality_report(store, "513431102201", progress)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forms import quality as q
from registry import quality
from registry.models import Region
from registry.progress import Cancelled, Progress
from registry.quality import QualityReport
from registry.store import Store


@dataclass(frozen=True)
class Scope:
    code: str
    name: str
    level: str  # county township village


def scopes(store: Store) -> list[Scope]:
    """What a check may cover: at a station its township, then each village; at a county
    the county, then each township."""
    info = store.info
    below = "township" if info.office else "village"
    with store.session() as s:
        own = s.scalar(select(Region.name).where(Region.code == info.region_code,
                                                 Region.deleted.is_(False)))
        rows = s.execute(select(Region.code, Region.name).where(
            Region.level == below, Region.deleted.is_(False),
            Region.code.startswith(info.region_code, autoescape=True)).order_by(Region.code))
        found = [Scope(code, name, below) for code, name in rows]
    top = "county" if info.office else "township"
    return [Scope(info.region_code, own or info.region_name, top), *found]


def quality_report(store: Store, region_code: str | None,
                   progress: Progress | None = None) -> QualityReport:
    """Every rule over the households of `region_code` (a village, township or county),
    rule by rule so `progress(done, total)` moves and can cancel (nothing is written)."""
    keys = [r.key for r in q.RULES]
    order = {k: i for i, k in enumerate(keys)}
    report: QualityReport | None = None
    with store.session() as s:
        for i, key in enumerate(keys):
            if progress is not None and not progress(i, len(keys)):
                raise Cancelled("已取消数据质量核查")
            part = quality.check(s, region_code, rules=[key])
            if report is None:
                report = part
            else:
                report.problems += part.problems
    assert report is not None
    if progress is not None:
        progress(len(keys), len(keys))
    report.problems.sort(key=lambda p: (p.village_code, order[p.rule], p.head_name,
                                        p.household_id))
    return report
