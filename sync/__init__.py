"""Sync between a township station and its county: keys and enrollment, signed and
encrypted bundles on USB, the county's all-or-nothing merge, duplicates, return bundles.
Qt-free; the bundle format is described in sync/FORMAT.md."""
