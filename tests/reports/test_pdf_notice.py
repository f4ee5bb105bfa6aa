"""公示/公告 posters: rendered with poppler and read back against the store."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry.households import save_household
from registry.models import Household, Member
from registry.store import Store
from reports.pdf import notice
from reports.pdf.data import ReportError
from reports.pdf.notice import KINDS, notice_columns, print_notice
from reports.pdf.tables import PrivateField, public_only
from tests.conftest import PASSWORD
from tests.reports.test_pdf_support import (
    assert_fonts_embedded,
    head,
    household,
    idn,
    needs_poppler,
    page_size,
    page_texts,
    pdf_info,
    pdf_text,
    render,
)

pytestmark = needs_poppler


def _biggest_village(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(Household.village_code).where(Household.deleted.is_(False))
                         .group_by(Household.village_code)
                         .order_by(func.count().desc())).scalars().first() or ""


def _private_values(store: Store, village: str) -> list[str]:
    """Every ID number, phone and bank account of the village: none may be on a poster."""
    with store.session() as s:
        ids = list(s.execute(select(Member.id_number).join(Household)
                             .where(Household.village_code == village)).scalars())
        hh = s.execute(select(Household.phone, Household.bank_account)
                       .where(Household.village_code == village)).all()
    return ids + [v for row in hh for v in row if v]


def test_first_notice_lists_the_households_at_that_step(station: Store, tmp_path: Path
                                                        ) -> None:
    village = "513431102200"
    with station.transaction() as s:
        save_household(s, "admin", household(village, "30", group_no=1),
                       [head("马国强", "011")])
        save_household(s, "admin", household(village, "30", group_no=2, attribute="2",
                                             main_cause="07"),
                       [head("阿苏木呷", "021"),
                        {"name": "吉克阿依", "id_number": idn("51343119720305002"),
                         "relation": "02", "ethnicity": "07", "health": "3"}])
        save_household(s, "admin", household(village, "80"), [head("不该出现", "031")])
    out = tmp_path / "first.pdf"
    with station.session() as s:
        result = print_notice(s, village, "first", out, phone="0834-8331234",
                              address="竹核镇人民政府扶贫工作站", start=date(2016, 3, 1))
    assert (result.households, result.members, result.pages) == (2, 3, 1)
    text = pdf_text(out)
    flat = re.sub(r"\s+", "", text)
    assert "竹核镇尼日村建档立卡贫困户第一次公示" in flat
    assert "马国强" in text and "阿苏木呷" in text and "不该出现" not in text
    assert "共2户3人" in flat
    assert "低保贫困户" in text and "缺技术" in text  # labels from the code lists
    assert "2016年3月1日至2016年3月7日" in flat  # seven days, inclusive
    assert "0834-8331234" in text and "竹核镇人民政府扶贫工作站" in text
    assert "尼日村村民委员会（盖章）" in flat
    assert "第1页共1页" in flat
    for column in notice_columns():
        assert column.title in flat
    # never an ID number, phone, bank account or health detail
    for secret in _private_values(station, village):
        assert secret not in flat
    assert "患有大病" not in text and not re.search(r"\d{15,}", flat)
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == 1


def test_long_list_repeats_the_header_and_numbers_pages(demo_store: Store, tmp_path: Path
                                                        ) -> None:
    village = _biggest_village(demo_store)
    out = tmp_path / "all.pdf"
    with demo_store.session() as s:
        result = print_notice(s, village, "second", out, include_all=True)
        expected = s.execute(select(func.count(), func.sum(Household.size))
                             .where(Household.village_code == village,
                                    Household.deleted.is_(False))).one()
    assert (result.households, result.members) == tuple(expected)
    assert result.pages >= 2 and pdf_info(out)["Pages"] == str(result.pages)
    pages = page_texts(out)
    assert len(pages) == result.pages
    for n, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert "户主姓名" in flat and "家庭人口数" in flat, f"第{n}页没有表头"
        assert f"第{n}页共{result.pages}页" in flat
    flat = re.sub(r"\s+", "", pdf_text(out))
    assert f"合计{expected[0]}户{expected[1]}" in flat
    assert "人民政府（盖章）" in flat
    # the last household number is the count: nothing lost between pages
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\s+\d+组", pdf_text(out), re.M)]
    assert numbers == list(range(1, expected[0] + 1))
    for secret in _private_values(demo_store, village):
        assert secret not in flat
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == result.pages


def test_announcement_on_a3(demo_store: Store, tmp_path: Path) -> None:
    village = _biggest_village(demo_store)
    out = tmp_path / "a3.pdf"
    with demo_store.session() as s:
        print_notice(s, village, "announcement", out, include_all=True, paper="A3", days=5)
    width, height = page_size(out)
    assert round(width) == 842 and round(height) == 1191  # A3 portrait, points
    flat = re.sub(r"\s+", "", pdf_text(out))
    assert "昭觉县建档立卡贫困户公告" in flat and "昭觉县扶贫开发领导小组办公室（盖章）" in flat
    assert "共5天" in flat


def test_nothing_at_that_step_is_refused_and_writes_nothing(station: Store, tmp_path: Path
                                                            ) -> None:
    out = tmp_path / "none.pdf"
    with station.session() as s, pytest.raises(ReportError, match="第一次公示"):
        print_notice(s, "513431102200", "first", out)
    assert not out.exists()
    with station.session() as s, pytest.raises(ReportError, match="天"):
        print_notice(s, "513431102200", "first", out, days=0)
    with station.session() as s, pytest.raises(ReportError, match="行政村"):
        print_notice(s, "513431999999", "first", out)


def test_stages_of_the_three_kinds() -> None:
    assert {k: KINDS[k].stage for k in KINDS} == {"first": "30", "second": "50",
                                                    "announcement": "70"}
    assert cl.STAGE.label_of("30") == "第一次公示" and cl.STAGE.label_of("70") == "公告"


def test_private_fields_can_never_reach_a_poster(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.field is None or c.field.public for c in notice_columns())
    with pytest.raises(PrivateField, match="身份证号码"):
        public_only([MEMBER_FORM["name"], MEMBER_FORM["id_number"]])
    for name in ("phone", "bank_account"):
        monkeypatch.setattr(notice, "NOTICE_FIELDS", (*notice.NOTICE_FIELDS, name))
        with pytest.raises(PrivateField, match=HOUSEHOLD_FORM[name].label):
            notice_columns()
    with pytest.raises(PrivateField, match="健康状况"):
        public_only([MEMBER_FORM["health"]])


def test_cli_notice(demo_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    with Store.open(demo_store_path, "admin", PASSWORD) as store:
        village = _biggest_village(store)
    out = tmp_path / "cli.pdf"
    code = main(["print", "notice", "--store", str(demo_store_path), "--village", village,
                 "--kind", "first", "--all", "--out", str(out), "--start", "2016-04-01",
                 "--days", "7", "--phone", "0834-1234567", "--address", "竹核镇扶贫站"])
    assert code == 0 and out.exists()
    assert "已生成" in capsys.readouterr().out
    assert "2016年4月7日" in re.sub(r"\s+", "", pdf_text(out))
    code = main(["print", "notice", "--store", str(demo_store_path), "--village",
                 "513431102999", "--kind", "first", "--out", str(tmp_path / "x.pdf")])
    assert code == 1 and "行政村" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
