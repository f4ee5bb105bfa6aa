"""村花名册 and 乡登记簿: every household and member of the store, read back from the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from registry.models import Household, Member
from registry.store import Store
from reports.pdf.data import ReportError
from reports.pdf.registers import INTERNAL, print_register, print_roster, register_columns
from tests.conftest import PASSWORD
from tests.reports.test_pdf_support import (
    assert_fonts_embedded,
    needs_poppler,
    page_size,
    page_texts,
    pdf_text,
    render,
)

pytestmark = needs_poppler


def _live_members(store: Store, village: str | None = None) -> list[tuple[str, str]]:
    with store.session() as s:
        q = (select(Member.name, Member.id_number).join(Household)
             .where(Household.deleted.is_(False), Member.deleted.is_(False),
                    Member.change_reason.is_(None)))
        if village:
            q = q.where(Household.village_code == village)
        return [(n, i) for n, i in s.execute(q).all()]


def _counts(store: Store, village: str | None = None) -> tuple[int, int]:
    with store.session() as s:
        q = select(func.count(), func.sum(Household.size)).where(Household.deleted.is_(False))
        if village:
            q = q.where(Household.village_code == village)
        households, people = s.execute(q).one()
    return int(households), int(people)


def _village(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(Household.village_code).group_by(Household.village_code)
                         .order_by(func.count().desc())).scalars().first() or ""


def test_roster_has_every_member_with_id_numbers_and_totals(demo_store: Store,
                                                            tmp_path: Path) -> None:
    village = _village(demo_store)
    out = tmp_path / "roster.pdf"
    with demo_store.session() as s:
        result = print_roster(s, village, out)
    households, people = _counts(demo_store, village)
    assert (result.households, result.members) == (households, people)
    width, height = page_size(out)
    assert width > height  # landscape
    pages = page_texts(out)
    assert len(pages) == result.pages >= 2
    for n, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert INTERNAL.replace(" ", "") in flat
        assert "身份证号码" in flat, f"第{n}页没有表头"
        assert f"第{n}页共{len(pages)}页" in flat
    text = pdf_text(out)
    members = _live_members(demo_store, village)
    assert len(members) == people
    for name, number in members:
        assert name in text and number in text
    flat = re.sub(r"\s+", "", text)
    assert re.search(rf"合计：{households}户{people}人", flat)
    # group subtotals add up to the village
    groups = [(int(h), int(p)) for h, p in re.findall(r"组小计：(\d+)户(\d+)人", flat)]
    assert sum(h for h, _ in groups) == households and sum(p for _, p in groups) == people
    for column in register_columns():  # narrow titles wrap in the middle: 村民 / 小组
        half = (len(column.title) + 1) // 2
        assert column.title[:half] in flat and column.title[half:] in flat
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == result.pages


def test_register_covers_the_township_with_village_totals(demo_store: Store,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "register.pdf"
    with demo_store.session() as s:
        result = print_register(s, out)
    households, people = _counts(demo_store)
    assert (result.households, result.members) == (households, people)
    text = pdf_text(out)
    flat = re.sub(r"\s+", "", text)
    village_totals = [(int(h), int(p)) for h, p in re.findall(r"村合计：(\d+)户(\d+)人", flat)]
    assert sum(h for h, _ in village_totals) == households
    assert sum(p for _, p in village_totals) == people
    assert re.search(rf"全乡合计{households}{people}", flat)
    numbers = {number for _, number in _live_members(demo_store)}
    assert numbers <= set(re.findall(r"\d{17}[\dX]", text))
    assert "竹核镇农户登记簿" in flat
    assert_fonts_embedded(out)


def test_roster_unknown_village(station: Store, tmp_path: Path) -> None:
    with station.session() as s, pytest.raises(ReportError, match="行政村"):
        print_roster(s, "513431102999", tmp_path / "x.pdf")
    with station.session() as s, pytest.raises(ReportError, match="没有可打印的农户"):
        print_roster(s, "513431102200", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_cli_roster_and_register(demo_store_path: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    with Store.open(demo_store_path, "admin", PASSWORD) as store:
        village = _village(store)
    assert main(["print", "roster", "--store", str(demo_store_path), "--village", village,
                 "--out", str(tmp_path / "r.pdf"), "--json"]) == 0
    assert '"pages"' in capsys.readouterr().out
    assert main(["print", "register", "--store", str(demo_store_path), "--paper", "A3",
                 "--out", str(tmp_path / "g.pdf")]) == 0
    width, height = page_size(tmp_path / "g.pdf")
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape
