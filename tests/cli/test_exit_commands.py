"""脱贫退出 from the command line: the station's exit steps with `procedure record` (facts as
options or `--fact 名称=值`) and `notice open --kind exit`; the county's queue, 审定退出 and
退出公告 with `--exit`; 销号 and 返贫 after the return bundle. Refusals in Chinese, no
traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli.main import main
from sync import export, receive
from tests.registry.aid.flow import registered
from tests.sync.conftest import PASSWORD, TOWNSHIP
from tests.sync.test_exit_roundtrip import YEAR, Offices, aided, make_offices

REF = "昭扶发〔2026〕30号"
ON = date.today() - timedelta(days=30)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out, err


@pytest.fixture
def offices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Offices]:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("FUPIN_USER", "admin")
    monkeypatch.delenv("FUPIN_RECOVERY_KEY", raising=False)
    o = make_offices(tmp_path)
    try:
        yield o
    finally:
        o.station.close()
        o.county.close()


def _carry(o: Offices, to_county: bool) -> None:
    """One bundle across (the stores reopened: the command line wrote to the files)."""
    o.reopen()
    sender, receiver = (o.station, o.county) if to_county else (o.county, o.station)
    sent = (export.export_station(sender, o.usb) if to_county
            else export.export_return(sender, TOWNSHIP, o.usb))
    [r] = receive.import_files(receiver, [sent.path])
    assert r.status == "applied", r.message


def test_an_exit_by_command_line(offices: Offices, capsys: pytest.CaptureFixture[str]
                                 ) -> None:
    o = offices
    village, (hid, _other) = registered(o.station)
    aided(o, village, hid)
    station, county = str(o.station.path), str(o.county.path)

    def record(step: str, on: date, *extra: str) -> tuple[int, str, str]:
        return run(capsys, "procedure", "record", "--store", station, "--step", step,
                   "--household", hid, "--date", on.isoformat(), *extra)

    code, _, err = record("拟退出", ON, "--fact", "bogus=1")
    assert code != 0 and "没有名为 bogus 的事实" in err
    code, out, err = record("拟退出", ON, "--year", str(YEAR))
    assert code == 0 and "拟退出" in out, err
    assert record("退出民主评议", ON, "--votes", "28/1/1", "--participants", "30")[0] == 0
    assert record("贫困户认可", ON + timedelta(days=1), "--fact", "signed_by=户主")[0] == 0
    code, _, err = run(capsys, "notice", "open", "--store", station, "--kind", "exit",
                       "--household", hid)
    assert code != 0 and "退出公示须用 --village" in err
    code, out, err = run(capsys, "notice", "open", "--store", station, "--kind", "exit",
                         "--village", village, "--household", hid,
                         "--start", (ON + timedelta(days=2)).isoformat(), "--json")
    assert code == 0, err
    number = json.loads(out)["number"]
    assert run(capsys, "notice", "close", "--store", station, "--notice", number,
               "--date", (ON + timedelta(days=10)).isoformat())[0] == 0
    code, out, err = record("乡镇审核退出", ON + timedelta(days=11), "--reviewer", "乡镇审核员")
    assert code == 0 and "乡镇审核退出" in out, err
    _carry(o, to_county=True)
    o.county.close()

    code, out, _ = run(capsys, "county", "review", "--store", county, "--exit", "--json")
    assert code == 0 and [r["household_id"] for r in json.loads(out)] == [hid]
    code, out, _ = run(capsys, "county", "review", "--store", county, "--json")
    assert code == 0 and json.loads(out) == []
    code, out, err = run(capsys, "county", "decide", "--store", county, "--exit",
                         "--household", hid, "--result", "approve", "--ref", REF)
    assert code == 0 and "已审定退出 1 户" in out, err
    code, _, err = run(capsys, "county", "announce", "--store", county, "--ref", REF,
                       "--out", str(o.usb / "公告.pdf"))
    assert code != 0 and "退出公告" in err  # an exit's 文号, not an identification's
    code, out, err = run(capsys, "county", "announce", "--store", county, "--exit",
                         "--ref", REF, "--json")
    assert code == 0, err
    assert json.loads(out)["households"] == 1 and json.loads(out)["track"] == "exit"
    _carry(o, to_county=False)
    o.station.close()

    code, out, err = record("销号", date.today(), "--year", str(YEAR))
    assert code == 0 and "已脱贫销号" in out, err
    code, _, err = record("返贫", date.today(), "--year", str(YEAR + 1))
    assert code != 0 and "证明材料" in err
    code, out, err = record("返贫", date.today(), "--fact", "evidence=医疗费用发票")
    assert code == 0 and "已建档立卡" in out, err
    code, out, _ = run(capsys, "households", "history", hid, "--store", station, "--json")
    assert code == 0
    titles = " ".join(json.dumps(i, ensure_ascii=False) for i in json.loads(out))
    for words in ("县审定退出", "退出公告", "销号", "返贫", "医疗费用发票"):
        assert words in titles, words
