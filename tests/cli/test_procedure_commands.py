"""精准识别 from the command line, as a township clerk's script would run it: households
added from JSON start at 农户申请, steps in order with the user's role from the store,
notices opened, objected to and closed, the history with user, role and date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from forms.idnumber import check_digit
from registry.keyslots import KeySlots
from tests.conftest import PASSWORD, TOWNSHIP

VILLAGE = TOWNSHIP + "200"  # 尼日村
OTHER_VILLAGE_PREFIX = TOWNSHIP + "201"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def idn(first17: str) -> str:
    return first17 + check_digit(first17)


def households_json(path: Path, n: int) -> Path:
    names = "赵钱孙李周吴郑王冯陈"
    data = [{"village_code": VILLAGE, "group_no": 1, "identification_standard": "1",
             "attribute": "1", "main_cause": "01", "income_wage": "1200", "poverty_status": "1",
             "members": [{"name": names[i] + "大山", "id_number": idn(f"51343119700101{i:02d}1"),
                          "relation": "01", "ethnicity": "01", "health": "1"}]}
            for i in range(n)]
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("FUPIN_USER", "admin")
    monkeypatch.delenv("FUPIN_RECOVERY_KEY", raising=False)
    store = tmp_path / "zhuhe.db"
    assert run(capsys, "init", "--store", str(store), "--township", TOWNSHIP,
               "--user", "admin")[0] == 0
    return store


def test_a_village_batch_from_application_to_the_township(
        station: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = str(station)
    code, out, err = run(capsys, "households", "add", "--store", s, "--json",
                         str(households_json(tmp_path / "h.json", 5)), "--date", "2026-09-01")
    assert code == 0, err
    ids = out.split()
    assert len(ids) == 5

    # Skipping 民主评议 is refused and names the missing step; nothing changes.
    code, _, err = run(capsys, "procedure", "record", "--store", s, "--step", "verify",
                       "--household", *ids, "--date", "2026-09-03")
    assert code == 1 and "须先完成“民主评议”" in err
    code, out, err = run(capsys, "procedure", "record", "--store", s, "--step", "民主评议",
                         "--household", *ids[:4], "--date", "2026-09-05", "--votes", "30/2/1",
                         "--participants", "33")
    assert code == 0, err
    assert out.count("农户申请 → 民主评议") == 4
    code, _, err = run(capsys, "procedure", "record", "--store", s, "--step", "evaluate",
                       "--household", ids[4], "--date", "2026-09-05", "--result", "reject")
    assert code == 1 and "必须写明原因" in err
    assert run(capsys, "procedure", "record", "--store", s, "--step", "evaluate",
               "--household", ids[4], "--date", "2026-09-05", "--result", "reject",
               "--reason", "家有轿车")[0] == 0
    assert run(capsys, "procedure", "record", "--store", s, "--step", "verify", "--household",
               *ids[:4], "--date", "2026-09-07", "--checkers", "村两委、驻村工作队")[0] == 0

    code, out, err = run(capsys, "notice", "open", "--store", s, "--kind", "first",
                         "--village", VILLAGE, "--household", *ids[:4], "--start", "2026-09-08")
    assert code == 0, err
    number = out.strip()
    assert number == "2026-001"
    # During the period: an objection sends one back; closing early is refused.
    assert run(capsys, "notice", "objection", "--store", s, "--notice", number,
               "--household", ids[0], "--text", "在县城有住房", "--outcome", "return",
               "--date", "2026-09-09", "--checking", "入户核查属实")[0] == 0
    code, _, err = run(capsys, "notice", "close", "--store", s, "--notice", number,
                       "--date", "2026-09-10")
    assert code == 1 and "期满后才能结束" in err
    code, out, _ = run(capsys, "notice", "list", "--store", s, "--due", "--json")
    assert [n["number"] for n in json.loads(out)] == [number]
    code, out, err = run(capsys, "notice", "close", "--store", s, "--notice", number,
                         "--date", "2026-09-15")
    assert code == 0, err
    assert "3 户进入下一步" in out

    code, out, err = run(capsys, "procedure", "record", "--store", s, "--step",
                         "township-review", "--household", *ids[1:4], "--date", "2026-09-20")
    assert code == 0, err
    code, out, err = run(capsys, "notice", "open", "--store", s, "--kind", "second",
                         "--household", *ids[1:4], "--start", "2026-09-21", "--days", "5")
    assert code == 0, err
    assert out.strip() == "2026-002"
    # The notices of one place (at a city or the province: of one county among hundreds).
    listed = {}
    for region in (VILLAGE, TOWNSHIP, "513432"):
        code, out, err = run(capsys, "notice", "list", "--store", s, "--region", region,
                             "--json")
        assert code == 0, err
        listed[region] = [n["number"] for n in json.loads(out)]
    assert listed == {VILLAGE: ["2026-001"], TOWNSHIP: ["2026-002", "2026-001"],
                      "513432": []}
    code, out, _ = run(capsys, "notice", "list", "--store", s, "--region", "513432")
    assert code == 0 and out.strip() == "喜德县没有公示"
    for bad, said in (("5134x1", "区划代码“5134x1”不对"), ("513499", "四川省没有区划代码 513499")):
        code, out, err = run(capsys, "notice", "list", "--store", s, "--region", bad)
        assert code == 1 and said in err and "Traceback" not in err, err

    code, out, _ = run(capsys, "households", "history", "--store", s, ids[1], "--json")
    steps = [(i["title"].split(" — ")[0], i["on"], i["user"], i["role_name"])
             for i in json.loads(out) if i["kind"] == "step"]
    assert steps == [("农户申请", "2026-09-01", "admin", "管理员"),
                     ("民主评议", "2026-09-05", "admin", "管理员"),
                     ("入户核实", "2026-09-07", "admin", "管理员"),
                     ("第一次公示", "2026-09-08", "admin", "管理员"),
                     ("第一次公示期满", "2026-09-15", "admin", "管理员"),
                     ("乡镇审核", "2026-09-20", "admin", "管理员"),
                     ("第二次公示", "2026-09-21", "admin", "管理员")]
    code, out, _ = run(capsys, "households", "history", "--store", s, ids[0], "--json")
    objection = [i for i in json.loads(out) if i["kind"] == "objection"]
    assert objection and "在县城有住房" in objection[0]["detail"]
    code, out, _ = run(capsys, "households", "show", "--store", s, ids[0], "--json")
    assert json.loads(out)["stage_label"] == "农户申请"  # back to 民主评议


def test_an_entry_clerk_may_not_review_and_an_edited_key_file_grants_nothing(
        station: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    s = str(station)
    monkeypatch.setenv("FUPIN_NEW_PASSWORD", "clerk-pass-1")
    assert run(capsys, "users", "add", "--store", s, "王会计", "--role", "录入员")[0] == 0
    code, out, _ = run(capsys, "households", "add", "--store", s, "--json",
                       str(households_json(tmp_path / "h.json", 2)))
    ids = out.split()
    monkeypatch.setenv("FUPIN_USER", "王会计")
    monkeypatch.setenv("FUPIN_PASSWORD", "clerk-pass-1")
    code, _, err = run(capsys, "procedure", "record", "--store", s, "--step", "evaluate",
                       "--household", *ids, "--date", "2026-09-05")
    assert code == 1 and "录入员" in err and "审核员" in err

    # The key file's text says admin now: the role still comes from the encrypted store.
    keys = KeySlots.path_for(station)
    data = json.loads(keys.read_text("utf-8"))
    for slot in data["slots"]:
        slot["role"] = "admin"
    keys.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, _, err = run(capsys, "procedure", "record", "--store", s, "--step", "evaluate",
                       "--household", *ids, "--date", "2026-09-05")
    assert code == 1 and "录入员" in err
    code, _, err = run(capsys, "users", "add", "--store", s, "李四", "--role", "admin")
    assert code == 1 and "无权管理用户" in err
    monkeypatch.setenv("FUPIN_USER", "admin")
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    code, out, _ = run(capsys, "households", "history", "--store", s, ids[0], "--json")
    assert [i["title"].split(" — ")[0] for i in json.loads(out) if i["kind"] == "step"] \
        == ["农户申请"]


def test_bad_input_is_refused_in_chinese(station: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    s = str(station)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"village_code": "513431102200"}]', "utf-8")
    code, _, err = run(capsys, "households", "add", "--store", s, "--json", str(bad))
    assert code == 1 and "members" in err
    bad.write_text("not json", "utf-8")
    code, _, err = run(capsys, "households", "add", "--store", s, "--json", str(bad))
    assert code == 1 and "JSON" in err
    code, _, err = run(capsys, "procedure", "record", "--store", s, "--step", "公告",
                       "--household", "x", "--date", "2026-09-05")
    assert code == 1 and "可记录的步骤" in err
    code, _, err = run(capsys, "notice", "close", "--store", s, "--notice", "2026-099")
    assert code == 1 and "没有编号" in err
    code, _, err = run(capsys, "county", "review", "--store", s)
    assert code == 1 and "无权" in err
