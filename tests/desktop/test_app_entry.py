"""The README's first command, `fupin-station --demo`, where there is no screen: it builds
the demo station once and says how to open it, without touching Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import app
from registry.store import Store


def test_demo_without_a_screen_builds_the_station_and_explains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.demo.ensure_demo_station, "__defaults__", (40,))
    assert app.main(["--demo", "--demo-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().err  # a console message: stderr, when there is one
    assert "登录用户:admin" in out and "xvfb-run -a .venv/bin/fupin-station" in out
    store = tmp_path / "zhuhe-demo.db"
    with Store.open(store, app.demo.DEMO_USER, app.demo.DEMO_PASSWORD) as opened:
        assert opened.info.region_name == "竹核镇"
    assert app.main(["--demo", "--demo-dir", str(tmp_path)]) == 0  # the second run reuses it
    assert "恢复密钥" not in capsys.readouterr().err
