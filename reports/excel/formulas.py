"""Values from a user or a store are written as text, never as live formulas.

openpyxl turns a str that starts with "=" into a formula as soon as it is given to a cell
(and "#N/A" and the other error codes into error cells): `=HYPERLINK("http://…"&D3)` or
`=WEBSERVICE(…)` typed into a name or read from a store would run in the workbook the clerk
is told to open. Here such values become string cells. Excel, WPS and LibreOffice never
evaluate a string cell, so the text is kept exactly as it was, without the leading
apostrophe of the OWASP advice: that advice is for CSV, where every field is parsed as if
typed, and an apostrophe stored in the value would come back on re-import (and mangle a
plain "-" or "+86 …"). What a string cell does not stop is a user editing it (F2, Enter):
Excel then parses the text anew. Cells that start like a formula (=, +, -, @, their
full-width forms, also after spaces, tabs or line breaks) therefore carry the style flag
quotePrefix, which is what Excel itself records when one types '=…: the cell shows and
stays text, while its value has no apostrophe.

The marked copy of a small refused workbook is the user's file loaded whole: its formula
cells are loaded as the values the import read (data_only), and `drop_live_rules` removes
conditional formats and data validations whose formulas could run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

_FORMULA_START = frozenset("=+-@＝＋－＠")
_LEADING_SPACE = " \t\r\n\u3000"
# First characters worth a closer look (the common text starts with neither).
SUSPECT_FIRST = frozenset(_FORMULA_START | set(_LEADING_SPACE))
# A validation or rule formula that only names cells or lists choices cannot run anything.
_PLAIN_REFERENCE = re.compile(
    r"^(?:(?:'[^']+'|[A-Za-z_][\w.]*)!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?$")
_LITERAL = re.compile(r'^(?:"[^"]*"|-?\d+(?:\.\d+)?)$')


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula if it were typed."""
    stripped = text.lstrip(_LEADING_SPACE)
    return bool(stripped) and stripped[0] in _FORMULA_START


def needs_text_cell(value: Any) -> bool:
    """A str that openpyxl would not store as a plain string, or that looks like a formula."""
    return isinstance(value, str) and bool(value) and (
        value[0] in SUSPECT_FIRST and starts_like_formula(value) or value in ERROR_CODES)


def as_text(ws: Any, value: Any) -> Any:
    """The value for `ws.append`: unchanged, or a string cell for the risky ones."""
    if not needs_text_cell(value):
        return value
    cell = WriteOnlyCell(ws, value)
    return mark_text(cell)


def mark_text(cell: Cell) -> Cell:
    """Makes a cell holding a str a string cell (its style kept) with quotePrefix."""
    cell.data_type = "s"
    if starts_like_formula(cell.value):
        cell.quotePrefix = True
    return cell


def text_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    return [as_text(ws, v) for v in values]


def _plain_formula(formula: str | None) -> bool:
    if formula is None:
        return True
    text = formula.strip().lstrip("=")
    return bool(_PLAIN_REFERENCE.match(text) or _LITERAL.match(text))


def drop_live_rules(ws: Any) -> None:
    """Removes the data validations and conditional formats of a loaded sheet whose
    formulas do more than name cells or list choices (the template's drop-downs stay)."""
    validations = ws.data_validations
    validations.dataValidation = [
        dv for dv in validations.dataValidation
        if _plain_formula(dv.formula1) and _plain_formula(dv.formula2)]
    kept = []
    for cf in ws.conditional_formatting:
        rules = [r for r in cf.rules if all(_plain_formula(f) for f in r.formula or ())]
        if rules:
            kept.append((cf.sqref, rules))
    ws.conditional_formatting = type(ws.conditional_formatting)()
    for sqref, rules in kept:
        for rule in rules:
            ws.conditional_formatting.add(str(sqref), rule)
