"""公示/公告 posters printed from their records, rendered with poppler and read back: a
notice lists exactly the households on it (never a village's whole list), with its number
and period; the second notice groups by village; the county's 公告 lists the households
announced under its 文号, by township and village. Nothing private on any of them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import main
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry.errors import UserError
from registry.households import save_household
from registry.models import Household, Member, ProcedureEvent, Region
from registry.procedure import county
from registry.procedure.notices import list_notices, notice_households, open_notice
from registry.procedure.record import Actor, record
from registry.procedure.steps import STEPS
from registry.store import Store
from registry.tracking import bulk_insert
from reports.pdf import notice
from reports.pdf.data import ReportError
from reports.pdf.notice import notice_columns, print_announcement, print_notice_record
from reports.pdf.tables import PrivateField, public_only
from tests.conftest import COUNTY, PASSWORD
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
VILLAGE = "513431102200"  # 尼日村
OTHER_VILLAGE = "513431102201"
REVIEWER = Actor("admin", "admin")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _private_values(store: Store, ids: list[str]) -> list[str]:
    """Every ID number, phone and bank account of these households: none may be printed."""
    with store.session() as s:
        numbers = list(s.scalars(select(Member.id_number).where(Member.household_id.in_(ids))))
        hh = s.execute(select(Household.phone, Household.bank_account)
                       .where(Household.id.in_(ids))).all()
    return numbers + [v for row in hh for v in row if v]


def _verified(s: object, ids: list[str]) -> None:
    for key in ("evaluate", "verify"):
        record(s, REVIEWER, STEPS[key], ids, date(2016, 2, 20))  # type: ignore[arg-type]


def test_first_notice_lists_exactly_the_households_on_it(station: Store, tmp_path: Path
                                                          ) -> None:
    with station.transaction() as s:
        a = save_household(s, "admin", household(VILLAGE, group_no=1), [head("马国强", "011")],
                           applied_on=date(2016, 2, 1)).id
        b = save_household(s, "admin", household(VILLAGE, group_no=2, attribute="2",
                                                 main_cause="07"),
                           [head("阿苏木呷", "021"),
                            {"name": "吉克阿依", "id_number": idn("51343119720305002"),
                             "relation": "02", "ethnicity": "07", "health": "3"}],
                           applied_on=date(2016, 2, 1)).id
        # verified too, in the same village, but not put on this notice
        c = save_household(s, "admin", household(VILLAGE), [head("不该出现", "031")],
                           applied_on=date(2016, 2, 1)).id
        _verified(s, [a, b, c])
        number = open_notice(s, REVIEWER, "first", VILLAGE, [a, b], date(2016, 3, 1)).number
    out = tmp_path / "first.pdf"
    with station.session() as s:
        result = print_notice_record(s, number, out, phone="0834-8331234",
                                     address="竹核镇人民政府扶贫工作站")
    assert (result.households, result.members, result.pages) == (2, 3, 1)
    text = pdf_text(out)
    flat = _flat(text)
    assert "竹核镇尼日村建档立卡贫困户第一次公示" in flat
    assert f"公示编号：{number}" in flat and number == "2016-001"
    assert "马国强" in text and "阿苏木呷" in text and "不该出现" not in text
    assert "共2户3人" in flat
    assert "低保贫困户" in text and "缺技术" in text  # labels from the code lists
    assert "2016年3月1日至2016年3月7日（共7天）" in flat  # the record's period
    assert "0834-8331234" in text and "竹核镇人民政府扶贫工作站" in text
    assert "尼日村村民委员会（盖章）" in flat and "2016年3月1日第1页共1页" in flat
    for column in notice_columns():
        assert column.title in flat
    for secret in _private_values(station, [a, b, c]):
        assert secret not in flat
    assert "患有大病" not in text and "长期慢性病" not in text
    assert not re.search(r"\d{15,}", flat)
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == 1


def test_second_notice_groups_its_households_by_village(demo_store: Store, tmp_path: Path
                                                         ) -> None:
    """The demo's 2014 second notice: a whole township's households over several pages,
    each village under its heading, numbered through, header on every page."""
    with demo_store.session() as s:
        second = max((n for n in list_notices(s) if n.kind == "second"),
                     key=lambda n: n.households)
        _, ids = notice_households(s, second.number)
        rows = s.execute(select(Household.head_name, Household.size, Household.village_code)
                         .where(Household.id.in_(ids))).all()
        names = dict(s.execute(select(Region.code, Region.name)).all())
        out = tmp_path / "second.pdf"
        result = print_notice_record(s, second.number, out)
    people = sum(r.size for r in rows)
    assert (result.households, result.members) == (len(ids), people) == (second.households,
                                                                         people)
    assert result.pages >= 2 and pdf_info(out)["Pages"] == str(result.pages)
    pages = page_texts(out)
    for n, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert "户主姓名" in flat and "家庭人口数" in flat, f"第{n}页没有表头"
        assert f"第{n}页共{result.pages}页" in flat
        if n > 1:
            assert f"第二次公示（公示编号：{second.number}，续）" in flat
    text = pdf_text(out)
    flat = _flat(text)
    assert "竹核镇建档立卡贫困户第二次公示" in flat and "竹核镇人民政府（盖章）" in flat
    assert f"合计{len(ids)}户{people}" in flat
    by_village = Counter(names[r.village_code] for r in rows)
    for village, count in by_village.items():  # one heading per village, with its count
        assert re.search(rf"{village}（共{count}户\d+人）", flat), village
    assert len(re.findall(r"（共\d+户\d+人）", flat)) == len(by_village)
    # numbered through, nothing lost between pages or villages
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\s+\d+组", text, re.M)]
    assert numbers == list(range(1, len(ids) + 1))
    printed = Counter(re.findall(r"^\s*\d+\s+\d+组\s+(\S+)", text, re.M))
    assert printed == Counter(r.head_name for r in rows)
    for secret in _private_values(demo_store, ids):
        assert secret not in flat
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == result.pages


def test_every_demo_notice_prints_its_own_households(demo_store: Store, tmp_path: Path
                                                     ) -> None:
    with demo_store.session() as s:
        for n in list_notices(s):
            _, ids = notice_households(s, n.number)
            heads = Counter(s.scalars(select(Household.head_name)
                                      .where(Household.id.in_(ids))))
            out = tmp_path / f"{n.number}.pdf"
            result = print_notice_record(s, n.number, out, paper="A3")
            assert result.households == len(ids) == n.households
            text = pdf_text(out)
            printed = Counter(re.findall(r"^\s*\d+\s+\d+组\s+(\S+)", text, re.M))
            assert printed == heads, n.number
            assert f"{n.start_date.year}年{n.start_date.month}月{n.start_date.day}日至" \
                   f"{n.end_date.year}年{n.end_date.month}月{n.end_date.day}日" in _flat(text)
    width, height = page_size(out)
    assert round(width) == 842 and round(height) == 1191  # A3 portrait, points


ANNOUNCED = date.today()


def _county_with_approved(path: Path) -> tuple[Store, list[str]]:
    """A county store holding households of two townships at 县复审 (as stations' bundles
    leave them), all approved under one 文号; one more waits, not decided."""
    store, _ = Store.create(path, kind="county", region_code=COUNTY, user="admin",
                            password=PASSWORD)
    with store.transaction() as s:
        villages = list(s.scalars(select(Region.code).where(Region.level == "village")
                                  .order_by(Region.code)))
        two = [villages[0], next(v for v in villages if v[:9] != villages[0][:9])]
        rows = []
        for i in range(7):
            rows.append({"village_code": two[i % 2], "group_no": 1 + i % 3, "stage": "60",
                         "head_name": f"县审定{'甲乙丙丁戊己庚'[i]}", "size": 2 + i % 3,
                         "identification_standard": "1", "attribute": "1",
                         "poverty_status": "1", "main_cause": "01",
                         "phone": "13912345678", "bank_account": f"62284800123456789{i:02d}",
                         "head_id_number": idn(f"5134311970010{i:04d}")})
        bulk_insert(s, Household, rows)
        bulk_insert(s, ProcedureEvent, [
            {"household_id": r["id"], "stage": "60", "event_date": date(2026, 5, 1),
             "step": "second_notice_end", "seq": 8, "result": "pass", "passed": True}
            for r in rows])
        ids = [r["id"] for r in rows]
    actor = Actor("admin", "county_admin")
    with store.transaction() as s:
        county.decide(s, actor, ids[:6], True, "昭扶贫〔2026〕8号")
        # 审定 is dated now, and a 公告 cannot come before it.
        county.announce(s, actor, "昭扶贫〔2026〕8号", ANNOUNCED)
    return store, ids


def test_county_announcement_lists_the_announced_by_township_and_village(
        tmp_path: Path) -> None:
    store, ids = _county_with_approved(tmp_path / "county.db")
    with store:
        out = tmp_path / "announcement.pdf"
        with store.session() as s:
            result = print_announcement(s, "昭扶贫〔2026〕8号", out, phone="0834-1234567")
            names = dict(s.execute(select(Region.code, Region.name)).all())
            rows = s.execute(select(Household.id, Household.head_name, Household.village_code)
                             .where(Household.id.in_(ids))).all()
        text = pdf_text(out)
        flat = _flat(text)
        assert (result.households, result.pages) == (6, 1)
        assert "昭觉县建档立卡贫困户公告" in flat and "昭扶贫〔2026〕8号" in flat
        assert "昭觉县扶贫开发领导小组办公室（盖章）" in flat
        assert f"{ANNOUNCED.year}年{ANNOUNCED.month}月{ANNOUNCED.day}日" in flat
        assert "2个乡镇2个村共6户" in flat
        for hid, name, village in rows:
            assert (name in text) == (hid != ids[6]), name  # the undecided one is not on it
            if hid != ids[6]:
                assert f"{names[village[:9]]}{names[village]}（共3户" in flat
        assert "0834-1234567" in flat
        for secret in ("13912345678", "622848001234567890", idn("51343119700100000")):
            assert secret not in flat
        assert "贫困户属性" not in flat and "致贫原因" not in flat  # the decisions' columns
        assert_fonts_embedded(out)
        assert len(render(out, tmp_path / "png")) == 1
        with store.session() as s, pytest.raises(UserError, match="尚未公告"):
            print_announcement(s, "昭扶贫〔2026〕9号", tmp_path / "none.pdf")
        assert not (tmp_path / "none.pdf").exists()


def test_unknown_notice_is_refused_and_writes_nothing(station: Store, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    with station.session() as s, pytest.raises(UserError, match="没有编号为“2016-009”的公示"):
        print_notice_record(s, "2016-009", out)
    with station.transaction() as s:
        a = save_household(s, "admin", household(VILLAGE), [head("马国强", "011")],
                           applied_on=date(2016, 2, 1)).id
        _verified(s, [a])
        number = open_notice(s, REVIEWER, "first", VILLAGE, [a], date(2016, 3, 1)).number
    with station.session() as s, pytest.raises(ReportError, match="纸张"):
        print_notice_record(s, number, out, paper="B5")
    assert not out.exists()


def test_private_fields_can_never_reach_a_poster(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(c.field is None or c.field.public for c in notice_columns())
    assert all(c.field is None or c.field.public
               for c in notice_columns(notice.ANNOUNCEMENT_FIELDS))
    with pytest.raises(PrivateField, match="身份证号码"):
        public_only([MEMBER_FORM["name"], MEMBER_FORM["id_number"]])
    for name in ("phone", "bank_account"):
        monkeypatch.setattr(notice, "NOTICE_FIELDS", (*notice.NOTICE_FIELDS, name))
        with pytest.raises(PrivateField, match=HOUSEHOLD_FORM[name].label):
            notice_columns(notice.NOTICE_FIELDS)
    with pytest.raises(PrivateField, match="健康状况"):
        public_only([MEMBER_FORM["health"]])


def test_cli_prints_a_notice_by_number_and_an_announcement_by_ref(
        demo_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    with Store.open(demo_store_path, "admin", PASSWORD) as store, store.session() as s:
        first = next(n for n in list_notices(s) if n.kind == "first")
    out = tmp_path / "cli.pdf"
    code = main(["print", "notice", "--store", str(demo_store_path), "--number", first.number,
                 "--out", str(out), "--phone", "0834-1234567", "--address", "竹核镇扶贫站",
                 "--json"])
    assert code == 0 and out.exists()
    assert f'"households": {first.households}' in capsys.readouterr().out
    assert f"公示编号：{first.number}" in _flat(pdf_text(out))
    code = main(["print", "notice", "--store", str(demo_store_path), "--number", "1999-001",
                 "--out", str(tmp_path / "x.pdf")])
    assert code == 1 and "没有编号为“1999-001”的公示" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    # the old stage-based options are gone: a village's list is the 花名册
    with pytest.raises(SystemExit):
        main(["print", "notice", "--store", str(demo_store_path), "--village", VILLAGE,
              "--kind", "first", "--all", "--out", str(tmp_path / "y.pdf")])
    capsys.readouterr()

    store, _ = _county_with_approved(tmp_path / "county.db")
    store.close()
    code = main(["print", "announcement", "--store", str(tmp_path / "county.db"), "--ref",
                 "昭扶贫〔2026〕8号", "--out", str(tmp_path / "gg.pdf"), "--paper", "A3"])
    assert code == 0 and "6 户" in capsys.readouterr().out
    code = main(["print", "announcement", "--store", str(tmp_path / "county.db"), "--ref",
                 "没有这个", "--out", str(tmp_path / "gg2.pdf")])
    assert code == 1 and "尚未公告" in capsys.readouterr().err
