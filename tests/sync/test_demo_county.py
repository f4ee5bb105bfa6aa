"""`fupin demo-county`: a county store with its stations beside it, every station enrolled
and imported, a duplicate flagged, decisions made and returned to the stations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from registry.models import Household
from registry.store import Store
from registry.sync_state import CountyDecision, DuplicateFlag, Peer
from sync import demo_county


def _open(path: Path) -> Store:
    return Store.open(path, demo_county.DEMO_USER, demo_county.DEMO_PASSWORD)


def test_the_county_holds_every_station_with_duplicates_and_decisions(
        demo_county_dir: Path) -> None:
    stations = sorted(demo_county_dir.glob("station-*.db"))
    assert len(stations) == 3
    with _open(demo_county_dir / "county.db") as county, county.session() as s:
        assert county.info.kind == "county"
        enrolled = set(s.scalars(select(Peer.code).where(Peer.role == "station")))
        assert enrolled == {p.stem.removeprefix("station-") for p in stations}
        assert s.scalar(select(func.count()).select_from(Household)) == 300
        assert (s.scalar(select(func.count()).select_from(DuplicateFlag)) or 0) >= 1
        kinds = dict(s.execute(select(CountyDecision.kind, func.count())
                               .group_by(CountyDecision.kind)).all())
        assert kinds.get("correction", 0) >= 1 and kinds.get("approve", 0) >= 1
        assert kinds.get("announce") == kinds.get("approve")
    # the return bundles reached the stations: each holds the county's decisions on it
    with _open(stations[0]) as station, station.session() as s:
        assert (s.scalar(select(func.count()).select_from(CountyDecision)) or 0) > 0


def test_a_second_run_says_where_it_is(demo_county_dir: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-county", "--dir", str(demo_county_dir), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["created"] is False and len(out["stations"]) == 3
    assert out["password"] == demo_county.DEMO_PASSWORD


def test_cli_builds_a_county_and_prints_the_logins(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-county", "--dir", str(tmp_path / "d"), "--stations", "2",
                 "--households", "12"]) == 0
    out = capsys.readouterr().out
    assert "登录用户:admin" in out and demo_county.DEMO_PASSWORD in out
    assert "county.db" in out and out.count("station-") >= 2


def test_refusals_are_said_in_chinese(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-county", "--dir", str(tmp_path), "--stations", "99"]) == 1
    assert "乡镇数应在" in capsys.readouterr().err
    (tmp_path / "station-1.db").write_bytes(b"x")
    assert main(["demo-county", "--dir", str(tmp_path), "--stations", "2"]) == 1
    assert "换一个空文件夹" in capsys.readouterr().err
