"""Finding every formula in a workbook we wrote, twice over: as openpyxl loads it and in
the raw XML of its parts (a formula cell <f>, a validation's <formula1>/<formula2>, a
conditional format's <formula>, a defined name). The only formulas we write on purpose are
the drop-downs' lists on the hidden code sheet; anything else is reported."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook

# The template's and the export's drop-downs: a column of the hidden sheet “代码表”.
ALLOWED = re.compile(r"^'代码表'!\$[A-Z]{1,3}\$1:\$[A-Z]{1,3}\$\d+$")
_FORMULA_CELL = re.compile(r"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_RULE_FORMULA = re.compile(r"<(?:\w+:)?(formula[12]?)>(.*?)</(?:\w+:)?formula[12]?>", re.S)
_DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b[^>]*>(.*?)</(?:\w+:)?definedName>", re.S)


def live_formulas(path: Path) -> list[str]:
    """Every formula found, as “where: formula”; empty when the workbook holds none but
    the allowed drop-down lists."""
    found = [f"openpyxl {where}: {text}" for where, text in _loaded(path)
             if not ALLOWED.match(text.lstrip("="))]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            xml = archive.read(name).decode("utf-8")
            found += [f"{name} <f>: {m.group(0)[:80]}" for m in _FORMULA_CELL.finditer(xml)]
            found += [f"{name} <{m.group(1)}>: {m.group(2)}" for m in _RULE_FORMULA.finditer(xml)
                      if not ALLOWED.match(html.unescape(m.group(2)))]
            found += [f"{name} definedName: {m.group(1)}" for m in _DEFINED_NAME.finditer(xml)]
    return found


def _loaded(path: Path) -> list[tuple[str, str]]:
    wb = load_workbook(path)
    out: list[tuple[str, str]] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    out.append((f"{ws.title}!{cell.coordinate}", str(cell.value)))
        for dv in ws.data_validations.dataValidation:
            out += [(f"{ws.title} validation {dv.sqref}", f) for f in (dv.formula1, dv.formula2)
                    if f is not None]
        for cf in ws.conditional_formatting:
            out += [(f"{ws.title} rule {cf.sqref}", f) for rule in cf.rules
                    for f in rule.formula or ()]
    out += [(f"name {name}", str(dn.value)) for name, dn in wb.defined_names.items()]
    return out

