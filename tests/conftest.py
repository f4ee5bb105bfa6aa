"""Shared fixtures. Qt runs offscreen; failed-login delays are shortened."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The program's log goes to a throwaway folder, never the developer's own (subprocesses too).
os.environ.setdefault("FUPIN_LOG_DIR", tempfile.mkdtemp(prefix="fupin-test-logs-"))
# Stores on the test PostgreSQL server seal their private keys with this (registry/server.py).
os.environ.setdefault("FUPIN_SERVER_KEY", "5e" * 32)

import registry.store as store_module  # noqa: E402
from registry import demo  # noqa: E402
from registry.store import Store  # noqa: E402

store_module.FAILED_LOGIN_DELAY = 0.01

TOWNSHIP = "513431102"  # 昭觉县竹核镇 (凉山州)
COUNTY = "513431"
PASSWORD = "secret-pass-1"


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Store]:
    """An empty station store for 竹核镇, user admin."""
    store, _ = Store.create(tmp_path / "station.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store:
        yield store


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station with 300 demo households, built once per test run; open it read-only
    in spirit (tests that write make their own)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, 300, seed=42)
    return path


@pytest.fixture
def demo_store(demo_store_path: Path) -> Iterator[Store]:
    with Store.open(demo_store_path, "admin", PASSWORD) as store:
        yield store


@pytest.fixture(scope="session")
def demo_store_pg_url() -> Iterator[str]:
    """The same demo station (300 households, seed 42) on the PostgreSQL test server, built
    once per run; tests that write copy it (postgres.create_database(template=…))."""
    from tests import postgres

    url = postgres.create_database()
    try:
        store, _ = Store.create(url, kind="station", region_code=TOWNSHIP, user="admin",
                                password=PASSWORD)
        with store:
            demo.generate(store, 300, seed=42)
        yield url
    finally:
        postgres.drop_database(url)


@pytest.fixture(scope="session")
def demo_county_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo county (sync/demo_county.py): 3 stations of 100 households, enrolled,
    imported (a duplicate planted), decided and returned; built once per test run. Login
    admin / demo-2014 on every store."""
    from sync.demo_county import ensure_demo_county

    folder = tmp_path_factory.mktemp("demo-county")
    ensure_demo_county(folder, stations=3, households=100)
    return folder
