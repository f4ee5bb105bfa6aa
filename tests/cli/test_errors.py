"""The CLI's error path: a bug ends in a Chinese message and one log entry, no traceback
and no personal data; --verbose shows the stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli.station
from cli.main import main
from registry import applog
from tests.cli.test_station_commands import demo_station, env, run  # noqa: F401


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv(applog.LOG_DIR_ENV, str(folder))
    return folder


def _personal_data(store: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run(capsys, "households", "list", "--store", str(store), "--json")
    assert code == 0
    rows = json.loads(out)[:5]
    return [r["head_name"] for r in rows] + [r["head_id_number"] for r in rows]


def test_a_bug_is_a_message_and_a_log_entry(demo_station: Path, log_dir: Path,  # noqa: F811
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    personal = _personal_data(demo_station, capsys)

    def broken(session: object, ids: list[str]) -> None:
        raise KeyError(" ".join(personal))  # a bug whose message quotes personal data

    monkeypatch.setattr(cli.station, "household_rows", broken)
    code, out, err = run(capsys, "households", "list", "--store", str(demo_station))
    assert code == 1 and out == ""
    assert err.startswith("错误:程序内部错误(KeyError)") and "Traceback" not in err
    assert str(log_dir / applog.LOG_FILE) in err
    text = (log_dir / applog.LOG_FILE).read_text(encoding="utf-8")
    assert text.count(" ERROR ") == 1 and "fupin households: failed" in text
    assert "cli/station.py" in text and "builtins.KeyError" in text
    for value in personal:
        assert value not in text and value not in err

    code, _, err = run(capsys, "--verbose", "households", "list", "--store", str(demo_station))
    assert code == 1 and "builtins.KeyError" in err
    for value in personal:
        assert value not in err


def test_a_refusal_is_its_message(tmp_path: Path, log_dir: Path, env: pytest.MonkeyPatch,  # noqa: F811
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "households", "list", "--store", str(tmp_path / "none.db"))
    assert code == 1 and err.startswith("错误:") and "日志" not in err
    assert "refused" in (log_dir / applog.LOG_FILE).read_text(encoding="utf-8")


def test_main_module_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0 and "--verbose" in capsys.readouterr().out
