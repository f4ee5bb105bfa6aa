"""Stores for driving the procedure's windows: a station with one village of households
that applied 60 days ago (and a 录入员), and a county that holds a station's households
at 县复审 (the station ran the steps with the core functions, then sent its bundle)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.procedure.actions import ProcedureActions
from desktop.shell import Shell
from registry.procedure import access
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.desktop.conftest import log_in
from tests.registry.procedure.applicants import add_applicants, first_village

CLERK = "录入小王"
APPLICANTS = 12


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


@dataclass
class Station:
    path: Path
    village: str
    ids: list[str]


@pytest.fixture
def applicants_station(tmp_path: Path) -> Station:
    store, _ = Store.create(tmp_path / "station.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store:
        village = first_village(store)
        ids = add_applicants(store, village, APPLICANTS)
        store.add_user(CLERK, PASSWORD, "entry")
    return Station(tmp_path / "station.db", village, ids)


@pytest.fixture
def open_window(qtbot: QtBot, shell_factory: list[Shell]
                ) -> Callable[[Path, str], tuple[MainWindow, ProcedureActions]]:
    def open_(path: Path, user: str = "admin") -> tuple[MainWindow, ProcedureActions]:
        shell = Shell(path)
        shell_factory.append(shell)
        window = log_in(qtbot, shell, user)
        actions = window.findChild(ProcedureActions)
        assert actions is not None
        qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0)
        return window, actions
    return open_


def run_station_to_county(store: Store, village: str, ids: list[str]) -> None:
    """The station's whole part with the core calls: every household reaches 县复审."""
    access.record_step(store, "evaluate", ids, days_ago(50), facts={
        "participants": 30, "votes_for": 28, "votes_against": 1, "votes_abstain": 1})
    access.record_step(store, "verify", ids, days_ago(45), facts={"checkers": "村两委"})
    first = access.open_notice(store, "first", village, ids, days_ago(40))
    access.close_notice(store, first.number, days_ago(30))
    access.record_step(store, "township_review", ids, days_ago(29))
    second = access.open_notice(store, "second", TOWNSHIP, ids, days_ago(28))
    access.close_notice(store, second.number, days_ago(20))


@pytest.fixture
def county_with_queue(tmp_path: Path) -> Iterator[Path]:
    """A county store holding one station's 20 households at 县复审."""
    from sync import export, receive
    from tests.sync.conftest import enroll_pair, make_county

    station_dir = tmp_path / "station"
    station_dir.mkdir()
    station, _ = Store.create(station_dir / "station.db", kind="station",
                              region_code=TOWNSHIP, user="admin", password=PASSWORD)
    county = make_county(tmp_path)
    try:
        village = first_village(station)
        ids = add_applicants(station, village, 20)
        run_station_to_county(station, village, ids)
        enroll_pair(station, county, tmp_path)
        usb = tmp_path / "usb"
        usb.mkdir()
        export.export_station(station, usb)
        receive.import_files(county, sorted(usb.iterdir()))
        path = county.path
    finally:
        station.close()
        county.close()
    yield path
