"""What to print, as data, and printing it from an open store in a session of its own. The
desktop's print dialogs fill in a job; the DB worker runs `print_job(store, job, out)`.

    print_job(store, RosterJob("513431102201", paper="A3"), out, progress=p)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.progress import Progress
from registry.store import Store
from reports.pdf.handbook import print_handbook
from reports.pdf.layout import PrintResult
from reports.pdf.notice import DEFAULT_DAYS, print_notice
from reports.pdf.registers import print_register, print_roster


@dataclass(frozen=True)
class NoticeJob:
    """公示/公告 of one village (see reports.pdf.notice.print_notice)."""

    village_code: str
    kind: str
    include_all: bool = False
    paper: str = "A4"
    phone: str = ""
    address: str = ""
    start: date | None = None
    days: int = DEFAULT_DAYS


@dataclass(frozen=True)
class RosterJob:
    """村花名册 of one village."""

    village_code: str
    paper: str = "A4"


@dataclass(frozen=True)
class RegisterJob:
    """乡登记簿 of the whole station."""

    paper: str = "A4"


@dataclass(frozen=True)
class HandbookJob:
    """扶贫手册 of one household, or of every household of a village (one of the two)."""

    household_id: str | None = None
    village_code: str | None = None


PrintJob = NoticeJob | RosterJob | RegisterJob | HandbookJob


def print_job(store: Store, job: PrintJob, out: Path, progress: Progress | None = None
              ) -> PrintResult:
    with store.session() as s:
        if isinstance(job, NoticeJob):
            return print_notice(s, job.village_code, job.kind, out,
                                include_all=job.include_all, paper=job.paper, phone=job.phone,
                                address=job.address, start=job.start, days=job.days,
                                progress=progress)
        if isinstance(job, RosterJob):
            return print_roster(s, job.village_code, out, paper=job.paper, progress=progress)
        if isinstance(job, RegisterJob):
            return print_register(s, out, paper=job.paper, progress=progress)
        return print_handbook(s, out, household_id=job.household_id,
                              village_code=job.village_code, progress=progress)
