"""`fupin backup`, `fupin restore` and `fupin keys rebuild` on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import PASSWORD, TOWNSHIP


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.delenv("FUPIN_USER", raising=False)
    monkeypatch.delenv("FUPIN_RECOVERY_KEY", raising=False)
    monkeypatch.delenv("FUPIN_NEW_PASSWORD", raising=False)
    return monkeypatch


def _init(capsys: pytest.CaptureFixture[str], store: Path, township: str = TOWNSHIP,
          households: int = 20) -> str:
    code, out, _ = run(capsys, "init", "--store", str(store), "--township", township,
                       "--user", "admin", "--json")
    assert code == 0
    assert run(capsys, "demo", "--store", str(store), "--households", str(households))[0] == 0
    return str(json.loads(out)["recovery_key"])


def _ids(capsys: pytest.CaptureFixture[str], store: Path) -> list[str]:
    code, out, err = run(capsys, "households", "list", "--store", str(store), "--json")
    assert code == 0, err
    return sorted(r["id"] for r in json.loads(out))


def test_backup_then_restore_after_the_store_is_gone(
        tmp_path: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "pc" / "zhuhe.db"
    store.parent.mkdir()
    _init(capsys, store)
    before = _ids(capsys, store)
    usb = tmp_path / "usb"
    usb.mkdir()
    code, out, err = run(capsys, "backup", "--store", str(store), "--out", str(usb), "--json")
    assert code == 0, err
    made = json.loads(out)
    assert made["households"] == 20 and Path(made["keys"]).is_file()
    assert Path(made["backup"]).name.startswith("备份-513431102-竹核镇-")

    for f in store.parent.iterdir():
        f.unlink()
    code, out, err = run(capsys, "restore", "--from", made["backup"], "--store", str(store))
    assert code == 0, err
    assert "已从备份恢复" in out
    assert _ids(capsys, store) == before
    assert run(capsys, "verify", "--store", str(store))[0] == 0


def test_restore_refusals(tmp_path: Path, env: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "zhuhe.db"
    _init(capsys, store)
    other = tmp_path / "other.db"
    _init(capsys, other, township="513431103", households=3)
    usb = tmp_path / "usb"
    usb.mkdir()
    code, out, _ = run(capsys, "backup", "--store", str(other), "--out", str(usb), "--json")
    other_backup = json.loads(out)["backup"]
    code, _, err = run(capsys, "restore", "--from", other_backup, "--store", str(store),
                       "--force")
    assert code == 1 and "不是当前数据库的备份" in err and "Traceback" not in err
    assert len(_ids(capsys, store)) == 20

    code, out, _ = run(capsys, "backup", "--store", str(store), "--out", str(usb), "--json")
    own = json.loads(out)["backup"]
    assert run(capsys, "demo", "--store", str(store), "--households", "2", "--seed", "9")[0] == 0
    code, _, err = run(capsys, "restore", "--from", own, "--store", str(store))
    assert code == 1 and "备份比当前数据库旧" in err and "--force" in err
    assert len(_ids(capsys, store)) == 22
    code, out, err = run(capsys, "restore", "--from", own, "--store", str(store), "--force",
                         "--json")
    assert code == 0, err
    assert Path(json.loads(out)["replaced"]).is_file()
    assert len(_ids(capsys, store)) == 20

    env.setenv("FUPIN_PASSWORD", "wrong-password")
    code, _, err = run(capsys, "restore", "--from", own, "--store", str(store))
    assert code == 1 and "密码不正确" in err


def test_restore_with_the_recovery_key(tmp_path: Path, env: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "zhuhe.db"
    key = _init(capsys, store)
    code, out, _ = run(capsys, "backup", "--store", str(store), "--out", str(tmp_path),
                       "--json")
    made = Path(json.loads(out)["backup"])
    Path(f"{made}.keys").unlink()  # only the recovery key is left
    for f in (store, Path(f"{store}.keys")):
        f.unlink()
    env.setenv("FUPIN_PASSWORD", "nothing")
    code, _, err = run(capsys, "restore", "--from", str(made), "--store", str(store))
    assert code == 1 and "恢复密钥" in err
    env.setenv("FUPIN_RECOVERY_KEY", key)
    code, out, err = run(capsys, "restore", "--from", str(made), "--store", str(store))
    assert code == 0, err
    assert "keys rebuild" in out


def test_keys_rebuild(tmp_path: Path, env: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "zhuhe.db"
    key = _init(capsys, store, households=2)
    Path(f"{store}.keys").unlink()
    code, _, err = run(capsys, "households", "list", "--store", str(store))
    assert code == 1 and "恢复密钥" in err

    env.setenv("FUPIN_NEW_PASSWORD", "fresh-pass-9")
    env.setenv("FUPIN_RECOVERY_KEY", "0000-" * 15 + "0000")
    code, _, err = run(capsys, "keys", "rebuild", "--store", str(store))
    assert code == 1 and "恢复密钥不正确" in err
    assert not Path(f"{store}.keys").exists()

    env.setenv("FUPIN_RECOVERY_KEY", key.lower().replace("-", " "))
    code, out, err = run(capsys, "keys", "rebuild", "--store", str(store))
    assert code == 0, err
    env.delenv("FUPIN_RECOVERY_KEY")
    env.setenv("FUPIN_PASSWORD", "fresh-pass-9")
    code, out, _ = run(capsys, "users", "list", "--store", str(store), "--json")
    assert code == 0 and {"user": "管理员", "role": "admin"} in json.loads(out)
    env.setenv("FUPIN_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "households", "list", "--store", str(store), "--user", "admin")
    assert code == 1 and "密码不正确" in err
