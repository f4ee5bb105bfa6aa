"""Users and roles inside the encrypted store: the 管理员 manages them, at least one stays,
every change is in the audit chain, and the key file's text grants nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from registry import roles
from registry.errors import StoreError, UserError
from registry.keyslots import KeySlots
from registry.models import AuditEntry
from registry.roles import Act
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP


@pytest.fixture
def station(tmp_path: Path) -> Path:
    store, _ = Store.create(tmp_path / "s.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    store.add_user("王会计", "clerk-pass-1", roles.ENTRY)
    store.add_user("李审核", "review-pass-1", "审核员")
    store.close()
    return tmp_path / "s.db"


def test_roles_come_from_the_store(station: Path) -> None:
    with Store.open(station, "王会计", "clerk-pass-1") as clerk:
        assert clerk.role == roles.ENTRY
        assert clerk.can(Act.EDIT_HOUSEHOLDS) and not clerk.can(Act.VILLAGE_STEPS)
        with pytest.raises(roles.NotAllowed, match="无权管理用户"):
            clerk.add_user("张三", "some-pass-1", roles.ADMIN)
    with Store.open(station, "李审核", "review-pass-1") as reviewer:
        assert reviewer.can(Act.VILLAGE_STEPS) and not reviewer.can(Act.SYNC)
    with Store.open(station, "admin", PASSWORD) as admin:
        assert admin.users() == [("admin", roles.ADMIN), ("王会计", roles.ENTRY),
                                 ("李审核", roles.REVIEW)]


def test_editing_the_key_file_grants_nothing(station: Path) -> None:
    keys = KeySlots.path_for(station)
    data = json.loads(keys.read_text("utf-8"))
    for slot in data["slots"]:
        slot["role"] = "admin"
    keys.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with Store.open(station, "王会计", "clerk-pass-1") as clerk:
        assert clerk.role == roles.ENTRY
        assert not clerk.can(Act.MANAGE_USERS)


def test_the_admin_manages_users_and_one_admin_stays(station: Path) -> None:
    with Store.open(station, "admin", PASSWORD) as admin:
        admin.set_role("王会计", "review")
        admin.reset_password("李审核", "new-pass-123")
        with pytest.raises(StoreError, match="至少要保留一名管理员"):
            admin.set_role("admin", roles.ENTRY)
        with pytest.raises(UserError, match="角色"):
            admin.add_user("张三", "some-pass-1", "county_admin")  # not a station's role
        admin.remove_user("王会计")
        with admin.session() as s:
            actions = [a for (a,) in s.query(AuditEntry.action)
                       .filter(AuditEntry.entity == "user")]
    assert actions == ["add_user", "add_user", "set_role", "reset_password", "remove_user"]
    with pytest.raises(StoreError):
        Store.open(station, "王会计", "clerk-pass-1")
    with Store.open(station, "李审核", "new-pass-123") as reviewer:
        assert reviewer.role == roles.REVIEW


def test_a_county_gives_county_roles(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "c.db", kind="county", region_code=TOWNSHIP[:6],
                            user="admin", password=PASSWORD)
    with store:
        assert store.role == roles.COUNTY_ADMIN
        store.add_user("县审核", "county-pass-1", "县审核员")
        assert dict(store.users())["县审核"] == roles.COUNTY_REVIEW
        assert not store.can(Act.EDIT_HOUSEHOLDS)


def test_after_a_lost_key_file_the_admin_gives_the_others_new_passwords(station: Path
                                                                        ) -> None:
    from registry.keyslots import parse_recovery_key

    with Store.open(station, "admin", PASSWORD) as admin:
        recovery = admin.recovery_key()
    KeySlots.path_for(station).unlink()
    with Store.open_with_recovery_key(station, parse_recovery_key(recovery)) as store:
        store.rebuild_keyslots("admin", "fresh-pass-1")
    with Store.open(station, "admin", "fresh-pass-1") as admin:
        with pytest.raises(StoreError):
            Store.open(station, "王会计", "clerk-pass-1")
        admin.reset_password("王会计", "clerk-pass-2")
    with Store.open(station, "王会计", "clerk-pass-2") as clerk:
        assert clerk.role == roles.ENTRY  # the role stayed in the store


@pytest.mark.parametrize(("kind", "region", "admin", "reviewer"), [
    ("county", TOWNSHIP[:6], "县管理员", "县审核员"),
    ("city", TOWNSHIP[:4], "市(州)管理员", "市(州)审核员"),
    ("province", TOWNSHIP[:2], "省管理员", "省审核员"),
])
def test_an_office_names_its_roles_after_itself(tmp_path: Path, kind: str, region: str,
                                                admin: str, reviewer: str) -> None:
    """A city and the province give out the county office's roles, under their own names
    (a province's user was shown as 县管理员); either name is taken when typed."""
    assert [roles.role_name(r, kind) for r in roles.roles_for(kind)] == [reviewer, admin]
    assert roles.parse_role(reviewer, kind) == roles.COUNTY_REVIEW
    assert roles.parse_role("县审核员", kind) == roles.COUNTY_REVIEW
    store, _ = Store.create(tmp_path / f"{kind}.db", kind=kind, region_code=region,
                            user="admin", password=PASSWORD)
    with store:
        store.add_user("审核", "office-pass-1", reviewer)
        assert dict(store.users())["审核"] == roles.COUNTY_REVIEW
    with pytest.raises(UserError, match=f"可选:{re.escape(reviewer)}"):
        roles.parse_role("录入员", kind)
    assert roles.role_name(roles.ADMIN, kind) == "管理员"  # a station's role is its own


def test_a_province_reviewer_is_refused_in_the_provinces_words(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "p.db", kind="province", region_code="51",
                            user="admin", password=PASSWORD)
    with store:
        store.add_user("审核", "office-pass-1", "省审核员")
    with Store.open(tmp_path / "p.db", "审核", "office-pass-1") as reviewer, \
            pytest.raises(UserError, match=r"角色是省审核员,无权管理用户\(需要:省管理员\)"):
        reviewer.require(Act.MANAGE_USERS)
