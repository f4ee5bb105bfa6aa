"""Errors the user sees: every message is Chinese and says what to do."""

from __future__ import annotations


class UserError(Exception):
    """An expected refusal: its text is a Chinese message for the user and says what to do.
    Every package's refusals derive from it, so one function (registry.failures) can tell
    them from bugs."""


class StoreError(UserError):
    """Opening, unlocking or changing the store failed; nothing was written."""


class WrongPassword(StoreError):
    pass


class NotAStore(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class NotFound(StoreError):
    pass


class DuplicateIdNumber(StoreError):
    pass


class ProcedureRefused(UserError):
    """A step that cannot be recorded (skipped, repeated, wrong date, missing reason…);
    nothing was written. The message names the household and the missing step."""


class QuotaExceeded(ProcedureRefused):
    """Going over the county's 规模 needs an explicit override with a reason."""


class NotOwner(UserError):
    """A county may not change a station's household: its corrections travel as 退回."""
