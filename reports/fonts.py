"""The CJK TrueType font every PDF embeds, found on the machine at run time.

Never the built-in CID fonts (they embed nothing and print differently on each PC), and
never a font committed to the repository: the installer bundles one (with its licence)
under resources/fonts/, Debian has fonts-wqy-microhei, Windows has msyh/simsun. A font
that lacks a character would print an empty box, which on a 公示 means a wrong name, so
every text is checked against the fonts' character maps first (see `check`).

Further fonts found (e.g. Windows' SimSun-ExtB) serve as fallbacks for the characters the
main font lacks: rare surname characters such as 㛃 or 䶮.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from registry.errors import UserError

FONT_ENV = "FUPIN_FONT"  # a font file to use before any other

# (file name, subfont index) in order of preference; .ttc files hold several faces.
_SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("msyh.ttc", 0),
    ("msyh.ttf", 0),
    ("simsun.ttc", 0),
    ("simhei.ttf", 0),
    ("simkai.ttf", 0),
    ("simsunb.ttf", 0),  # SimSun-ExtB: CJK Extension B, a fallback for rare characters
    ("uming.ttc", 0),
    ("ukai.ttc", 0),
)
_SYSTEM_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/wqy-microhei",
    "/usr/share/fonts/wenquanyi/wqy-microhei",
    "/usr/share/fonts/truetype/arphic",
    "/usr/share/fonts/truetype",
)

# Characters that never need a glyph (layout only).
_IGNORED = frozenset(" \t\r\n\u3000\u00a0\u200b")


class FontMissing(UserError):
    """No usable CJK TrueType font; the message says what to install."""


class MissingGlyphs(UserError):
    """Some characters are in no font we have; printing them would show boxes."""

    def __init__(self, message: str, chars: dict[str, list[str]]):
        super().__init__(message)
        self.chars = chars  # character → where it is used (e.g. "尼日村 王㛃")


@dataclass(frozen=True)
class Face:
    """One registered TrueType face: its ReportLab name and the characters it covers."""

    name: str
    path: Path
    index: int
    family: str
    codepoints: frozenset[int] = field(repr=False)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.codepoints


@dataclass(frozen=True)
class FontSet:
    """The main face plus fallbacks, in order."""

    main: Face
    fallbacks: tuple[Face, ...] = ()

    @property
    def name(self) -> str:
        return self.main.name

    def face_for(self, ch: str) -> Face | None:
        if self.main.covers(ch):
            return self.main
        return next((f for f in self.fallbacks if f.covers(ch)), None)

    def missing(self, text: str) -> set[str]:
        return {ch for ch in set(text) - _IGNORED if self.face_for(ch) is None}

    def needs_fallback(self, text: str) -> bool:
        main = self.main.codepoints
        return any(ord(ch) not in main for ch in text if ch not in _IGNORED)

    def check(self, texts: Sequence[tuple[str, str]]) -> None:
        """Raises MissingGlyphs naming every character no face has, and where it is used.

        `texts` are (where, text) pairs, e.g. ("尼日村 王㛃户", "王㛃")."""
        seen: set[str] = set()
        for _, text in texts:
            seen.update(text)
        lacking = sorted(self.missing("".join(seen)))
        if not lacking:
            return
        places: dict[str, list[str]] = {ch: [] for ch in lacking}
        wanted = set(lacking)
        for where, text in texts:
            for ch in set(text) & wanted:
                if len(places[ch]) < 5 and where not in places[ch]:
                    places[ch].append(where)
        raise MissingGlyphs(missing_message(self, places), places)


def missing_message(fonts: FontSet, places: dict[str, list[str]]) -> str:
    parts = []
    for ch, where in places.items():
        at = f"(见:{'、'.join(where)})" if where else ""
        parts.append(f"“{ch}”U+{ord(ch):04X}{at}")
    families = "、".join([fonts.main.family, *(f.family for f in fonts.fallbacks)])
    return (f"字体({families})中没有以下汉字,打印出来会是空白方框,已停止生成:"
            f"{';'.join(parts)}。请安装含有这些字的 TrueType 字体(如 Windows 的"
            f"“SimSun-ExtB”simsunb.ttf 或微软雅黑),或把字体文件放到程序目录的"
            f" resources/fonts 文件夹中,再重新打印。")


def _bundled_dirs() -> list[Path]:
    """resources/fonts next to the program: the source tree, the frozen app, the exe."""
    dirs = [Path(__file__).resolve().parents[1] / "resources" / "fonts"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "resources" / "fonts")
    dirs.append(Path(sys.executable).resolve().parent / "resources" / "fonts")
    return dirs


def _system_dirs() -> list[Path]:
    dirs = [Path(d) for d in _SYSTEM_DIRS]
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs += [Path.home() / ".fonts", Path.home() / ".local" / "share" / "fonts",
             Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    return dirs


def candidates() -> list[tuple[Path, int]]:
    """Font files to try, best first: $FUPIN_FONT, bundled copies, then the system's."""
    found: list[tuple[Path, int]] = []
    explicit = os.environ.get(FONT_ENV)
    if explicit:
        found.append((Path(explicit), 0))
    for d in _bundled_dirs():
        if d.is_dir():
            found += [(p, 0) for p in sorted(d.iterdir())
                      if p.suffix.lower() in (".ttf", ".ttc")]
    for d in _system_dirs():
        for name, index in _SYSTEM_FONTS:
            p = d / name
            if p.is_file():
                found.append((p, index))
    unique: list[tuple[Path, int]] = []
    for c in found:
        if c not in unique:
            unique.append(c)
    return unique


