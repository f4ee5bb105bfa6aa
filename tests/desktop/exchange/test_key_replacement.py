"""更换密钥 through the real dialogs: at the county a second request with a new key for an
enrolled station, at a station an answer with another county key. Each opens the panel with
both fingerprints; a wrong fingerprint typed from the phone call is refused beside the field
with nothing changed; the right one (and a reason, at the county) replaces the key after one
more question; the same file again is a harmless no-op."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.errors.dialog import ErrorDialog
from desktop.exchange.sync_county import EnrollStationDialog
from desktop.exchange.sync_station import AnswerDialog
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry.store import Store
from registry.sync_state import OwnKey, PeerKey
from sync import enroll, status
from tests.desktop.conftest import log_in
from tests.desktop.exchange.test_sync_roundtrip import (
    opened,
    pick_file,
    screen,
    settle,
    trigger,
)
from tests.sync.conftest import (
    COUNTY,
    TOWNSHIP,
    content_hash,
    enroll_pair,
    make_county,
    make_station,
)


@dataclass
class Enrolled:
    """A station and its county, enrolled; the files and fingerprints a test needs."""

    station: Path
    county: Path
    old_print: str  # the key the county holds for the station / the station for the county
    old_key: str
    new_file: Path  # the new request (county test) or the other county's answer
    new_print: str


def _questions(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
               ) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object, **_k: object
                 ) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer
    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _no_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(str(a)))
    monkeypatch.setattr(ErrorDialog, "open", lambda d: pytest.fail(d.message.text()))


def _keys(store: Store, peer: str) -> dict[str, str]:
    with store.session() as s:
        return {k.key_id: k.status for k in s.execute(
            select(PeerKey).where(PeerKey.peer_code == peer)).scalars()}


def _open(qtbot: QtBot, shell_factory: list[Shell], path: Path) -> MainWindow:
    shell = Shell(path)
    shell_factory.append(shell)
    return log_in(qtbot, shell)


@pytest.fixture
def new_station_key(tmp_path: Path) -> Enrolled:
    """The station enrolled, then a request with a new key (its PC reinstalled, or an
    impostor: the county cannot tell from the file)."""
    station, county = make_station(tmp_path, households=3), make_county(tmp_path)
    try:
        enroll_pair(station, county, tmp_path)
        old_print = enroll.own_fingerprint(station)
        with station.session() as s:
            old_key = s.execute(select(OwnKey.key_id).where(OwnKey.status == "active")
                                ).scalar_one()
        request = tmp_path / "usb" / f"注册申请-{TOWNSHIP}.json"
        request.parent.mkdir()
        new = enroll.write_request(station, request, new_key=True)
        return Enrolled(station.path, county.path, old_print, old_key, request,
                        new.fingerprint)
    finally:
        station.close()
        county.close()


def test_county_replaces_a_stations_key_only_when_confirmed(
        qtbot: QtBot, new_station_key: Enrolled, shell_factory: list[Shell],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_warnings(monkeypatch)
    asked = _questions(monkeypatch, QMessageBox.StandardButton.Yes)
    e = new_station_key
    county = _open(qtbot, shell_factory, e.county)
    store = county.workspace.store
    before, keys = content_hash(store), _keys(store, TOWNSHIP)

    trigger(county, "syncEnrollStation")
    enrolling = opened(county, EnrollStationDialog)
    pick_file(monkeypatch, e.new_file)
    enrolling.choose_button.click()
    enrolling.folder.set_folder(str(tmp_path / "usb"))
    enrolling.enroll_button.click()
    settle(qtbot, enrolling)
    panel = enrolling.replacement
    assert panel.isVisible() and enrolling.enrolled is None
    assert panel.registered.text() == e.old_print and panel.offered.text() == e.new_print
    assert not enrolling.enroll_button.isEnabled()  # the plain enrollment is a dead end
    assert content_hash(store) == before
    screen(qtbot, enrolling, tmp_path, "sync-county-replace-key")

    # The registered fingerprint typed in (the impostor's trick): refused beside the field.
    panel.typed.setText(e.old_print)
    panel.reason.setText("乡镇电脑重装")
    panel.replace_button.click()
    assert "不符" in panel.typed_error.text() and panel.typed.property("invalid") is True
    assert panel.reason_error.text() == "" and asked == []
    # The right fingerprint without a reason: refused beside the reason.
    panel.typed.setText(e.new_print)
    assert panel.typed_error.text() == ""  # typing again clears the error
    panel.reason.clear()
    panel.replace_button.click()
    assert "原因" in panel.reason_error.text() and asked == []
    assert content_hash(store) == before and _keys(store, TOWNSHIP) == keys
    screen(qtbot, enrolling, tmp_path, "sync-county-replace-key-errors")

    # As read out on the phone (lower case, spaces), with a reason: asked, then replaced.
    panel.typed.setText(e.new_print.lower().replace("-", " "))
    panel.reason.setText("乡镇电脑重装")
    panel.replace_button.click()
    settle(qtbot, enrolling)
    assert len(asked) == 1 and e.new_print in asked[0] and e.old_print in asked[0]
    assert "乡镇电脑重装" in asked[0]
    assert enrolling.enrolled is not None and enrolling.enrolled.replaced == (e.old_key,)
    assert enrolling.answer is not None and enrolling.answer.exists()
    assert not panel.isVisible() and "已更换该乡镇的密钥" in enrolling.done_label.text()
    keys = _keys(store, TOWNSHIP)
    assert keys[e.old_key] == "revoked" and list(keys.values()).count("active") == 1
    [peer] = status.status(store)
    assert peer.key_status == "有效"
    screen(qtbot, enrolling, tmp_path, "sync-county-replace-key-done")

    # The same request again: the key it has, a harmless no-op without the panel.
    after = content_hash(store)
    enrolling.open_request(e.new_file)
    assert not panel.isVisible() and enrolling.enroll_button.isEnabled()
    enrolling.enroll_button.click()
    settle(qtbot, enrolling)
    assert enrolling.enrolled.replaced == () and not panel.isVisible()
    assert content_hash(store) == after and len(asked) == 1


@pytest.fixture
def other_county_answer(tmp_path: Path) -> Enrolled:
    """The station enrolled; then another county store of the same code (an impostor, or
    the county's reinstalled PC) answers the station's request."""
    station, county = make_station(tmp_path, households=3), make_county(tmp_path)
    other = make_county(tmp_path, name="other")
    try:
        enroll_pair(station, county, tmp_path)
        [old_key] = _keys(station, COUNTY)
        usb = tmp_path / "usb"
        usb.mkdir()
        request, answer = usb / "req.json", usb / f"注册答复-{TOWNSHIP}.json"
        enroll.write_request(station, request)
        enroll.enroll(other, request, answer)
        return Enrolled(station.path, county.path, enroll.own_fingerprint(county), old_key,
                        answer, enroll.own_fingerprint(other))
    finally:
        for store in (station, county, other):
            store.close()


def test_station_replaces_the_county_key_only_when_confirmed(
        qtbot: QtBot, other_county_answer: Enrolled, shell_factory: list[Shell],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_warnings(monkeypatch)
    asked = _questions(monkeypatch, QMessageBox.StandardButton.Yes)
    e = other_county_answer
    station = _open(qtbot, shell_factory, e.station)
    store = station.workspace.store
    before = content_hash(store)

    pick_file(monkeypatch, e.new_file)
    trigger(station, "syncAnswer")
    answer = opened(station, AnswerDialog)
    settle(qtbot, answer)
    panel = answer.replacement
    assert panel.isVisible() and answer.enrolled is None
    assert not answer.fingerprint.isVisible()  # nothing was accepted
    assert panel.registered.text() == e.old_print and panel.offered.text() == e.new_print
    assert "未作任何改动" in answer.done_label.text()
    assert content_hash(store) == before
    screen(qtbot, answer, tmp_path, "sync-station-replace-county-key")

    panel.typed.setText("0000-1111-2222-3333")
    panel.replace_button.click()
    assert "不符" in panel.typed_error.text() and asked == []
    assert panel.reason_error.text() == ""  # the reason may stay empty at a station
    assert content_hash(store) == before and _keys(store, COUNTY) == {e.old_key: "active"}
    screen(qtbot, answer, tmp_path, "sync-station-replace-county-key-error")

    panel.typed.setText(e.new_print)
    panel.replace_button.click()
    settle(qtbot, answer)
    assert len(asked) == 1 and e.new_print in asked[0] and e.old_print in asked[0]
    assert answer.enrolled is not None and answer.enrolled.replaced == (e.old_key,)
    assert answer.fingerprint.text() == e.new_print and not panel.isVisible()
    keys = _keys(store, COUNTY)
    assert keys[e.old_key] == "revoked" and list(keys.values()).count("active") == 1
    screen(qtbot, answer, tmp_path, "sync-station-replace-county-key-done")

    # The same answer again: a no-op, no panel, no question.
    after = content_hash(store)
    answer.start(e.new_file)
    settle(qtbot, answer)
    assert answer.enrolled.replaced == () and not panel.isVisible()
    assert content_hash(store) == after and len(asked) == 1


def test_answering_no_replaces_nothing(qtbot: QtBot, other_county_answer: Enrolled,
                                       shell_factory: list[Shell],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _no_warnings(monkeypatch)
    asked = _questions(monkeypatch, QMessageBox.StandardButton.No)
    e = other_county_answer
    station = _open(qtbot, shell_factory, e.station)
    store = station.workspace.store
    before = content_hash(store)
    pick_file(monkeypatch, e.new_file)
    trigger(station, "syncAnswer")
    answer = opened(station, AnswerDialog)
    settle(qtbot, answer)
    answer.replacement.typed.setText(e.new_print)
    answer.replacement.replace_button.click()
    assert len(asked) == 1 and not answer.busy()
    assert answer.replacement.isVisible() and content_hash(store) == before
