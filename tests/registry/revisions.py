"""Throwaway Alembic revisions for tests: a folder with a revision after the real head
(NEXT, then AFTER_NEXT), added to the places registry.migrations reads revisions from."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from registry import migrations

ADD_COLUMN = 'op.add_column("household", sa.Column("test_marker", sa.Text(), nullable=True))'
HEAD = migrations.SCHEMA_VERSION  # this program's schema; NEXT is the throwaway one after it
NEXT, AFTER_NEXT = f"{HEAD + 1:04d}", f"{HEAD + 2:04d}"
FAILING = 'op.create_table("half_done", sa.Column("x", sa.Integer()))\nraise RuntimeError("boom")'


def add_revision(folder: Path, monkeypatch: pytest.MonkeyPatch, body: str,
                 revision: str = NEXT, down_revision: str = f"{HEAD:04d}") -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{revision}_test.py").write_text(
        f'"""A test revision."""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down_revision!r}\n\n\n"
        f"def upgrade():\n{textwrap.indent(body, '    ')}\n\n\n"
        "def downgrade():\n    pass\n", encoding="utf-8")
    if folder not in migrations.VERSION_LOCATIONS:
        monkeypatch.setattr(migrations, "VERSION_LOCATIONS",
                            (*migrations.VERSION_LOCATIONS, folder))
