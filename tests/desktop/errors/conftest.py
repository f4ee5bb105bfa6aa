"""The program's log in the test's own folder, and what a clerk's data would look like in it:
a demo household's names, ID numbers, phone and bank account, read from the demo store."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.main_window import MainWindow
from registry import applog, household_access

# One entry starts with the time; its stack (an ERROR's) follows on the next lines.
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (DEBUG|INFO|WARNING|ERROR) ",
                   re.MULTILINE)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    before = os.environ.get(applog.LOG_DIR_ENV)
    os.environ[applog.LOG_DIR_ENV] = str(tmp_path / "logs")
    applog.setup()
    yield applog.log_path()
    if before is None:
        del os.environ[applog.LOG_DIR_ENV]
    else:
        os.environ[applog.LOG_DIR_ENV] = before
    applog.setup()


def log_entries(path: Path) -> list[tuple[str, str]]:
    """(level, the entry's text with its stack) for every entry written."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    starts = list(ENTRY.finditer(text))
    return [(m.group(1), text[m.start():starts[i + 1].start() if i + 1 < len(starts) else None])
            for i, m in enumerate(starts)]


@pytest.fixture
def personal(main_window: MainWindow) -> list[str]:
    """A demo household's head's name and ID number, another member's, its phone and its
    bank account: none of these may reach the log or the copied details."""
    store = main_window.workspace.store
    for household_id in main_window.model.ids()[:50]:  # the demo leaves a fifth without phone
        d = household_access.household_detail(store, household_id)
        values = [d.members[0]["name"], d.members[0]["id_number"], d.values["phone"],
                  d.values["bank_account"]]
        if len(d.members) > 1:
            values += [d.members[1]["name"], d.members[1]["id_number"]]
        if all(values):
            return [str(v) for v in values]
    raise AssertionError("no demo household with a phone among the first 50")


def assert_none_of(values: list[str], text: str) -> None:
    leaked = [v for v in values if v in text]
    assert leaked == [], f"personal data in the text: {leaked}"
