"""The lxml reader of sheet XML converts values as openpyxl does, for what Excel, WPS and
other programs write (shared and rich strings, phonetic runs, formulas, missing refs)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl.utils.datetime import WINDOWS_EPOCH

from reports.excel.sheetxml import SheetSource, iter_rows

SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:F4"/>
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>吉克</t></r>
<r><rPr><b/></rPr><t xml:space="preserve">阿呷 </t></r><rPh sb="0" eb="1"><t>jike</t></rPh>
</is></c><c r="C1" t="b"><v>1</v></c><c r="D1" t="e"><v>#N/A</v></c>
<c r="E1" t="str"><f>A1&amp;"x"</f><v>户主x</v></c><c r="F1" s="3"/></row>
<row r="3"><c r="A3" s="1"><v>29361</v></c><c r="B3"><v>3</v></c><c r="C3"><v>2.5</v></c>
<c r="D3"><v>5.13431197001E+17</v></c><c r="E3" t="d"><v>1980-05-20T00:00:00</v></c></row>
<row><c><v>7</v></c><c><v>8</v></c></row>
</sheetData>
<mergeCells count="1"><mergeCell ref="A5:B5"/></mergeCells>
</worksheet>"""


def test_values_as_openpyxl_reads_them() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", SHEET)
    src = SheetSource(buffer, "xl/worksheets/sheet1.xml", ["户主"], {1}, WINDOWS_EPOCH)
    rows = list(iter_rows(src))
    assert rows == [
        (1, {1: "户主", 2: "吉克阿呷 ", 3: True, 4: "#N/A", 5: "户主x"}),
        (3, {1: datetime(1980, 5, 20), 2: 3, 3: 2.5, 4: 5.13431197001e17,
             5: datetime(1980, 5, 20)}),
        (4, {1: 7, 2: 8}),
    ]
    assert src.merged == ["A5:B5"]
