"""Refusals of the sync, each with a Chinese message that says what happened."""

from __future__ import annotations

from registry.errors import StoreError


class SyncError(StoreError):
    """A bundle or enrollment file was refused; nothing was written."""


class BundleWaiting(SyncError):
    """The bundle is valid but earlier ones are missing: it is kept, not yet applied."""
