"""The whole schema in one metadata. Each model module adds its tables to Base.metadata
when imported; importing them all here is what makes the metadata complete, so create_all,
the migrations and the drift test take `metadata` from this module, never from one model
module."""

from __future__ import annotations

from registry import models, sync_state  # noqa: F401  (imported for their tables)
from registry.base import Base
from registry.procedure import tables  # noqa: F401

metadata = Base.metadata
