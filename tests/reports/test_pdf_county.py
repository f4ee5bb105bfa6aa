"""The county's registers, one township at a time under that township's name, and the
county summary: every figure recounted from the households."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from registry.models import Household
from registry.regions import sichuan
from registry.store import Store
from reports.pdf.county_summary import county_counts, print_county_summary
from reports.pdf.data import ReportError
from reports.pdf.registers import print_register
from sync.demo_county import DEMO_PASSWORD, DEMO_USER
from tests.reports.test_pdf_support import assert_fonts_embedded, needs_poppler, pdf_text

pytestmark = needs_poppler


@pytest.fixture
def county(demo_county_dir: Path) -> Store:
    return Store.open(demo_county_dir / "county.db", DEMO_USER, DEMO_PASSWORD)


def test_a_county_register_is_one_townships_under_its_name(county: Store,
                                                          tmp_path: Path) -> None:
    with county, county.session() as s:
        townships = dict(s.execute(
            select(func.substr(Household.village_code, 1, 9), func.count())
            .group_by(func.substr(Household.village_code, 1, 9))).all())
        with pytest.raises(ReportError, match="按乡镇打印"):
            print_register(s, tmp_path / "all.pdf")
        for code, households in townships.items():
            out = tmp_path / f"{code}.pdf"
            result = print_register(s, out, township=code)
            assert result.households == households
            division = sichuan().get(code)
            assert division is not None
            text = pdf_text(out)
            assert f"{division.name}农户登记簿" in text
            others = [sichuan().get(c) for c in townships if c != code]
            assert not any(f"{o.name}农户登记簿" in text for o in others if o)
        with pytest.raises(ReportError, match="没有乡镇"):
            print_register(s, tmp_path / "x.pdf", township="511921999")


def test_the_county_summary_recounts(county: Store, tmp_path: Path) -> None:
    with county, county.session() as s:
        rows = county_counts(s)
        for r in rows:
            live = (Household.deleted.is_(False),
                    Household.village_code.startswith(r.code))
            households, people = s.execute(select(func.count(), func.sum(Household.size))
                                           .where(*live)).one()
            assert (r.households, r.people) == (households, people)
            assert sum(r.by_stage.values()) == households
            assert sum(h for h, _ in r.by_status.values()) == households
            exited = dict(s.execute(select(Household.exit_year, func.count())
                                    .where(*live, Household.exit_year.is_not(None))
                                    .group_by(Household.exit_year)).all())
            assert r.exits == exited
        out = tmp_path / "summary.pdf"
        result = print_county_summary(s, out, county_name=county.info.region_name,
                                      year=2026)
    assert result.pages == 1 and result.households == sum(r.households for r in rows)
    assert_fonts_embedded(out)
    text = pdf_text(out)
    assert "通江县精准扶贫建档立卡汇总表" in text and "全县合计" in text
    for r in rows:
        assert r.name in text


def test_cli_register_at_a_county_and_the_summary(
        demo_county_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("FUPIN_USER", DEMO_USER)
    store = str(demo_county_dir / "county.db")
    assert main(["print", "register", "--store", store, "--out", str(tmp_path / "a.pdf")]) == 1
    assert "--township" in capsys.readouterr().err
    assert main(["print", "register", "--store", store, "--township", "12",
                 "--out", str(tmp_path / "a.pdf")]) == 1
    assert "9位数字" in capsys.readouterr().err
    assert main(["print", "county-summary", "--store", store, "--out",
                 str(tmp_path / "s.pdf")]) == 0
    assert "已生成" in capsys.readouterr().out
    station = str(next(demo_county_dir.glob("station-*.db")))
    assert main(["print", "county-summary", "--store", station, "--out",
                 str(tmp_path / "t.pdf")]) == 1
    assert "县扶贫办数据库" in capsys.readouterr().err


def test_the_print_job_of_a_county_names_the_township(county: Store, tmp_path: Path) -> None:
    """The desktop's job: a county register of one township."""
    from reports.pdf.jobs import RegisterJob, print_job

    with county:
        with county.session() as s:
            code = s.scalars(select(func.substr(Household.village_code, 1, 9))).first()
        assert code is not None
        out = tmp_path / "job.pdf"
        result = print_job(county, RegisterJob(township=code), out)
        division = sichuan().get(code)
        assert division is not None and result.pages >= 1
        assert f"{division.name}农户登记簿" in pdf_text(out, 1, 1)
