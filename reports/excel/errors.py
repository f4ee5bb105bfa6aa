"""The refusal of a file that cannot be imported as it is. Its own module because the
opening (book.py), the row reader (sheetxml.py) and the import all raise it."""

from __future__ import annotations

from registry.errors import UserError


class WorkbookError(UserError, ValueError):
    """The file cannot be imported as it is; the message says why, in Chinese."""