def _has_cjk(face: Face) -> bool:
    return all(face.covers(ch) for ch in "中文户主姓名公示")


class MemoTTFont(TTFont):  # type: ignore[misc]  # ReportLab is untyped
    """A TrueType face that remembers what it worked out for a string: a village's 扶贫手册
    draws the same few thousand labels and values a hundred thousand times, and ReportLab
    maps each string to subset codes and measures its width anew every time (a third of
    the handbook's time). Both answers never change for a string: subset codes, once given
    to a character in a document, stay (ReportLab's own per-document state); widths depend
    on the text and size only."""

    _WIDTHS_MAX = 200_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._splits: weakref.WeakKeyDictionary[Any, dict[str, Any]] = \
            weakref.WeakKeyDictionary()
        self._widths: dict[tuple[str, float], float] = {}

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:  # noqa: N802
        memo = self._splits.get(doc)
        if memo is None:
            memo = self._splits[doc] = {}
        found = memo.get(text)
        if found is None:
            found = memo[text] = super().splitString(text, doc, encoding)
        return found

    def stringWidth(self, text: Any, size: float, encoding: str = "utf8") -> float:  # noqa: N802
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) >= self._WIDTHS_MAX:
                self._widths.clear()
            width = self._widths[key] = super().stringWidth(text, size, encoding)
        return width


def load_face(path: Path, index: int = 0) -> Face:
    """Registers a TrueType face with ReportLab (embedded and subset in every PDF)."""
    name = f"CJK-{path.stem}-{index}"
    font = MemoTTFont(name, str(path), subfontIndex=index)
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    family = font.face.familyName
    family_text = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
    return Face(name, path, index, family_text, frozenset(font.face.charToGlyph))


@lru_cache(maxsize=4)
def _find(explicit: str | None) -> FontSet:
    tried: list[str] = []
    faces: list[Face] = []
    options = [(Path(explicit), 0)] if explicit else []
    for path, index in options + candidates():
        try:
            face = load_face(path, index)
        except Exception as e:  # noqa: BLE001 — CFF outlines, damaged files: try the next
            tried.append(f"{path}({e})")
            continue
        if not _has_cjk(face):
            tried.append(f"{path}(不含常用汉字)")
            continue
        if all(f.path != face.path for f in faces):
            faces.append(face)
    if not faces:
        detail = ";已尝试:" + ";".join(tried) if tried else ""
        raise FontMissing(
            "找不到可嵌入PDF的中文 TrueType 字体,无法打印。请安装文泉驿微米黑"
            "(Debian/Ubuntu:apt-get install fonts-wqy-microhei),或在 Windows 上确认"
            "有微软雅黑(msyh.ttc)或宋体(simsun.ttc),或把字体文件放到程序目录的"
            f" resources/fonts 文件夹中。{detail}")
    return FontSet(faces[0], tuple(faces[1:]))


def find_fonts(explicit: Path | str | None = None) -> FontSet:
    """The main CJK face (plus fallbacks), registered with ReportLab; raises FontMissing."""
    return _find(str(explicit) if explicit else None)
