"""Long work reports progress through one callback shape, so the CLI can print it and the
desktop can drive a progress dialog from its worker thread."""

from __future__ import annotations

from collections.abc import Callable

# progress(done, total) -> False asks the work to stop (it then raises Cancelled and
# rolls back: cancelling never leaves half a result).
Progress = Callable[[int, int], bool]


class Cancelled(Exception):
    pass


def no_progress(done: int, total: int) -> bool:
    return True
