"""`fupin` as a script would use it: real store files, exit codes, Chinese errors, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import PASSWORD, TOWNSHIP


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.delenv("FUPIN_USER", raising=False)
    monkeypatch.delenv("FUPIN_RECOVERY_KEY", raising=False)
    return monkeypatch


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_station(tmp_path: Path, env: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> Path:
    store = tmp_path / "zhuhe.db"
    assert run(capsys, "init", "--store", str(store), "--township", TOWNSHIP,
               "--user", "admin")[0] == 0
    assert run(capsys, "demo", "--store", str(store), "--households", "30", "--seed", "3")[0] == 0
    return store


def test_init_prints_the_recovery_key_once(tmp_path: Path, env: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--store", str(tmp_path / "c.db"), "--county", "513431",
                       "--user", "县管理员", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "county" and data["region_name"] == "昭觉县"
    assert len(data["recovery_key"].replace("-", "")) == 64
    code, _, err = run(capsys, "init", "--store", str(tmp_path / "c.db"), "--county", "513431",
                       "--user", "x")
    assert code == 1 and "文件已存在" in err


def test_households_list_and_show(demo_station: Path, capsys: pytest.CaptureFixture[str]
                                  ) -> None:
    code, out, _ = run(capsys, "households", "list", "--store", str(demo_station), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 30
    first = rows[0]
    assert {"id", "village_code", "village_name", "group_no", "head_name", "head_id_number",
            "size", "status"} <= set(first)
    surname = first["head_name"][0]
    code, out, _ = run(capsys, "households", "list", "--store", str(demo_station), "--search",
                       surname, "--json")
    assert first["id"] in {r["id"] for r in json.loads(out)}
    code, out, _ = run(capsys, "households", "list", "--store", str(demo_station), "--search",
                       first["village_code"], "--json")
    assert all(r["village_code"] == first["village_code"] for r in json.loads(out))
    code, out, _ = run(capsys, "households", "show", "--store", str(demo_station), first["id"])
    assert code == 0 and first["head_name"] in out and "家庭成员" in out
    code, _, err = run(capsys, "households", "show", "--store", str(demo_station), "no-such-id")
    assert code == 1 and "不存在" in err


def test_wrong_password_exits_non_zero_in_chinese(demo_station: Path, env: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("FUPIN_PASSWORD", "wrong-password")
    code, out, err = run(capsys, "households", "list", "--store", str(demo_station))
    assert code == 1 and out == ""
    assert "用户名或密码不正确" in err


def test_users_add_passwd_remove(demo_station: Path, env: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    store = str(demo_station)
    env.setenv("FUPIN_NEW_PASSWORD", "clerk-pass-1")
    assert run(capsys, "users", "add", "--store", store, "--user", "admin", "王会计")[0] == 0
    env.setenv("FUPIN_PASSWORD", "clerk-pass-1")
    env.setenv("FUPIN_NEW_PASSWORD", "clerk-pass-2")
    assert run(capsys, "users", "passwd", "--store", store, "--user", "王会计")[0] == 0
    env.setenv("FUPIN_PASSWORD", "clerk-pass-2")
    code, out, _ = run(capsys, "users", "list", "--store", store, "--user", "王会计", "--json")
    assert {"user": "王会计", "role": "entry"} in json.loads(out)  # 录入员
    env.setenv("FUPIN_PASSWORD", PASSWORD)
    assert run(capsys, "users", "remove", "--store", store, "--user", "admin", "王会计")[0] == 0
    env.setenv("FUPIN_PASSWORD", "clerk-pass-2")
    code, _, err = run(capsys, "verify", "--store", store, "--user", "王会计")
    assert code == 1 and "用户名或密码不正确" in err


def test_verify_and_a_store_with_two_users_needs_a_name(
        demo_station: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", "--store", str(demo_station), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    env.setenv("FUPIN_NEW_PASSWORD", "clerk-pass-1")
    run(capsys, "users", "add", "--store", str(demo_station), "李四")
    code, _, err = run(capsys, "verify", "--store", str(demo_station))
    assert code == 1 and "--user" in err


def test_a_bad_argument_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["demo", "--store", "x.db"])
    assert caught.value.code == 2
    assert "参数错误" in capsys.readouterr().err
