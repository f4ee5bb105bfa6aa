"""Refusals of the sync, each with a Chinese message that says what happened."""

from __future__ import annotations

from registry.errors import StoreError


class SyncError(StoreError):
    """A bundle or enrollment file was refused; nothing was written."""


class BundleWaiting(SyncError):
    """The bundle is valid but earlier ones are missing: it is kept, not yet applied."""


class NewerProgram(SyncError):
    """The bundle was written by a newer program (a newer bundle format or schema): refused
    before anything is written; the message says to upgrade this program."""


class KeyReplacementNeeded(SyncError):
    """An enrollment request for a station already enrolled with another key: refused
    unless the county confirms the replacement with the new fingerprint (compared by
    phone). Nothing was written."""

    def __init__(self, message: str, station: str, fingerprint: str):
        super().__init__(message)
        self.station = station
        self.fingerprint = fingerprint  # the request's, which the county must confirm
