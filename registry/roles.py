"""Who may do what: the roles of a station and of the county office, and the one check the
core makes before every act (the desktop greys out what `can` says no to; the core refuses
anyway, so the command line and a modified app are held to the same rules).

Roles live in the encrypted store (`app_user`), never in the key file: the key file only
unwraps the data key, so editing its text grants nothing.

A small office has one or two staff, so the roles nest: a 审核员 may also enter households,
and the 管理员 (the head of the station) may do all a station does. The county's roles are
apart: a county user records no village step and edits no station's household."""

from __future__ import annotations

from enum import Enum

from registry.errors import UserError

ENTRY, REVIEW, ADMIN = "entry", "review", "admin"
COUNTY_REVIEW, COUNTY_ADMIN = "county_review", "county_admin"

ROLE_NAMES = {ENTRY: "录入员", REVIEW: "审核员", ADMIN: "管理员",
              COUNTY_REVIEW: "县审核员", COUNTY_ADMIN: "县管理员"}
# Key files written before roles moved into the store said "clerk" for an entry clerk.
LEGACY = {"clerk": ENTRY, "admin": ADMIN}


class Act(Enum):
    """What a role may be allowed to do, with the words a refusal uses."""

    EDIT_HOUSEHOLDS = "登记和修改农户"
    APPLY = "登记农户申请"
    VILLAGE_STEPS = "记录民主评议、入户核实和公示"
    TOWNSHIP_STEPS = "记录乡镇审核、第二次公示和建档立卡"
    VILLAGE_QUOTA = "分配各村规模"
    MANAGE_USERS = "管理用户"
    MANAGE_KEYS = "管理密钥"
    SYNC = "导出和导入同步数据包"
    SETTINGS = "修改设置"
    AID = "记录帮扶责任人、帮扶计划和收入"
    VILLAGE_FACTS = "登记贫困村基本情况"
    OPEN_REVIEW_YEAR = "开启年度动态调整"
    COUNTY_REVIEW = "县复审、抽查、审定和公告"
    COUNTY_QUOTA = "设定乡镇规模"


_ENTRY = {Act.EDIT_HOUSEHOLDS, Act.APPLY, Act.AID, Act.VILLAGE_FACTS}
_REVIEW = _ENTRY | {Act.VILLAGE_STEPS, Act.TOWNSHIP_STEPS}
_ADMIN = _REVIEW | {Act.VILLAGE_QUOTA, Act.MANAGE_USERS, Act.MANAGE_KEYS, Act.SYNC,
                    Act.SETTINGS, Act.OPEN_REVIEW_YEAR}
_COUNTY_REVIEW = {Act.COUNTY_REVIEW}
_COUNTY_ADMIN = _COUNTY_REVIEW | {Act.COUNTY_QUOTA, Act.MANAGE_USERS, Act.MANAGE_KEYS,
                                  Act.SYNC, Act.SETTINGS}
GRANTS: dict[str, frozenset[Act]] = {
    ENTRY: frozenset(_ENTRY), REVIEW: frozenset(_REVIEW), ADMIN: frozenset(_ADMIN),
    COUNTY_REVIEW: frozenset(_COUNTY_REVIEW), COUNTY_ADMIN: frozenset(_COUNTY_ADMIN),
}

# The offices above a township (county, city, province) read and add up; their roles are the
# county office's.
_OFFICE_ROLES = (COUNTY_REVIEW, COUNTY_ADMIN)
_BY_KIND = {"station": (ENTRY, REVIEW, ADMIN), "county": _OFFICE_ROLES, "city": _OFFICE_ROLES,
            "province": _OFFICE_ROLES}


class NotAllowed(UserError):
    """The user's role does not allow the act; nothing was written."""


def roles_for(kind: str) -> tuple[str, ...]:
    """The roles a store of this kind (a township's "station" or an office) gives out."""
    return _BY_KIND[kind]


def admin_role(kind: str) -> str:
    return ADMIN if kind == "station" else COUNTY_ADMIN


# A city's or the province's office gives out the county office's roles, named after it.
_OFFICE_NAMES = {"city": "市(州)", "province": "省"}


def role_name(role: str, kind: str | None = None) -> str:
    """The role's Chinese name; with the store's `kind`, a city's or the province's office
    roles by its own name (省管理员, not 县管理员)."""
    name = ROLE_NAMES.get(role, role)
    if kind in _OFFICE_NAMES and role in _OFFICE_ROLES:
        return _OFFICE_NAMES[kind] + name.removeprefix("县")
    return name


def parse_role(text: str, kind: str) -> str:
    """A role as typed (key or Chinese name) → its key; refuses one this kind has not."""
    key = next((k for k in ROLE_NAMES if text in (k, role_name(k), role_name(k, kind))),
               LEGACY.get(text))
    if key is None or key not in roles_for(kind):
        names = "、".join(f"{role_name(r, kind)}({r})" for r in roles_for(kind))
        raise NotAllowed(f"角色“{text}”不存在,可选:{names}")
    return key


def can(role: str, act: Act) -> bool:
    return act in GRANTS.get(role, frozenset())


def require(role: str, act: Act, kind: str | None = None) -> None:
    """Refuses an act the role may not do, naming the roles (by `kind`'s names) that may."""
    if not can(role, act):
        side = next((rs for rs in _BY_KIND.values() if role in rs), tuple(GRANTS))
        who = [role_name(r, kind) for r in side if act in GRANTS[r]]
        need = f"(需要:{'或'.join(who)})" if who else ""
        raise NotAllowed(f"当前用户的角色是{role_name(role, kind)},无权{act.value}{need}")
