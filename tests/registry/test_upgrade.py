"""Stores of every released schema (tests/fixtures/released/), opened by this program: all
their rows, audit chain and search results are still there, and a second open changes
nothing. The fixtures are never opened in place: each test works on a copy."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import func, select

from registry import migrations, roles, schema
from registry.errors import StoreError
from registry.keyslots import parse_recovery_key
from registry.models import AuditEntry, Household, ProcedureEvent
from registry.procedure.backfill import BACKFILL
from registry.search import HouseholdFilter, household_ids
from registry.store import Store
from tests.registry.revisions import FAILING, HEAD, NEXT, add_revision

SCHEMA1 = Path(__file__).resolve().parents[1] / "fixtures" / "released" / "schema1"
EXPECTED = json.loads((SCHEMA1 / "expected.json").read_text("utf-8"))
PASSWORD = EXPECTED["password"]

# A revision after this program's head rebuilding household, the table member, helper,
# aid_plan and procedure_event point at: SQLite's batch mode copies it, drops it and renames
# the copy.
REBUILD_HOUSEHOLD = """\
with op.batch_alter_table("household", recreate="always") as batch:
    batch.add_column(sa.Column("test_marker", sa.Text(), nullable=True))"""


def copy_store(name: str, folder: Path) -> Path:
    for suffix in ("", ".keys"):
        shutil.copy2(SCHEMA1 / f"{name}.db{suffix}", folder / f"{name}.db{suffix}")
    return folder / f"{name}.db"


def digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.v*.bak"))


def snapshot(store: Store, queries: list[str]) -> dict[str, Any]:
    """What tests/fixtures/released/make_schema1.py recorded, read the same way."""
    with store.session() as s:
        counts = {name: s.execute(select(func.count()).select_from(table)).scalar()
                  for name, table in sorted(schema.metadata.tables.items())}
        households = {
            h.id: {
                "village_code": h.village_code, "head_name": h.head_name, "size": h.size,
                "deleted": h.deleted, "stage": h.stage, "rev": h.rev,
                "net_income": str(h.net_income) if h.net_income is not None else None,
                "members": [[m.id, m.name, m.id_number, m.change_reason, m.deleted]
                            for m in sorted(h.members, key=lambda m: m.id)],
            }
            for h in s.execute(select(Household).order_by(Household.id)).scalars()
        }
        audit = [[e.seq, e.hash] for e in
                 s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        search = {q: household_ids(s, HouseholdFilter(text=q)) for q in queries}
        backfill = dict(s.execute(select(ProcedureEvent.household_id, ProcedureEvent.stage)
                                  .where(ProcedureEvent.step == BACKFILL)).all())
    return {"counts": counts, "households": households, "audit": audit, "search": search,
            "backfill": backfill}


def assert_as_released(store: Store, name: str) -> None:
    expected = EXPECTED[name]
    assert store.verify() == []
    got = snapshot(store, list(expected["search"]))
    # Schema 3: every household's typed stage became one 补录 event of that stage.
    backfilled = dict(expected["counts"])
    backfilled["procedure_event"] += len(expected["households"])
    assert {t: got["counts"][t] for t in expected["counts"]} == backfilled
    assert got["backfill"] == {h: v["stage"] for h, v in expected["households"].items()}
    assert got["households"] == expected["households"]
    assert got["audit"] == expected["audit"]
    assert got["search"] == expected["search"]


@pytest.mark.parametrize("name", ["station", "county"])
def test_a_schema1_store_opens_with_everything_in_it(name: str, tmp_path: Path) -> None:
    path = copy_store(name, tmp_path)
    with Store.open(path, "admin", PASSWORD) as store:
        assert store.info.schema_version == migrations.SCHEMA_VERSION
        # Roles move into the store once, from the released key file's text.
        assert store.role == roles.admin_role(name)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == migrations.head()
        assert_as_released(store, name)
    # a copy aside only when revisions ran; stamping schema 1 as 0001 needs none
    assert len(backups(path)) == (1 if migrations.SCHEMA_VERSION > 1 else 0)
    before = digest(path)
    with Store.open(path, "admin", PASSWORD) as again:  # second open: nothing to do
        assert_as_released(again, name)
    assert digest(path) == before


def test_a_schema1_store_upgrades_through_a_table_rebuild(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_store("station", tmp_path)
    add_revision(tmp_path / "versions", monkeypatch, REBUILD_HOUSEHOLD)
    with Store.open(path, "admin", PASSWORD) as store:
        assert store.info.schema_version == HEAD + 1
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == NEXT
            columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(household)")]
        assert "test_marker" in columns
        assert_as_released(store, "station")
    (backup,) = backups(path)
    assert backup.name.startswith("station.db.v1-")
    assert backup.read_bytes() == (SCHEMA1 / "station.db").read_bytes()
    before = digest(path)
    Store.open(path, "admin", PASSWORD).close()
    assert digest(path) == before and len(backups(path)) == 1


def test_a_failed_upgrade_leaves_a_schema1_store_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_store("station", tmp_path)
    # A program whose first revision after schema 1 fails: 0001 as it is, 0002 failing.
    versions = tmp_path / "versions"
    versions.mkdir()
    shutil.copy2(Path(migrations.__file__).parent / "versions" / "0001_schema1.py", versions)
    monkeypatch.setattr(migrations, "VERSION_LOCATIONS", (versions,))
    add_revision(versions, monkeypatch, FAILING, "0002", "0001")
    with pytest.raises(StoreError, match="升级到数据结构版本 2 时失败"):
        Store.open(path, "admin", PASSWORD)
    # not even stamped: the stamp shares the first revision's transaction
    assert path.read_bytes() == (SCHEMA1 / "station.db").read_bytes()
    (backup,) = backups(path)
    assert backup.read_bytes() == (SCHEMA1 / "station.db").read_bytes()


def test_a_store_whose_tables_differ_from_its_schema_number_is_refused_untouched(
        tmp_path: Path) -> None:
    """A pre-release build's store: meta says schema 1, a column of schema 1 is missing.
    Refused when it would be stamped, before anything is written."""
    path = copy_store("station", tmp_path)
    key = parse_recovery_key(EXPECTED["recovery_keys"]["station"])
    raw = sqlcipher3.connect(str(path))
    raw.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    raw.execute("DROP INDEX IF EXISTS ix_household_place")
    raw.execute("ALTER TABLE household DROP COLUMN head_pinyin")
    raw.commit()
    raw.close()
    before = digest(path)
    with pytest.raises(StoreError, match="数据结构与其版本号不一致.*household.head_pinyin"):
        Store.open(path, "admin", PASSWORD)
    assert digest(path) == before and not backups(path)
