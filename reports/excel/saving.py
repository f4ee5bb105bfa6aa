"""Saving a workbook so that a crash or a full USB stick never leaves half a file: write
a temporary file beside the target, fsync, then rename over it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl.workbook import Workbook

from registry.files import check_output_path


def save_atomic(wb: Workbook, path: Path) -> None:
    path = Path(path)
    check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
