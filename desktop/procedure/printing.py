"""Printing what the procedure recorded, through the 打印 menu's own path (PrintActions:
the job built in the DB worker, then the print preview): a notice's poster from the notice
(listing exactly its households) and the county's 公告 from its 文号.

TODO(i9-print): reports/ is changing NoticeJob to `NoticeJob(number, paper, phone,
address)` and adding `AnnouncementJob(ref, …)`. Until that is merged, `notice_job` and
`announcement_job` return None and the app says the poster can be printed from the 打印
menu; once the fields exist they are used as they are, with no change here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.main_window import MainWindow
from reports.pdf import jobs

LATER = ("本版本暂不能从这里直接打印该公示。请在“打印 → 公示/公告…”中打印;"
         "公示编号已记录,海报只列出公示上的农户。")


def _fields(cls: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()


def notice_job(number: str, paper: str = "A4", phone: str = "", address: str = ""
               ) -> Any | None:
    """The print job of notice `number`, or None while reports/ has no such job."""
    cls = getattr(jobs, "NoticeJob", None)
    if "number" not in _fields(cls):
        return None
    kw = {"number": number, "paper": paper, "phone": phone, "address": address}
    return cls(**{k: v for k, v in kw.items() if k in _fields(cls)})  # type: ignore[misc]


def announcement_job(ref: str, paper: str = "A4") -> Any | None:
    cls = getattr(jobs, "AnnouncementJob", None)
    if "ref" not in _fields(cls):
        return None
    kw = {"ref": ref, "paper": paper}
    return cls(**{k: v for k, v in kw.items() if k in _fields(cls)})  # type: ignore[misc]


def print_job(window: MainWindow, title: str, job: Any | None, parent: QWidget) -> bool:
    """Runs `job` through the 打印 menu's flow (worker → preview); False (and a message)
    when there is no job yet (see the TODO above)."""
    from desktop.printing.actions import PrintActions

    actions = window.findChild(PrintActions)
    if job is None or actions is None:
        QMessageBox.information(parent, title, LATER)
        return False
    actions.generate(title, job)
    return True
