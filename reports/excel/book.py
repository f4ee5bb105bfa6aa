"""Opening a filled-in workbook for reading, refusing what is not one with a Chinese message
(a text file renamed .xlsx, an old .xls, an empty file, a broken zip) and what is too big
to be a township's data (checked on the sizes the zip declares, which also bound what
decompressing may produce).

openpyxl reads the package: content types, workbook, relationships, styles (which style
ids are dates) and the 1904 flag. Its read-only worksheets are not used: each one walks
its whole sheet XML at opening when the sheet lacks a <dimension> element (minutes for a
million rows), so the rows and the shared strings are read by sheetxml.py.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.xml.constants import SHARED_STRINGS

from reports.excel.errors import WorkbookError
from reports.excel.sheetxml import SheetSource, read_shared_strings

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook
_ZIP = b"PK\x03\x04"
_END_OF_ZIP = b"PK\x05\x06"
_MANY_PARTS = 0xFFFF  # the end record's count when a zip has more parts than that
MIB = 2**20
MAX_SHEET_BYTES = 1024 * MIB  # one worksheet's XML: a full 50,000-household export is ~150 MiB
MAX_STRINGS_BYTES = 128 * MIB  # the shared-strings table (text as Excel and WPS store it)
MAX_OTHER_BYTES = 32 * MIB  # workbook, relationships, styles, content types


@dataclass
class Book:
    """An open workbook: its sheets' parts, shared strings and date styles."""

    path: Path
    handle: IO[bytes]
    sheets: dict[str, str]  # sheet name → worksheet part, in the workbook's order
    shared_strings: list[str]
    date_styles: set[int]
    epoch: Any

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def source(self, sheet: str) -> SheetSource:
        return SheetSource(self.handle, self.sheets[sheet], self.shared_strings,
                           self.date_styles, self.epoch, sheet)

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_book(path: Path) -> Book:
    path = Path(path)
    if not path.is_file():
        raise WorkbookError(f"找不到文件:{path}")
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise WorkbookError(f"文件“{path.name}”是空的(0字节),不是Excel工作簿")
    if head.startswith(_OLE2):
        raise WorkbookError(f"“{path.name}”是旧版Excel(.xls)文件,或是设置了打开密码的工作簿:"
                            "请在Excel中去掉密码并“另存为”Excel工作簿(.xlsx)后再导入")
    if not head.startswith(_ZIP):
        raise WorkbookError(f"“{path.name}”不是Excel工作簿(.xlsx)文件,"
                            "可能是改了扩展名的文本或其他文件")
    handle = open(path, "rb")  # noqa: SIM115 - closed with the Book
    try:
        _check_part_count(handle, path)
        return _read_book(path, handle)
    except WorkbookError:
        handle.close()
        raise
    except Exception:
        handle.close()
        raise WorkbookError(f"“{path.name}”不是有效的Excel工作簿(.xlsx),"
                            "文件可能已损坏或是其他类型的文件") from None


def _check_part_count(handle: IO[bytes], path: Path) -> None:
    """A zip listing millions of parts would fill memory before anything is read: its
    end record says how many there are (a workbook has a few dozen)."""
    size = handle.seek(0, 2)
    handle.seek(max(0, size - 65_557))  # the end record and the longest zip comment
    tail = handle.read()
    at = tail.rfind(_END_OF_ZIP)
    if at >= 0 and len(tail) >= at + 12:
        (parts,) = struct.unpack("<H", tail[at + 10:at + 12])
        if parts == _MANY_PARTS:
            raise WorkbookError(f"“{path.name}”中的部件数量异常(超过65535个),"
                                "不是本系统可以导入的Excel工作簿")
    handle.seek(0)


def _read_book(path: Path, handle: IO[bytes]) -> Book:
    reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False)
    archive: zipfile.ZipFile = reader.archive
    reader.read_manifest()
    strings = reader.package.find(SHARED_STRINGS)
    strings_part = strings.PartName[1:] if strings is not None else None
    for info in archive.infolist():
        if info.filename != strings_part and not info.filename.startswith("xl/worksheets/") \
                and info.file_size > MAX_OTHER_BYTES:
            raise WorkbookError(f"“{path.name}”中的“{info.filename}”部分异常地大"
                                f"({info.file_size // MIB} MB),不是本系统可以导入的Excel工作簿")
    reader.read_workbook()
    apply_stylesheet(archive, reader.wb)
    sheets: dict[str, str] = {}
    for sheet, rel in reader.parser.find_sheets():
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
            sheets[sheet.name] = rel.target
    for name, part in sheets.items():
        size = archive.getinfo(part).file_size
        if size > MAX_SHEET_BYTES:
            raise WorkbookError(
                f"工作表“{name}”的内容解压后有 {size // MIB} MB,超过一次导入的上限"
                f"({MAX_SHEET_BYTES // MIB} MB)。请检查是否选错了文件,"
                "或删去表格中多余的行、列后分成几个文件导入")
    shared: list[str] = []
    if strings_part is not None and strings_part in reader.valid_files:
        size = archive.getinfo(strings_part).file_size
        if size > MAX_STRINGS_BYTES:
            raise WorkbookError(
                f"“{path.name}”中的文字内容解压后有 {size // MIB} MB,超过一次导入的上限"
                f"({MAX_STRINGS_BYTES // MIB} MB)。请检查是否选错了文件,或分成几个文件导入")
        with archive.open(strings_part) as xml:
            shared = read_shared_strings(xml)
    return Book(path, handle, sheets, shared, set(getattr(reader.wb, "_date_formats", set())),
                reader.wb.epoch)

