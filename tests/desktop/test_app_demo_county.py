"""`fupin-station --demo-county` where there is no screen: it builds the demo county once
(the county office's store with its stations beside it) and says how to open it."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import app
from registry.store import Store
from sync import demo_county


def test_demo_county_without_a_screen_builds_it_and_explains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(demo_county.ensure_demo_county, "__defaults__",
                        (2, 20, demo_county.DEMO_COUNTY, None))
    assert app.main(["--demo-county", "--demo-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().err
    assert "登录用户:admin" in out and "xvfb-run -a .venv/bin/fupin-station" in out
    assert "演示县已就绪" in out
    with Store.open(tmp_path / "county.db", demo_county.DEMO_USER,
                    demo_county.DEMO_PASSWORD) as opened:
        assert opened.info.kind == "county"
    assert app.main(["--demo-county", "--demo-dir", str(tmp_path)]) == 0  # reused
    assert "已导入" not in capsys.readouterr().err
