"""What the PDF tests share: poppler's pdftotext / pdffonts / pdfinfo / pdftoppm, and a
small household maker. (No tests here; named so it sits with the PDF tests.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from forms.idnumber import check_digit

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils 未安装 (apt-get install poppler-utils)")


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    return subprocess.run([*cmd, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_texts(pdf: Path) -> list[str]:
    """One text per page (pdftotext separates pages with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in
                                                 out.splitlines())}


def page_size(pdf: Path) -> tuple[float, float]:
    m = re.match(r"([\d.]+) x ([\d.]+)", pdf_info(pdf)["Page size"])
    assert m
    return float(m.group(1)), float(m.group(2))


def fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts rows: name, type, emb."""
    lines = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type [type2] encoding emb sub uni id gen: emb is the 5th field from the end
        rows.append({"name": parts[0], "emb": parts[-5]})
    return rows


def assert_fonts_embedded(pdf: Path) -> None:
    rows = fonts(pdf)
    assert rows, "PDF 中没有字体"
    assert all(r["emb"] == "yes" for r in rows), rows


def render(pdf: Path, folder: Path, dpi: int = 30) -> list[Path]:
    """pdftoppm every page to PNG; each must show ink (not a blank page)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "p")],
                   check=True)
    pngs = sorted(folder.glob("p-*.png"))
    for png in pngs:
        with Image.open(png) as im:
            lo, _ = im.convert("L").getextrema()
            assert lo < 100, f"{png.name} 是空白页"
    return pngs


def idn(first17: str) -> str:
    return first17 + check_digit(first17)


def household(village: str, stage: str = "30", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "village_code": village, "group_no": 2, "identification_standard": "1",
        "attribute": "1", "stage": stage, "poverty_status": "1", "main_cause": "01",
        "phone": "13912345678", "bank_account": "6228480012345678901",
    }
    values.update(changes)
    return values


def head(name: str, seq: str = "001") -> dict[str, Any]:
    return {"name": name, "id_number": idn(f"51343119700101{seq}"), "relation": "01",
            "ethnicity": "01", "health": "3"}
