"""The shared table machinery: cells broken into lines by hand, and FastTable, which writes
a table's strings in one text object. Both must look exactly like what ReportLab does."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops
from reportlab.lib import colors
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from reports.fonts import find_fonts
from reports.pdf.layout import Cells, FastTable, Styles, grid_style
from tests.reports.test_pdf_support import pdf_text, render


def _cells(width: float) -> Cells:
    return Cells(Styles(find_fonts()), [width], 10)


def test_a_long_cell_breaks_between_characters_but_not_inside_a_number() -> None:
    cells = _cells(130)
    text = "财政专项 1,000.00;社会帮扶 10,000.00"
    lines = cells.lines(text, cells.room[0])
    assert len(lines) > 1
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert cells.width(line) <= cells.room[0]
    assert any(line.endswith("10,000.00") or line == "10,000.00" for line in lines)
    assert not any(line.endswith(("10", "10,", "10,0")) for line in lines)


def test_closing_punctuation_never_begins_a_line() -> None:
    cells = _cells(64)
    text = "吃穿不愁,义务教育,基本医疗,住房安全。"
    for room in (40.0, 50.0, 58.0, 70.0):
        lines = cells.lines(text, room)
        assert "".join(lines) == text
        assert all(line[:1] not in ",。、" for line in lines), lines


def test_a_cell_that_fits_stays_one_string_and_one_that_does_not_is_broken() -> None:
    cells = _cells(120)
    assert cells("贫困户", 0) == "贫困户"
    long = "因病致贫,需要长期服药并定期复查的家庭"
    broken = cells(long, 0)
    assert isinstance(broken, str) and "\n" in broken
    assert broken.replace("\n", "") == long


def _pdf(path: Path, table: Table) -> Path:
    fonts = find_fonts()
    style = grid_style(fonts, 9, centered=[0])
    style += [("ALIGN", (2, 1), (2, -1), "RIGHT"),
              ("TEXTCOLOR", (1, 2), (1, 2), colors.red),
              ("BACKGROUND", (0, 3), (-1, 3), colors.HexColor("#F2F2F2"))]
    table.setStyle(TableStyle(style))
    SimpleDocTemplate(str(path), initialFontName=fonts.name).build([table])
    return path


def test_fast_table_looks_exactly_like_a_reportlab_table(tmp_path: Path) -> None:
    rows = [["序号", "姓名", "金额(元)", "备注"],
            ["1", "汪涛", "1,000.00", "两行的\n备注"],
            ["2", "李秀英", "10,000.00", ""],
            ["3", "张三", "25.50", "第三行"]]
    widths = [40.0, 80.0, 90.0, 120.0]
    plain = _pdf(tmp_path / "plain.pdf", Table(rows, colWidths=widths))
    fast = _pdf(tmp_path / "fast.pdf", FastTable(rows, colWidths=widths))

    assert pdf_text(fast) == pdf_text(plain)
    a = Image.open(render(plain, tmp_path / "a", dpi=100)[0]).convert("L")
    b = Image.open(render(fast, tmp_path / "b", dpi=100)[0]).convert("L")
    difference = ImageChops.difference(a, b)
    # Same glyphs at the same places: at most anti-aliasing noise, no shifted text.
    changed = difference.point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert changed < 20, changed
    # And the red cell is red in both.
    red = Image.open(render(fast, tmp_path / "c", dpi=100)[0]).convert("RGB")
    assert any(r > 180 and g < 90 and b_ < 90 for _, (r, g, b_) in red.getcolors(1 << 24))
