"""The 统计报告 PDF and workbook hold every table with the figures registry.statistics
counts (read back with pdftotext and openpyxl), and `fupin stats --out` writes them."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from registry.store import Store
from reports.pdf.layout import typeset
from reports.statistics.report import cell_text, write_report
from reports.statistics.tables import REPORT_ORDER, StatTable, load_tables
from reports.statistics.workbook import TITLE_ROWS, write_workbook
from tests.conftest import PASSWORD
from tests.registry.test_statistics import store_with_facts  # noqa: F401 (a fixture)


@pytest.fixture
def engine() -> str:
    """store_with_facts on SQLCipher: the figures are recounted on both engines in
    tests/registry/test_statistics.py; here they are only laid out."""
    return "sqlcipher"


def _tables(store: Store, level: str) -> list[StatTable]:
    with store.session() as s:
        return load_tables(s, level, None)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("level", ["township", "village"])
def test_report_holds_every_table_and_its_figures(store_with_facts: Store,  # noqa: F811
                                                  tmp_path: Path, level: str) -> None:
    out = tmp_path / "report.pdf"
    result = write_report(store_with_facts, out, level)
    text = pdf_text(out)
    tables = _tables(store_with_facts, level)
    assert result.tables == len(REPORT_ORDER) == len(tables)
    assert "扶贫开发建档立卡统计报告" in text and f"共 {result.pages} 页" in text
    for n, table in enumerate(tables, start=1):
        assert typeset(f"表{n} {table.title}") in text
        for cells in table.cells():
            words = [cell_text(c) for c in cells if cell_text(c)]
            assert re.search(r"\s+".join(map(re.escape, words)), text), (table.by, words)
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True,
                           text=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # all embedded


def test_workbook_reads_back_equal(store_with_facts: Store, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "stats.xlsx"
    assert write_workbook(store_with_facts, out, "village") == len(REPORT_ORDER)
    book = load_workbook(out)
    tables = _tables(store_with_facts, "village")
    assert len(book.worksheets) == len(tables)
    for ws, table in zip(book.worksheets, tables, strict=True):
        width = len(table.columns)
        rows = [list(r[:width]) for r in ws.iter_rows(min_row=TITLE_ROWS, values_only=True)]
        assert tuple(rows[0]) == table.columns
        body = [r for r in rows[1:] if any(v is not None for v in r)]
        want = [[float(c) if isinstance(c, Decimal) else c for c in cells]
                for cells in table.cells()]
        assert body == want, table.by
        assert ws._charts or not table.rows or table.by == "incidence"


def test_cli_writes_the_report_and_one_table(demo_store_path: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("FUPIN_USER", "admin")
    store = ["--store", str(demo_store_path)]
    assert main(["stats", *store, "--out", str(tmp_path / "all.pdf")]) == 0
    assert "13 张表" in capsys.readouterr().out
    assert "表13" in pdf_text(tmp_path / "all.pdf")
    assert main(["stats", *store, "--by", "cause", "--level", "village",
                 "--out", str(tmp_path / "cause.xlsx")]) == 0
    assert [ws.title for ws in load_workbook(tmp_path / "cause.xlsx").worksheets] == [
        "1.主要致贫原因"]
    assert main(["stats", *store, "--out", str(tmp_path / "x.csv")]) != 0
