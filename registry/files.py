"""Writing files so that a crash or a pulled USB stick never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from registry.errors import UserError


class BadOutputPath(UserError):
    """The output path names a folder, or a folder that does not exist."""


def check_output_path(path: Path) -> None:
    """Refuses, before any work, an output path that cannot become a file."""
    if path.is_dir():
        raise BadOutputPath(f"输出路径是一个文件夹,请给出文件名:{path}")
    if not path.parent.is_dir():
        raise BadOutputPath(f"输出文件夹不存在:{path.parent}")


def write_atomic(path: Path, data: bytes) -> None:
    """temp file in the same folder + fsync + rename: the old file or the new, never half."""
    path = Path(path)
    check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
