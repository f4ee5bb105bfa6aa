"""The CJK font: found on the system, embedded, every glyph checked (rare surnames too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from registry.households import save_household
from registry.procedure.notices import open_notice
from registry.procedure.record import Actor, record
from registry.procedure.steps import STEPS
from registry.store import Store
from reports import fonts as fonts_module
from reports.fonts import Face, FontMissing, FontSet, MissingGlyphs, find_fonts
from reports.pdf.layout import Cells, Styles, markup
from reports.pdf.notice import print_notice_record
from tests.reports.test_pdf_support import (
    assert_fonts_embedded,
    head,
    household,
    needs_poppler,
    pdf_text,
)

RARE = "㛃䶮"  # CJK Extension A: 王㛃, 刘䶮 — real surnames/given names
VILLAGE = "513431102200"


def test_a_cjk_truetype_font_is_found_and_covers_common_text() -> None:
    found = find_fonts()
    assert found.main.path.suffix.lower() in (".ttf", ".ttc")
    assert not found.missing("竹核镇尼日村建档立卡贫困户第一次公示:马国强 3组 因病")
    assert found.name in pdfmetrics.getRegisteredFontNames()


def test_missing_characters_are_named_with_where_they_are_used() -> None:
    found = find_fonts()
    lacking = [ch for ch in RARE if found.face_for(ch) is None]
    if not lacking:
        pytest.skip("本机字体已包含这些生僻字")
    with pytest.raises(MissingGlyphs) as e:
        found.check([("尼日村 王㛃户", "王㛃"), ("尼日村 刘䶮户", "刘䶮"), ("x", "张三")])
    message = str(e.value)
    for ch in lacking:
        assert ch in message and f"U+{ord(ch):04X}" in message
    assert "尼日村 王㛃户" in message and "方框" in message
    assert set(e.value.chars) == set(lacking)


def _on_a_notice(station: Store, name: str, seq: str) -> str:
    """A household headed by `name`, taken through its steps onto a first notice."""
    actor = Actor("admin", "admin")
    with station.transaction() as s:
        hid = save_household(s, "admin", household(VILLAGE), [head(name, seq)],
                             applied_on=date(2016, 2, 1)).id
        for key in ("evaluate", "verify"):
            record(s, actor, STEPS[key], [hid], date(2016, 2, 20))
        return open_notice(s, actor, "first", VILLAGE, [hid], date(2016, 3, 1)).number


@needs_poppler
def test_a_rare_surname_stops_the_print_instead_of_printing_a_box(station: Store,
                                                                   tmp_path: Path) -> None:
    number = _on_a_notice(station, "王㛃", "041")
    out = tmp_path / "rare.pdf"
    found = find_fonts()
    with station.session() as s:
        if found.face_for("㛃") is not None:  # a font that has it: it must print
            print_notice_record(s, number, out)
            assert "王㛃" in pdf_text(out)
            return
        with pytest.raises(MissingGlyphs, match="㛃"):
            print_notice_record(s, number, out)
    assert not out.exists()


@needs_poppler
def test_fallback_face_prints_what_the_main_face_lacks(station: Store, tmp_path: Path
                                                       ) -> None:
    """A second face fills in characters the main one lacks (on Windows: SimSun-ExtB for
    Extension B). Simulated with a main face that 'lacks' 马 and a second registration."""
    real = find_fonts().main
    if "CJK-test-fallback" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK-test-fallback", str(real.path),
                                       subfontIndex=real.index))
    main = Face(real.name, real.path, real.index, real.family,
                real.codepoints - {ord("马")})
    fallback = Face("CJK-test-fallback", real.path, real.index, "fallback", real.codepoints)
    font_set = FontSet(main, (fallback,))
    assert 'name="CJK-test-fallback"' in markup("马国强", font_set)
    cells = Cells(Styles(font_set), [200.0], 10)
    assert not isinstance(cells("马国强", 0), str) and cells("张三", 0) == "张三"
    number = _on_a_notice(station, "马国强", "051")
    out = tmp_path / "fallback.pdf"
    with station.session() as s:
        print_notice_record(s, number, out, fonts=font_set)
    assert "马国强" in pdf_text(out)
    assert_fonts_embedded(out)


def test_no_font_gives_a_clear_chinese_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "candidates", lambda: [])
    monkeypatch.delenv(fonts_module.FONT_ENV, raising=False)
    fonts_module._find.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
            find_fonts()
    finally:
        fonts_module._find.cache_clear()


def test_a_font_without_chinese_is_not_taken(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("没有 DejaVuSans")
    monkeypatch.setattr(fonts_module, "candidates", lambda: [(dejavu, 0)])
    fonts_module._find.cache_clear()
    try:
        with pytest.raises(FontMissing, match="不含常用汉字"):
            find_fonts()
    finally:
        fonts_module._find.cache_clear()


def test_bundled_copy_next_to_the_program_is_preferred(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    bundled = tmp_path / "resources" / "fonts"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(fonts_module, "_bundled_dirs", lambda: [bundled])
    (bundled / "simsun.ttc").write_bytes(b"")  # an empty placeholder: listed first
    assert fonts_module.candidates()[0] == (bundled / "simsun.ttc", 0)
