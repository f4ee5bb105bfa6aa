"""`fupin sync …` end to end: exit codes and --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from sync import export
from tests.sync.conftest import PASSWORD, enroll_pair, make_county, make_station


def test_sync_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    make_station(tmp_path, households=5).close()
    county = make_county(tmp_path)
    county.close()
    st, co = str(tmp_path / "station-513431102.db"), str(county.target)
    req, ans, usb = tmp_path / "req.json", tmp_path / "ans.json", tmp_path / "usb"
    usb.mkdir()

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    code, out = run("sync", "enroll-request", "--store", st, "--out", str(req), "--json")
    assert code == 0
    fingerprint = json.loads(out)["fingerprint"]
    code, out = run("sync", "enroll", "--store", co, str(req), "--out", str(ans), "--json")
    assert code == 0 and json.loads(out)["fingerprint"] == fingerprint
    assert run("sync", "accept", "--store", st, str(ans))[0] == 0

    paths = []
    for _ in range(3):
        code, out = run("sync", "export", "--store", st, "--out", str(usb))
        assert code == 0
        paths.append(out.strip())
    assert Path(paths[0]).name == "513431-513431102-000001.fpb"
    code, out = run("sync", "import", "--store", co, paths[0])
    assert code == 0
    # Chinese for people: the outcome, then the buckets per table.
    assert out.startswith("[已导入] 513431-513431102-000001.fpb:第 1 号数据包已导入")
    assert "农户:新增 5" in out and "家庭成员:新增" in out and "审计记录:新增" in out
    assert "household" not in out and "inserted" not in out
    code, out = run("sync", "import", "--store", co, paths[0])
    assert code == 0 and out.startswith("[已导入过]")  # replay: harmless
    code, out = run("sync", "import", "--store", co, paths[2], "--json")
    assert code == 3 and json.loads(out)[0]["status"] == "waiting"
    code, out = run("sync", "status", "--store", co, "--json")
    peer = json.loads(out)["peers"][0]
    assert peer["waiting"] == [3] and peer["missing"] == "2"
    bad = tmp_path / "bad.fpb"
    bad.write_bytes(Path(paths[1]).read_bytes()[:-10])
    code, out = run("sync", "import", "--store", co, str(bad))
    assert code == 1 and out.startswith("[已拒绝] bad.fpb:")
    code, out = run("sync", "import", "--store", co, paths[1], "--json")
    assert code == 0 and json.loads(out)[0]["also_applied"] == [3]
    result = json.loads(out)[0]  # --json keeps the stable keys
    assert result["status"] == "applied" and set(result["counts"]) <= {
        "village_group", "household", "member", "helper", "aid_plan", "household_income",
        "yearly_review", "team_member", "village_plan", "procedure_event", "notice",
        "notice_entry", "notice_objection", "audit", "village_facts", "poor_village",
        "village_event"}
    assert all(set(c) == {"inserted", "updated", "unchanged", "possible_duplicate",
                          "conflict", "quarantined"} for c in result["counts"].values())

    code, out = run("sync", "export", "--store", co, "--out", str(usb), "--station",
                    "513431102")
    assert code == 0 and "R000001" in out
    assert run("sync", "import", "--store", st, out.strip())[0] == 0
    assert run("sync", "export", "--store", co, "--out", str(usb))[0] == 1  # no --station
    code, out = run("sync", "status", "--store", st)
    assert code == 0 and "昭觉县" in out and "县里回执:第 1 号" in out


def test_import_exits_4_when_anything_is_held_and_status_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A row changed in SQL without its audit entry is quarantined at the county: the
    import is applied but exits 4, and `sync status` shows what was kept for review."""
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    station, county = make_station(tmp_path, households=5), make_county(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        enroll_pair(station, county, tmp_path)
        first = export.export_station(station, usb).path
        with station.engine.begin() as c:
            c.execute(text("UPDATE counter SET value = value + 1 WHERE name = 'rev'"))
            c.execute(text("UPDATE household SET income_wage = 10000000, "
                           "rev = (SELECT value FROM counter WHERE name = 'rev') "
                           "WHERE id = (SELECT min(id) FROM household)"))
        second = export.export_station(station, usb).path
    finally:
        station.close()
        county.close()
    co = str(county.target)
    assert main(["sync", "import", "--store", co, str(first)]) == 0
    capsys.readouterr()
    assert main(["sync", "import", "--store", co, str(second)]) == 4
    out = capsys.readouterr().out
    assert "农户:隔离 1" in out and "有 1 项未采用、留待核查" in out
    assert main(["sync", "status", "--store", co]) == 0
    assert "未采用、留待核查:记录 1 条,审计链不一致 0 次" in capsys.readouterr().out
    assert main(["sync", "import", "--store", co, str(second)]) == 0  # a replay: nothing new
