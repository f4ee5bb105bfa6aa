"""The program's log: a rotating file in the user's data folder, shared by the app and the
CLI. What goes in is written by registry.failures and holds no personal data; a machine
where the folder cannot be made still runs, without a log file.

    FUPIN_LOG_DIR overrides the folder (tests, a portable install on a USB stick).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

LOG_DIR_ENV = "FUPIN_LOG_DIR"
LOG_FILE = "fupin.log"
MAX_BYTES = 1 << 20  # five files of 1 MiB: months of an office's errors, never a full disk
BACKUPS = 5

_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_handlers: list[logging.Handler] = []


def log_dir() -> Path:
    """Where the log lives: %LOCALAPPDATA%\\fupin\\logs on Windows, the XDG state folder
    elsewhere (~/.local/state/fupin/logs)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "fupin" / "logs"


def log_path() -> Path:
    return log_dir() / LOG_FILE


def _log_unraisable(args: sys.UnraisableHookArgs) -> None:
    # An exception Python cannot raise (in a finalizer or a generator closed late) would
    # print a traceback on stderr: into the log instead, without its message.
    from registry.failures import safe_details

    if args.exc_value is not None:
        logging.getLogger("fupin").warning("ignored in %s\n%s", type(args.object).__name__,
                                           safe_details(args.exc_value))


def setup(verbose: bool = False) -> Path | None:
    """Sends the `fupin` loggers to the rotating file (again after a change of folder);
    `verbose` also writes DEBUG and up to stderr. Returns the file, or None without one."""
    root = logging.getLogger("fupin")
    for old in _handlers:
        root.removeHandler(old)
        old.close()
    _handlers.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    path: Path | None = log_path()
    handler: logging.Handler
    try:
        log_path().parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_path(), maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        path, handler = None, logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    _handlers.append(handler)
    if verbose and sys.stderr is not None:  # a windowed build has no stderr
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        _handlers.append(console)
    for h in _handlers:
        root.addHandler(h)
    sys.unraisablehook = _log_unraisable
    return path
