"""`fupin excel template|export|import` end to end, with exit codes and --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from registry.store import Store
from reports.excel import limits
from tests import postgres
from tests.conftest import PASSWORD, TOWNSHIP
from tests.reports.excel_big import incomplete_households, wide_header
from tests.reports.excel_fill import family, fill, household


@pytest.fixture
def station_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "station.db"
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    store.close()
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    return path


def test_template_import_export(station_path: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "模板.xlsx"
    assert main(["excel", "template", "--out", str(template)]) == 0
    assert "已生成导入模板" in capsys.readouterr().out
    assert main(["excel", "template", "--out", str(tmp_path / "本站.xlsx"), "--store",
                 str(station_path)]) == 0
    assert "已生成导入模板" in capsys.readouterr().out
    codes = load_workbook(tmp_path / "本站.xlsx")["代码表"]
    assert "尼日村" in [c.value for col in codes.iter_cols() for c in col]

    good = fill(tmp_path / "好.xlsx", [household(1), household(2)],
                family(1, 0) + family(2, 1), template=template)
    assert main(["excel", "import", "--store", str(station_path), str(good), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] and summary["households"] == 2 and summary["members"] == 4

    out = tmp_path / "导出.xlsx"
    assert main(["excel", "export", "--store", str(station_path), "--out", str(out),
                 "--village", "513431102200"]) == 0
    assert "已导出 2 户、4 人" in capsys.readouterr().out
    assert len(list(load_workbook(out, read_only=True)["农户"].iter_rows())) == 3

    assert main(["excel", "export", "--store", str(station_path), "--out",
                 str(tmp_path / "s.xlsx"), "--search", "吉克阿呷", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["households"] == 1


def test_bad_rows_exit_non_zero_with_marked_copy(station_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = fill(tmp_path / "坏.xlsx", [household(1, 识别标准="县定标准")], family(1, 0))
    assert main(["excel", "import", "--store", str(station_path), str(bad)]) == 2
    err = capsys.readouterr().err
    marked = tmp_path / "坏.errors.xlsx"
    assert str(marked) in err and "第2行" in err and "不是识别标准的可选项" in err
    assert marked.exists()

    assert main(["excel", "import", "--store", str(station_path), str(bad), "--json",
                 "--marked", str(tmp_path / "标记.xlsx")]) == 2
    summary = json.loads(capsys.readouterr().out)
    assert not summary["ok"] and summary["marked_copy"] == str(tmp_path / "标记.xlsx")
    assert summary["problems"][0]["header"] == "识别标准"


def test_malformed_file_is_a_clear_error(station_path: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "t.xlsx"
    text.write_text("hello")
    assert main(["excel", "import", "--store", str(station_path), str(text)]) == 1
    assert "不是Excel工作簿" in capsys.readouterr().err
    assert main(["excel", "template", "--out", str(tmp_path / "x.csv")]) == 1
    assert ".xlsx" in capsys.readouterr().err


def test_many_bad_rows_and_a_too_wide_sheet(station_path: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LISTED_PROBLEMS", 25)
    bad = incomplete_households(tmp_path / "多.xlsx", 30)
    assert main(["excel", "import", "--store", str(station_path), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "发现 90 处错误,涉及 30 行" in err and "另有 65 处问题未列出" in err
    assert err.count("农户 第") == 20
    assert "共 90 处,副本中的“错误说明”表列出前 25 处" in err

    assert main(["excel", "import", "--store", str(station_path), str(bad), "--json"]) == 2
    summary = json.loads(capsys.readouterr().out)
    assert summary["problem_count"] == 90 and summary["problems_not_listed"] == 65
    assert len(summary["problems"]) == 25

    wide = wide_header(tmp_path / "宽.xlsx", 20_000)
    assert main(["excel", "import", "--store", str(station_path), str(wide)]) == 1
    captured = capsys.readouterr()
    assert "第20000列" in captured.err and "未导入任何数据" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_template_refused_at_an_office_and_made_from_a_server_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """--store takes a server's URL too; an office (whose households are its stations')
    gets no template of its villages."""
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    county = tmp_path / "county.db"
    Store.create(county, kind="county", region_code=TOWNSHIP[:6], user="admin",
                 password=PASSWORD)[0].close()
    out = tmp_path / "县.xlsx"
    assert main(["excel", "template", "--out", str(out), "--store", str(county)]) == 1
    assert "县扶贫办不能修改乡镇工作站登记的农户" in capsys.readouterr().err
    assert not out.exists()

    url = postgres.create_database()
    try:
        Store.create(url, kind="station", region_code=TOWNSHIP, user="admin",
                     password=PASSWORD)[0].close()
        out = tmp_path / "服务器.xlsx"
        assert main(["excel", "template", "--out", str(out), "--store", url,
                     "--user", "admin"]) == 0, capsys.readouterr().err
        codes = load_workbook(out)["代码表"]
        assert "尼日村" in [c.value for col in codes.iter_cols() for c in col]
    finally:
        postgres.drop_database(url)
