"""What to print, as data, and printing it from an open store in a session of its own. The
desktop's print dialogs fill in a job; the DB worker runs `print_job(store, job, out)`.

    print_job(store, RosterJob("513431102201", paper="A3"), out, progress=p)
    print_job(store, NoticeJob("2026-003"), out)          # a notice, by its number
    print_job(county, AnnouncementJob("昭扶贫〔2026〕8号"), out)  # the county's 公告
    print_job(store, ExitAnnouncementJob("昭扶贫〔2026〕30号"), out)  # 退出公告
    print_job(store, HelperRosterJob("513431102201"), out)  # 帮扶责任人名单

A 退出公示 is a NoticeJob like the others (its number, from `notice list`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.procedure import county
from registry.procedure.notices import NoticeInfo, list_notices
from registry.progress import Progress
from registry.store import Store
from reports.pdf.exits import print_exit_announcement
from reports.pdf.handbook import print_handbook
from reports.pdf.helper_roster import print_helper_roster
from reports.pdf.layout import PrintResult
from reports.pdf.notice import print_announcement, print_notice_record
from reports.pdf.registers import print_register, print_roster


@dataclass(frozen=True)
class NoticeJob:
    """The poster of a recorded notice (第一次/第二次公示), by its number (2026-003)."""

    number: str
    paper: str = "A4"
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class AnnouncementJob:
    """The county's 公告 of the households announced under a 文号."""

    ref: str
    paper: str = "A4"
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class RosterJob:
    """村花名册 of one village."""

    village_code: str
    paper: str = "A4"


@dataclass(frozen=True)
class RegisterJob:
    """乡登记簿 of the whole station; at a county, of one township (its 9-digit code)."""

    paper: str = "A4"
    township: str | None = None


@dataclass(frozen=True)
class HandbookJob:
    """扶贫手册 of one household, or of every household of a village (one of the two)."""

    household_id: str | None = None
    village_code: str | None = None


@dataclass(frozen=True)
class ExitAnnouncementJob:
    """The county's 退出公告 under a 文号 (reports/pdf/exits.py)."""

    ref: str
    paper: str = "A4"
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class HelperRosterJob:
    """村帮扶责任人名单 of one village."""

    village_code: str


PrintJob = (NoticeJob | AnnouncementJob | RosterJob | RegisterJob | HandbookJob
            | ExitAnnouncementJob | HelperRosterJob)


@dataclass(frozen=True)
class Printable:
    """A notice or 公告 the 打印 menu offers: its job and how the list shows it."""

    job: NoticeJob | AnnouncementJob
    label: str


def printable_notices(store: Store) -> list[Printable]:
    """At a station its notices, newest first; at the county the 文号 already announced."""
    today = date.today()
    with store.session() as s:
        if store.info.kind == "county":
            return [Printable(AnnouncementJob(ref), f"公告 {ref}(共 {n} 户)")
                    for ref, n, announced in county.refs(s) if announced]
        return [Printable(NoticeJob(n.number),
                          f"{n.number} {n.title}(共 {n.households} 户,"
                          f"{n.start_date:%Y-%m-%d}至{n.end_date:%Y-%m-%d}"
                          f"{_state(n, today)})")
                for n in list_notices(s, today=today)]


def _state(n: NoticeInfo, today: date) -> str:
    if n.closed_on is not None:
        return ""
    return ",公示期已满,待结束" if n.due(today) else ",公示中"


def print_job(store: Store, job: PrintJob, out: Path, progress: Progress | None = None
              ) -> PrintResult:
    with store.session() as s:
        if isinstance(job, NoticeJob):
            return print_notice_record(s, job.number, out, paper=job.paper, phone=job.phone,
                                       address=job.address, progress=progress)
        if isinstance(job, AnnouncementJob):
            return print_announcement(s, job.ref, out, paper=job.paper, phone=job.phone,
                                      address=job.address, progress=progress)
        if isinstance(job, RosterJob):
            return print_roster(s, job.village_code, out, paper=job.paper, progress=progress)
        if isinstance(job, RegisterJob):
            return print_register(s, out, paper=job.paper, progress=progress,
                                  township=job.township)
        if isinstance(job, ExitAnnouncementJob):
            return print_exit_announcement(s, job.ref, out, paper=job.paper, phone=job.phone,
                                           address=job.address, progress=progress)
        if isinstance(job, HelperRosterJob):
            return print_helper_roster(s, job.village_code, out, progress=progress)
        return print_handbook(s, out, household_id=job.household_id,
                              village_code=job.village_code, progress=progress)
