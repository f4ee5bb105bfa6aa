"""Printing what the procedure recorded, through the 打印 menu's own path (PrintActions:
the job built in the DB worker, then the print preview): a notice's poster from the notice
(listing exactly its households; a 退出公示 too, by its number) and the county's 公告 or
退出公告 from its 文号."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.main_window import MainWindow

if TYPE_CHECKING:  # reports.pdf (and reportlab) load when something is printed
    from reports.pdf.jobs import AnnouncementJob, ExitAnnouncementJob, NoticeJob, PrintJob

NO_PRINTING = "打印功能未加载,请从“打印 → 公示/公告…”中打印。"


def notice_job(number: str, paper: str = "A4", phone: str = "", address: str = ""
               ) -> NoticeJob:
    from reports.pdf.jobs import NoticeJob

    return NoticeJob(number=number, paper=paper, phone=phone, address=address)


def announcement_job(ref: str, paper: str = "A4") -> AnnouncementJob:
    from reports.pdf.jobs import AnnouncementJob

    return AnnouncementJob(ref=ref, paper=paper)


def exit_announcement_job(ref: str, paper: str = "A4") -> ExitAnnouncementJob:
    from reports.pdf.jobs import ExitAnnouncementJob

    return ExitAnnouncementJob(ref=ref, paper=paper)


def print_job(window: MainWindow, title: str, job: PrintJob, parent: QWidget) -> bool:
    """Runs `job` through the 打印 menu's flow (worker → preview)."""
    from desktop.printing.actions import PrintActions

    actions = window.findChild(PrintActions)
    if actions is None:
        QMessageBox.information(parent, title, NO_PRINTING)
        return False
    actions.generate(title, job)
    return True
