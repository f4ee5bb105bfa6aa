"""The user guide's PDF: built from docs/使用手册.md with its pictures, the font embedded."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from reports.guide import build_guide

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_guide_pdf(tmp_path: Path) -> None:
    out = tmp_path / "使用手册.pdf"
    started = time.perf_counter()
    pages = build_guide(DOCS / "使用手册.md", out)
    took = time.perf_counter() - started
    assert pages >= 5 and took < 20
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data
    assert data.count(b"/Subtype /Image") >= 8
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("安装", "建立工作站", "备份与恢复", "用恢复密钥打开", "与县扶贫办同步"):
        assert heading in text
