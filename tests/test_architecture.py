"""The dependency rule (forms ← registry ← reports, sync ← desktop), checked on imports; and
the desktop reaches the store only through core functions (no SQLAlchemy, no sessions)."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["forms", "registry", "reports", "sync", "cli", "desktop", "benchmarks"]
# What each package may import from the project (besides itself and resources).
ALLOWED = {
    "forms": set(),
    "registry": {"forms"},
    "reports": {"forms", "registry"},
    "sync": {"forms", "registry"},
    "cli": {"forms", "registry", "reports", "sync"},
    "benchmarks": {"forms", "registry", "reports", "sync", "cli"},
    "desktop": {"forms", "registry", "reports", "sync"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []


def test_only_desktop_imports_qt() -> None:
    offenders = [str(f.relative_to(ROOT)) for p in PACKAGES if p != "desktop"
                 for f in _files(p) if {"PySide6", "shiboken6"} & _imports(f)]
    assert offenders == []


def test_dependency_rule() -> None:
    project = set(PACKAGES)
    broken = []
    for package in PACKAGES:
        for f in _files(package):
            wrong = (_imports(f) & project) - ALLOWED[package] - {package}
            if wrong:
                broken.append(f"{f.relative_to(ROOT)} imports {sorted(wrong)}")
    assert broken == []


def test_the_rule_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from PySide6.QtWidgets import QWidget\nimport registry.store\n")
    assert {"PySide6", "registry"} <= _imports(bad)


# ---- the desktop does store work only through the core ------------------------------------
STORE_HANDLES = {"session", "sessions", "transaction", "engine"}  # Store's ways into SQL


def _store_handles(path: Path) -> set[str]:
    """Attributes of the store's SQL side that a file reaches for (`store.session()`…)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in STORE_HANDLES}


def test_desktop_imports_no_sqlalchemy() -> None:
    offenders = [str(f.relative_to(ROOT)) for f in _files("desktop")
                 if "sqlalchemy" in _imports(f)]
    assert offenders == []


def test_desktop_opens_no_sessions() -> None:
    offenders = [f"{f.relative_to(ROOT)}: {sorted(found)}" for f in _files("desktop")
                 if (found := _store_handles(f))]
    assert offenders == []


def test_the_store_rules_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import sqlalchemy as sa\nfrom sqlalchemy.orm import Session\n\n"
                   "def load(store):\n    with store.session() as s:\n"
                   "        return s.execute(sa.select(1))\n")
    assert "sqlalchemy" in _imports(bad)
    assert _store_handles(bad) == {"session"}


# SQL only SQLite (SQLCipher) understands. The same models run on PostgreSQL (issue 11):
# engine-specific SQL lives only in the store and search adapters (and in the SQLCipher
# backup and the migrations, which ask the dialect first).
SQLITE_ONLY = re.compile(
    r"""["']\s*PRAGMA\b|\bsqlite_master\b|USING fts5|\.op\("MATCH"\)|\bMATCH\s+'|\browid\b"""
    r"|INSERT OR (?:IGNORE|REPLACE)|json_extract\(|group_concat\("
    r"|func\.(?:instr|strftime|julianday|ifnull|group_concat|json_extract|printf)\b")
SQL_ADAPTERS = {"registry/store.py", "registry/search_index.py", "registry/backup.py",
                "registry/keyslots.py", "registry/migrations/__init__.py",
                "registry/migrations/versions/0001_schema1.py"}


def _sqlite_only_lines(path: Path) -> list[str]:
    found = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        if SQLITE_ONLY.search(code):
            found.append(f"{path.name}:{n}: {line.strip()}")
    return found


def test_no_sqlite_only_sql_outside_the_store_and_search_adapters() -> None:
    problems = []
    for package in ["registry", "reports", "sync", "cli"]:  # benchmarks time raw SQLite
        for path in _files(package):
            if str(path.relative_to(ROOT)) not in SQL_ADAPTERS:
                problems += [f"{path.parent.relative_to(ROOT)}/{p}"
                             for p in _sqlite_only_lines(path)]
    assert not problems, "\n".join(problems)


def test_the_sqlite_rule_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('rows = conn.exec_driver_sql("SELECT rowid FROM member")\n'
                   'n = select(func.instr(Region.name, text))\n', encoding="utf-8")
    assert len(_sqlite_only_lines(bad)) == 2


def test_every_store_argument_takes_a_server_url() -> None:
    """Wherever a command takes --store, a postgresql:// URL works as a file does (issue
    11), save the file store's own tools: backup, restore and the key files."""
    from cli.common import store_target
    from cli.main import build_parser

    file_only = {"backup", "restore", "keys"}
    found: list[tuple[str, object]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if "--store" in action.option_strings:
                found.append((" ".join(path), action.type))
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    assert len(found) > 30  # the walk reached the commands
    wrong = [cmd for cmd, kind in found
             if kind is not store_target and cmd.split()[0] not in file_only]
    assert not wrong, wrong
