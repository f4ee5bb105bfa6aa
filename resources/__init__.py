"""Files the program ships: region codes, icons. Import-free of Qt and of the core."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
