"""The CJK font is registered from the system, and every icon the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop import look

DESKTOP = Path(look.__file__).resolve().parent


def test_cjk_font_is_registered_and_used(qtbot: QtBot) -> None:
    if look.find_cjk_font() is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-wqy-microhei)")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    look.apply(app)
    family = look.register_font()
    assert family and ("WenQuanYi" in family or "Microsoft YaHei" in family
                       or "SimSun" in family)
    assert app.font().family() == family


def test_every_icon_named_in_the_code_exists(qtbot: QtBot) -> None:
    named = set()
    for source in DESKTOP.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        named |= set(re.findall(r'icon\("([a-z_]+)"\)', text))
        named |= set(re.findall(r'act\("[^"]*", "([a-z_]+)"', text))
    named |= {"lock"}  # the cover's picture
    assert named
    for name in sorted(named):
        assert not look.icon(name).isNull(), name
