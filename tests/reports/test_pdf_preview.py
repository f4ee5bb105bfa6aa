"""Print preview (pypdfium2, no Qt), progress and cancelling, and the register's paging."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from registry.models import Household
from registry.progress import Cancelled
from registry.store import Store
from reports.pdf.registers import paginate, print_roster
from reports.preview import page_count, page_png, render_page, render_pages


def _village(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(Household.village_code).group_by(Household.village_code)
                         .order_by(func.count().desc())).scalars().first() or ""


@pytest.fixture(scope="module")
def roster(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import PASSWORD

    out = tmp_path_factory.mktemp("preview") / "roster.pdf"
    with Store.open(demo_store_path, "admin", PASSWORD) as store, store.session() as s:
        print_roster(s, _village(store), out)
    return out


def test_preview_renders_pages_to_images(roster: Path) -> None:
    pages = page_count(roster)
    assert pages >= 2 and page_count(roster.read_bytes()) == pages
    image = render_page(roster, 0, dpi=50)
    assert image.width > image.height  # landscape
    assert image.convert("L").getextrema()[0] < 100  # ink on the page
    png = page_png(roster.read_bytes(), pages - 1, dpi=40)
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert len(list(render_pages(roster, dpi=20))) == pages
    with pytest.raises(IndexError, match="没有第"):
        render_page(roster, pages)


def test_preview_can_be_cancelled(roster: Path) -> None:
    with pytest.raises(Cancelled):
        list(render_pages(roster, dpi=20, progress=lambda done, total: done < 1))


def test_printing_reports_progress_and_cancel_writes_nothing(demo_store: Store,
                                                             tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with demo_store.session() as s:
        print_roster(s, _village(demo_store), tmp_path / "ok.pdf",
                     progress=lambda d, t: seen.append((d, t)) or True)
    assert seen and seen[-1][0] == seen[-1][1]
    assert all(d <= t for d, t in seen)
    out = tmp_path / "cancelled.pdf"
    with demo_store.session() as s, pytest.raises(Cancelled):
        print_roster(s, _village(demo_store), out, progress=lambda d, t: d < 2)
    assert not out.exists() and not list(tmp_path.glob(".cancelled.pdf*"))


def test_paginate_keeps_households_whole() -> None:
    # households of 3, 4, 2 rows (10 pt each), header 10, room 60 → 5 rows a page
    heights = [10.0] * 9
    starts = {0, 3, 7}
    assert paginate(heights, starts, 10, 60) == [(0, 3), (3, 7), (7, 9)]
    # a household taller than a page is split rather than lost
    assert paginate([10.0] * 12, {0}, 10, 60) == [(0, 5), (5, 10), (10, 12)]
    assert paginate([], set(), 10, 60) == [(0, 0)]
