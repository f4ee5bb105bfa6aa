"""`fupin village show|edit`, `procedure record --village` and `print village-register`:
facts typed once through the form's options, figures counted (贫困发生率 from the
households), steps in order, the 登记表 as PDF and Excel with the counted figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from registry.store import Store
from tests.conftest import PASSWORD
from tests.registry.aid.flow import registered


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_village_commands(station: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    village, _ = registered(station, households=2)
    path = str(station.path)
    station.close()
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    s = ("--store", path, "--village", village)
    code, out, _ = _run(capsys, "village", "edit", *s, "--year", "2025",
                        "--agricultural-people", "80", "--road", "是", "--clinic", "否",
                        "--json")
    assert code == 0
    data = json.loads(out)
    people = data["figures"]["poor_people"]
    assert data["facts"]["people_agricultural"] == 80 and data["facts"]["road_hardened"]
    assert data["figures"]["poor_households"] == 2
    assert data["figures"]["incidence"] == f"{people * 100 / 80:.2f}"
    assert data["checklist"]["name"] == "一低七有" and not data["checklist"]["passed"]
    code, _, err = _run(capsys, "village", "edit", *s, "--year", "2025",
                        "--agricultural-people", "很多")
    assert code == 1 and "农业户籍人口应为整数" in err
    code, _, err = _run(capsys, "village", "edit", *s, "--year", "2025")
    assert code == 1 and "至少" in err

    code, out, _ = _run(capsys, "procedure", "record", "--store", path, "--village", village,
                        "--step", "申请", "--date", "2025-03-01")
    assert code == 0 and "未申请 → 申请" in out
    code, _, err = _run(capsys, "procedure", "record", "--store", path, "--village", village,
                        "--step", "乡镇公示", "--date", "2025-03-02")
    assert code == 1 and "下一步是“乡镇审核”" in err
    with pytest.raises(SystemExit) as usage:  # one of --household and --village
        main(["procedure", "record", "--store", path, "--village", village, "--household",
              "x", "--step", "申请", "--date", "2025-03-02"])
    assert usage.value.code == 2 and "不能与参数" in capsys.readouterr().err
    code, out, _ = _run(capsys, "village", "show", *s)
    assert code == 0 and "程序:申请" in out and f"贫困人口:{people} 人" in out

    pdf, xlsx = tmp_path / "v.pdf", tmp_path / "v.xlsx"
    code, out, _ = _run(capsys, "print", "village-register", *s, "--out", str(pdf), "--json")
    assert code == 0 and json.loads(out)["households"] == 2 and pdf.read_bytes()[:4] == b"%PDF"
    code, out, _ = _run(capsys, "print", "village-register", *s, "--out", str(xlsx))
    assert code == 0
    ws = load_workbook(xlsx).active
    assert ws is not None
    cells = {str(r[0]): r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert cells["建档立卡贫困户数*"] == "2户" and cells["建档立卡贫困人口*"] == f"{people}人"
    assert cells["农业户籍人口"] == "80人"
    code, _, err = _run(capsys, "print", "village-register", *s, "--out",
                        str(tmp_path / "v.doc"))
    assert code == 1 and ".pdf 或 .xlsx" in err
