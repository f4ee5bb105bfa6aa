"""Print jobs as the desktop's dialogs fill them in, printed from an open store: every kind
reaches its report with its options."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from registry import household_access as ha
from registry.procedure.notices import open_notice
from registry.procedure.record import Actor, record
from registry.procedure.steps import STEPS
from registry.store import Store
from reports.pdf.jobs import (
    HandbookJob,
    NoticeJob,
    RegisterJob,
    RosterJob,
    print_job,
    printable_notices,
)
from tests.registry.samples import VILLAGE, household, idn, members


def test_every_kind_of_job_prints(station: Store, tmp_path: Path) -> None:
    first = ha.save_household(station, household(), members())
    ha.save_household(station, household(group_no=5), [
        {"name": "王五", "id_number": idn("51343119700101003"), "relation": "01",
         "ethnicity": "07", "health": "1"}])
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    second = ha.save_household(station, household(group_no=3), [
        {"name": "赵六", "id_number": idn("51343119700101004"), "relation": "01",
         "ethnicity": "07", "health": "1"}])
    actor = Actor("admin", "admin")
    with station.transaction() as s:
        for key in ("evaluate", "verify"):
            record(s, actor, STEPS[key], [first, second], date.today())
        number = open_notice(s, actor, "first", VILLAGE, [first, second], date.today()).number
    offered = printable_notices(station)
    assert [p.job for p in offered] == [NoticeJob(number)]
    assert "尼日村第一次公示(共 2 户" in offered[0].label and "公示中" in offered[0].label
    jobs = {"notice": NoticeJob(number, paper="A3", phone="0834-8331234"),
            "roster": RosterJob(VILLAGE),
            "register": RegisterJob(paper="A4"),
            "handbook-one": HandbookJob(household_id=first),
            "handbook-village": HandbookJob(village_code=VILLAGE)}
    results = {name: print_job(station, job, tmp_path / f"{name}.pdf", progress)
               for name, job in jobs.items()}
    for name, result in results.items():
        assert result.path == tmp_path / f"{name}.pdf" and result.path.stat().st_size > 1000
        assert result.pages >= 1
    assert results["notice"].households == 2 and results["roster"].households == 3
    assert results["handbook-one"].households == 1
    assert results["handbook-village"].households == 3
    assert results["roster"].members == 4
    assert calls  # progress reached the reports
