"""Backups and restoring them: real files, reopened with their keys."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from registry import backup, demo
from registry.errors import WrongPassword
from registry.keyslots import KeySlots
from registry.models import Household, Member
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP


def _households(store: Store) -> dict[str, int]:
    """Each living household's id and its number of living members."""
    with store.session() as s:
        ids = s.scalars(select(Household.id).where(Household.deleted.is_(False))).all()
        members = s.execute(select(Member.household_id).where(Member.deleted.is_(False)))
        count: dict[str, int] = dict.fromkeys(ids, 0)
        for (hid,) in members:
            if hid in count:
                count[hid] += 1
    return count


@pytest.fixture
def station_with_data(tmp_path: Path) -> Path:
    path = tmp_path / "station" / "station.db"
    path.parent.mkdir()
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, 40, seed=7)
    return path


def test_backup_delete_restore_brings_every_household_back(
        station_with_data: Path, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        before = _households(store)
        result = backup.make_backup(store, usb, now=datetime(2024, 5, 1, 9, 30))
    assert result.path.name == "备份-513431102-竹核镇-20240501-093000.db"
    assert result.keys_path is not None and result.keys_path.is_file()
    assert result.info.households == len(before) == 40
    # Still encrypted: no plaintext SQLite header, and the keys are the store's.
    assert not result.path.read_bytes()[:16].startswith(b"SQLite format 3")
    assert sorted(os.listdir(usb)) == sorted([result.path.name, result.keys_path.name])

    for leftover in station_with_data.parent.iterdir():
        if not leftover.name.endswith(backup.RECORD_SUFFIX):
            leftover.unlink()
    assert not station_with_data.exists()

    key = backup.unlock_backup(result.path, "admin", PASSWORD)
    restored = backup.restore(result.path, station_with_data, key)
    assert restored.replaced is None and restored.keys_restored
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        assert _households(store) == before
        assert store.verify() == []


def test_backup_while_another_connection_has_written(station_with_data: Path,
                                                      tmp_path: Path) -> None:
    """The app keeps the store open (changes still in its WAL) while a backup is made
    through another opening of the same file, as `fupin backup` does."""
    with Store.open(station_with_data, "admin", PASSWORD) as app:
        demo.generate(app, 5, seed=8)
        assert Path(f"{station_with_data}-wal").exists()
        with Store.open(station_with_data, "admin", PASSWORD) as cli:
            result = backup.make_backup(cli, tmp_path)
        expected = _households(app)
    assert result.info.households == len(expected) == 45


def test_restore_refuses_another_stations_backup(station_with_data: Path,
                                                  tmp_path: Path) -> None:
    other_path = tmp_path / "other.db"
    other, _ = Store.create(other_path, kind="station", region_code="513431103",
                            user="admin", password=PASSWORD)
    with other:
        made = backup.make_backup(other, tmp_path)
        key = other._data_key()
    before = station_with_data.read_bytes()
    with pytest.raises(backup.OtherStation, match="不是当前数据库的备份"):
        backup.restore(made.path, station_with_data, key, force=True)
    assert station_with_data.read_bytes() == before
    assert not list(station_with_data.parent.glob("*.replaced-*"))


def test_restore_refuses_other_township_by_name_when_readable(tmp_path: Path) -> None:
    """A store whose key the backup shares cannot exist for two townships; this is the
    check against the store's own facts: the message names both stations."""
    a, _ = Store.create(tmp_path / "a.db", kind="station", region_code=TOWNSHIP,
                        user="admin", password=PASSWORD)
    with a:
        made = backup.make_backup(a, tmp_path)
        info = backup.read_info(made.path, a._data_key())
    other = backup._Current(True, backup.BackupInfo(**{**info.__dict__,
                                                        "region_code": "513431103",
                                                        "region_name": "别的乡"}), None)
    with pytest.raises(backup.OtherStation, match="另一个工作站的备份"):
        backup._check_may_replace(info, other, tmp_path / "a.db", force=True)


def test_restore_refuses_an_older_backup_unless_forced(station_with_data: Path,
                                                       tmp_path: Path) -> None:
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        made = backup.make_backup(store, tmp_path)
        demo.generate(store, 3, seed=9)
        newer = _households(store)
        key = store._data_key()
    with pytest.raises(backup.OlderBackup, match="备份比当前数据库旧"):
        backup.restore(made.path, station_with_data, key)
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        assert _households(store) == newer

    result = backup.restore(made.path, station_with_data, key, force=True)
    assert result.replaced is not None and result.replaced_info is not None
    assert result.replaced_info.households == 43
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        assert len(_households(store)) == 40
    # The replaced store was kept aside, with its key file, and still opens.
    assert KeySlots.path_for(result.replaced).is_file()
    with Store.open(result.replaced, "admin", PASSWORD) as aside:
        assert _households(aside) == newer


def test_wrong_password_for_the_backup(station_with_data: Path, tmp_path: Path) -> None:
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        made = backup.make_backup(store, tmp_path)
    with pytest.raises(WrongPassword):
        backup.unlock_backup(made.path, "admin", "not-the-password")
    with pytest.raises(WrongPassword):
        backup.read_info(made.path, b"\x01" * 32)


def test_restore_over_a_damaged_store(station_with_data: Path, tmp_path: Path) -> None:
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        made = backup.make_backup(store, tmp_path)
        before = _households(store)
        key = store._data_key()
    data = bytearray(station_with_data.read_bytes())
    data[:4096] = os.urandom(4096)  # the first page ruined
    station_with_data.write_bytes(bytes(data))
    result = backup.restore(made.path, station_with_data, key)
    assert result.replaced is not None and result.replaced_info is None
    with Store.open(station_with_data, "admin", PASSWORD) as store:
        assert _households(store) == before


def test_backup_into_a_missing_folder_is_refused(station: Store, tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="文件夹不存在"):
        backup.make_backup(station, tmp_path / "no-usb")


def test_last_backup_is_remembered_and_the_reminder(station: Store, tmp_path: Path) -> None:
    created = station.info.created_at
    now = datetime.fromisoformat(created)
    assert backup.last_backup(station.path) is None
    assert backup.backup_due(station.path, created, now + timedelta(days=3)) is None
    assert backup.backup_due(station.path, created, now + timedelta(days=8)) == 8
    made = backup.make_backup(station, tmp_path, now=now + timedelta(days=8))
    assert backup.last_backup(station.path) == made.made_at
    assert backup.last_folder(station.path) == tmp_path
    assert backup.backup_due(station.path, created, now + timedelta(days=10)) is None
    assert backup.backup_due(station.path, created, now + timedelta(days=15)) == 7
