from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from forms.validation import validate_household
from registry import demo
from registry.households import get_household, household_values, member_values
from registry.models import Household, Member
from registry.search import HouseholdFilter, household_ids
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP


def _people(path: Path, n: int, seed: int) -> list[tuple[str, str]]:
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, n, seed=seed)
        with store.session() as s:
            return sorted((n, i) for n, i in s.execute(select(Member.name, Member.id_number)))


def test_the_same_seed_gives_the_same_township(tmp_path: Path) -> None:
    a = _people(tmp_path / "a.db", 40, seed=5)
    assert a == _people(tmp_path / "b.db", 40, seed=5)
    assert a != _people(tmp_path / "c.db", 40, seed=6)


def test_demo_households_pass_the_form_rules(demo_store: Store) -> None:
    with demo_store.session() as s:
        ids = household_ids(s, HouseholdFilter())
        assert len(ids) == 300
        ages = []
        for i in ids:
            h = get_household(s, i)
            validate_household(household_values(h), [member_values(m) for m in h.members])
            assert h.head_id_number and h.head_id_number[:6] == TOWNSHIP[:6] or h.head_name
            ages += [m.birth_date.year for m in h.members]
        total = s.scalar(select(func.sum(Household.size)))
    assert 2.2 <= (total or 0) / 300 <= 4.5  # about three people per household
    assert min(ages) > 1920 and max(ages) <= 2016


def test_demo_station_is_made_once(tmp_path: Path) -> None:
    first = demo.ensure_demo_station(tmp_path, households=20)
    assert first.recovery_key and first.households == 20
    second = demo.ensure_demo_station(tmp_path, households=20)
    assert second.recovery_key is None and second.households == 20
    assert "fupin-station" in first.instructions()
