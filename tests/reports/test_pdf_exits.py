"""The 扶贫手册 complete (helpers with history, plans by year with funds by source, incomes
beside the year's line, reviews, member changes, exit steps), the 退出公示 and 退出公告
posters, the 帮扶责任人名单, and their commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import main
from registry.store import Store
from reports.pdf.data import ReportError
from reports.pdf.exits import exit_announcement_poster, print_exit_announcement
from reports.pdf.handbook import numeral, print_handbook
from reports.pdf.helper_roster import print_helper_roster
from reports.pdf.jobs import ExitAnnouncementJob, HelperRosterJob, print_job
from reports.pdf.notice import print_notice_record
from tests.conftest import PASSWORD
from tests.reports.aid_story import REF, YEAR, Story, build
from tests.reports.test_pdf_support import (
    assert_fonts_embedded,
    needs_poppler,
    pdf_text,
    render,
)

pytestmark = needs_poppler


def _flat(pdf: Path) -> str:
    return re.sub(r"\s+", "", pdf_text(pdf))


@pytest.fixture
def story(station: Store) -> Story:
    return build(station)


def test_the_handbook_has_every_aid_section_and_the_exit(station: Store, story: Story,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "hb.pdf"
    with station.session() as s:
        result = print_handbook(s, out, household_id=story.exited)
    flat = _flat(out)
    # helpers with their history: the first ended the day before the second began
    assert "帮扶责任人（含历任）" in flat
    assert "李帮扶县农业局科员13800001111" in flat and "2019-12-31" in flat
    assert "王干部县教育局副局长13900002222" in flat
    # plans by year, funds by source and the year's sums
    for words in ("财政专项5,000.00", "信贷", "20,000.00", "25,000.00", "1,000.00", "4,000.00"):
        assert words in flat, words
    assert "2019年小计" in flat and "2020年小计" in flat and "年出栏2头" in flat
    # every year's income beside that year's line
    assert "历年收入及扶贫标准" in flat
    assert "低于或等于2019年国家标准3747元" in flat and "高于2020年国家标准4000元" in flat
    # the yearly review and the member changes with their evidence
    assert "年度动态调整核查" in flat and "户主务工稳定" in flat and "脱贫" in flat
    assert "死亡医学证明（编号2020-0088）" in flat and "出生医学证明" in flat
    assert "新宝宝增员新生儿" in flat
    # the exit steps, in words, with the year, the notice and the 文号
    for words in ("拟退出", "年度：2020", "退出民主评议—通过", "贫困户认可—通过", "签字人：户主",
                  "退出公示2026-", "乡镇审核退出", "县审定退出", "退出公告", f"文号：{REF}",
                  "销号", "指定帮扶责任人", "成员减员"):
        assert words in flat, words
    assert "helper_assign" not in flat and "member_leave" not in flat
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == result.pages


def test_the_exit_notice_prints_through_the_notice_path(station: Store, story: Story,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "exit-notice.pdf"
    with station.session() as s:
        result = print_notice_record(s, story.exit_notice, out)
    assert result.households == 1
    flat = _flat(out)
    assert "贫困户退出公示" in flat and f"公示编号：{story.exit_notice}" in flat
    assert "人均纯收入（元）" in flat and "当年扶贫标准（元）" in flat
    assert str(YEAR) in flat and "4,000" in flat
    assert "13800001111" not in flat  # public: no phone, no ID number
    assert not re.search(r"\d{17}[\dX]", flat)
    assert_fonts_embedded(out)


def test_the_exit_announcement_by_its_ref_and_from_a_list(station: Store, story: Story,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "exit-ann.pdf"
    with station.session() as s:
        result = print_exit_announcement(s, REF, out)
        poster = exit_announcement_poster(s, [story.exited], "另〔2026〕1号",
                                          result_date := __import__("datetime").date.today())
        with pytest.raises(ReportError, match="没有退出公告的农户"):
            print_exit_announcement(s, "无此文号", tmp_path / "none.pdf")
    assert result.households == 1 and poster.number == "另〔2026〕1号"
    assert poster.signed_on == result_date and poster.households == 1
    flat = _flat(out)
    assert "贫困户退出公告" in flat and REF in flat and "达到退出标准" in flat
    assert_fonts_embedded(out)


def test_the_helper_roster_and_the_commands(station: Store, story: Story, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "roster.pdf"
    with station.session() as s:
        result = print_helper_roster(s, story.village, out)
    assert result.households == 1  # the exited household needs no helper any more
    flat = _flat(out)
    assert "帮扶责任人名单" in flat and "李帮扶县农业局党政机关科员13800001111" in flat
    assert_fonts_embedded(out)
    # the desktop's jobs print them too
    assert print_job(station, HelperRosterJob(story.village), tmp_path / "j1.pdf").pages == 1
    assert print_job(station, ExitAnnouncementJob(REF), tmp_path / "j2.pdf").households == 1
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    path = str(station.path)
    station.close()
    for args, name in ((["notice", "--number", story.exit_notice], "n.pdf"),
                       (["exit-announcement", "--ref", REF], "a.pdf"),
                       (["helper-roster", "--village", story.village], "r.pdf")):
        target = tmp_path / name
        assert main(["print", *args, "--store", path, "--out", str(target)]) == 0, args
        assert target.stat().st_size > 5_000


def test_section_numerals() -> None:
    assert [numeral(n) for n in (0, 9, 10, 11, 19, 20)] == ["一", "十", "十一", "十二", "二十",
                                                            "二十一"]
