"""The names of the sync (sync/names.py): every key is a real table, bucket or outcome, and
every one has its Chinese label."""

from __future__ import annotations

from registry.models import Base, Region
from registry.sync_state import RETURN_MODELS
from sync import merge, names, receive, returns, wire


def test_synced_tables_are_the_stores_tables() -> None:
    synced = (*names.STATION_TABLES, names.AUDIT, *names.RETURN_PAYLOAD_TABLES)
    assert set(synced) <= set(Base.metadata.tables)
    returned = tuple(getattr(m, "__tablename__") for m in RETURN_MODELS)  # noqa: B009
    assert returned == names.RETURN_TABLES
    assert set(names.TABLE_NAMES) == set(synced)
    assert Region.__tablename__ not in synced  # both sides load the official regions


def test_every_key_has_a_chinese_label() -> None:
    assert set(names.BUCKET_NAMES) == set(names.BUCKETS)
    assert set(names.OUTCOME_NAMES) == {names.APPLIED, names.REPLAY, names.WAITING,
                                        names.REFUSED}
    labels = [*names.TABLE_NAMES.values(), *names.BUCKET_NAMES.values(),
              *names.OUTCOME_NAMES.values()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)
    assert len(set(names.TABLE_NAMES.values())) == len(names.TABLE_NAMES)


def test_counts_in_words() -> None:
    counts = {"household": dict.fromkeys(names.BUCKETS, 0),
              "member": dict.fromkeys(names.BUCKETS, 0), "audit": {"inserted": 0}}
    counts["household"].update(inserted=3, updated=1)
    counts["member"]["possible_duplicate"] = 2
    assert names.counts_text(counts) == "农户:新增 3,更新 1;家庭成员:疑似重复 2"
    assert names.counts_text({}) == ""


def test_old_names_stay_importable() -> None:
    """desktop/ imports these from their old homes until it switches to sync.names."""
    assert merge.BUCKETS is names.BUCKETS and merge.BUCKET_NAMES is names.BUCKET_NAMES
    assert (receive.APPLIED, receive.REPLAY, receive.WAITING, receive.REFUSED) == (
        names.APPLIED, names.REPLAY, names.WAITING, names.REFUSED)
    assert wire.STATION_TABLES is names.STATION_TABLES and wire.AUDIT == names.AUDIT
    assert wire.RETURN_TABLES is names.RETURN_TABLES
    assert wire.POVERTY_LINE == names.POVERTY_LINE
    assert returns.RETURN_PAYLOAD_TABLES is names.RETURN_PAYLOAD_TABLES
