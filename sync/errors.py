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

    def __init__(self, message: str, station: str, fingerprint: str,
                 registered: tuple[str, ...] = ()):
        super().__init__(message)
        self.station = station
        self.fingerprint = fingerprint  # the request's, which the county must confirm
        self.registered = registered  # the station's active key(s) the county holds


class CountyKeyReplacementNeeded(SyncError):
    """The county's answer at a station that already trusts another county key: refused
    unless the station confirms the answer's fingerprint (compared by phone), since an
    impostor's answer would have the station encrypt its bundles to the impostor. Nothing
    was written."""

    def __init__(self, message: str, county: str, fingerprint: str,
                 registered: tuple[str, ...] = ()):
        super().__init__(message)
        self.county = county
        self.fingerprint = fingerprint  # the answer's, which the station must confirm
        self.registered = registered  # the county key(s) the station trusts now
