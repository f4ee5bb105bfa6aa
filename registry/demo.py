"""A realistic demo township: plausible families (Faker zh_CN names), valid ID numbers on
real Sichuan region codes, ages, schooling, health, incomes and causes, helpers and plans.
The same seed gives the same households (ids aside, which are always fresh)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from faker import Faker
from faker.providers.person import zh_CN as zh_CN_names
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import idnumber
from registry import audit, demo_aid, derived, roles
from registry.demo_steps import StepRows, number_notices, procedure_rows
from registry.ids import new_id
from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    Member,
    ProcedureEvent,
    Region,
    ReviewYear,
    TeamMember,
    Tracked,
    VillageGroup,
    VillagePlan,
    YearlyReview,
)
from registry.procedure.tables import Notice, NoticeEntry, Objection
from registry.progress import Cancelled, Progress
from registry.store import Store
from registry.tracking import bulk_insert

REFERENCE_DAY = date(2016, 6, 30)  # ages and stages as of the 2016 dynamic update


@dataclass
class DemoReport:
    households: int
    members: int
    villages: int


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


_CAUSES = [("01", 30), ("02", 9), ("03", 8), ("04", 3), ("05", 5), ("06", 3), ("07", 14),
           ("08", 9), ("09", 13), ("10", 2), ("11", 3), ("99", 1)]
_HEALTH = [("1", 76), ("2", 12), ("3", 5), ("4", 7)]
# Where each household's steps leave it (registry/demo_steps.py records them): 80 and 90
# from the 2014 round, the others from the round under way.
_STAGES = [("80", 78), ("90", 3), ("70", 1), ("60", 2), ("50", 2), ("40", 2), ("35", 2),
           ("30", 4), ("25", 2), ("20", 2), ("10", 2)]
_BANKS = ["四川省农村信用社", "中国邮政储蓄银行", "中国农业银行", "四川农商银行"]
_UNITS = ["县人民政府办公室", "县教育局", "县卫生健康局", "县农业农村局", "县交通运输局",
          "县财政局", "县水务局", "县林业局", "乡人民政府", "县人民医院", "县供电公司"]
_TITLES = ["科员", "副局长", "股长", "主任科员", "干部", "副乡长", "医生", "教师"]


# Faker zh_CN's male list holds some plainly female names (红霞, 秀英); a clerk would
# notice 张红霞 with a male ID number at once, so those are moved to the female pool.
_FEMALE_MARKS = set("霞芳娟丽梅燕秀英玲兰萍娜静敏婷颖琳雪慧淑凤艳洁桂珍")
_MALE_NAMES = sorted({n for n in zh_CN_names.Provider.first_names_male
                      if not set(n) & _FEMALE_MARKS})
_FEMALE_NAMES = sorted(set(zh_CN_names.Provider.first_names_female)
                       | {n for n in zh_CN_names.Provider.first_names_male
                          if set(n) & _FEMALE_MARKS})


def _ethnicities(county: str) -> list[tuple[str, float]]:
    if county.startswith("5134"):  # 凉山: 彝族
        return [("07", 60), ("01", 36), ("04", 2), ("97", 2)]
    if county.startswith("5133"):  # 甘孜: 藏族
        return [("04", 80), ("01", 17), ("07", 2), ("33", 1)]
    if county.startswith("5132"):  # 阿坝: 藏族, 羌族
        return [("04", 55), ("33", 20), ("01", 22), ("03", 3)]
    return [("01", 97), ("07", 1), ("06", 1), ("03", 1)]


class _Families:
    def __init__(self, seed: int, county_code: str, other_counties: list[str]):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.county = county_code
        self.others = other_counties
        self.used: set[str] = set()
        self.ethnic = _ethnicities(county_code)

    def id_number(self, born: date, sex: str, region: str | None = None) -> str:
        rng = self.rng
        region = region or self.county
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            number = first17 + idnumber.check_digit(first17)
            if number not in self.used:
                self.used.add(number)
                return number

    def birth(self, age: int) -> date:
        start = date(REFERENCE_DAY.year - age - 1, REFERENCE_DAY.month, REFERENCE_DAY.day)
        return start + timedelta(days=self.rng.randrange(1, 365))

    def given(self, sex: str) -> str:
        return self.rng.choice(_MALE_NAMES if sex == "1" else _FEMALE_NAMES)

    def person(self, surname: str, sex: str, age: int, relation: str, ethnicity: str,
               married_in: bool = False) -> dict[str, Any]:
        rng = self.rng
        born = self.birth(max(age, 0))
        region = rng.choice(self.others) if married_in and self.others and rng.random() < .3 \
            else None
        health = _weighted(rng, _HEALTH) if age >= 16 else _weighted(rng, [("1", 95),
                                                                            ("4", 5)])
        m: dict[str, Any] = {
            "name": surname + self.given(sex), "id_number": self.id_number(born, sex, region),
            "relation": relation, "ethnicity": ethnicity, "health": health,
            "medical_insurance": rng.random() < .96, "pension_insurance": age >= 16 and
            rng.random() < .7, "active_military": 18 <= age <= 24 and rng.random() < .01,
        }
        m.update(self.schooling(age))
        m.update(self.work(age, health))
        if m["school_status"] != "1" and "work_status" in m:  # a student does not 务工
            del m["work_status"]
            m["work_months"] = 0
        if health == "4":
            m["disability_cert"] = m["id_number"] + rng.choice(["11", "21", "42", "63"])
        return m

    def schooling(self, age: int) -> dict[str, Any]:
        rng = self.rng
        if age < 3:
            return {"education": "6", "school_status": "1"}
        if age < 6:
            return {"education": "6", "school_status": "2"}
        if age < 12:
            return {"education": "2", "school_status": "3"}
        if age < 15:
            return {"education": "2", "school_status": str(4 + age - 12)}
        if age < 18 and rng.random() < .75:
            kind = rng.choice([7, 10])  # 高中 or 中职, years 1-3
            return {"education": "3", "school_status": str(kind + age - 15)}
        if age < 22 and rng.random() < .25:
            return {"education": "4", "school_status": "16"}
        levels = ([("1", 35), ("2", 45), ("3", 17), ("4", 3)] if age >= 50
                  else [("1", 8), ("2", 32), ("3", 45), ("4", 11), ("5", 4)])
        return {"education": _weighted(rng, levels), "school_status": "1"}

    def work(self, age: int, health: str) -> dict[str, Any]:
        rng = self.rng
        if age < 16:
            return {"labor_skill": "5"}
        if health in ("3", "4") and rng.random() < .7:
            return {"labor_skill": "4"}
        if age >= 65:
            return {"labor_skill": _weighted(rng, [("3", 60), ("4", 25), ("5", 15)])}
        skill = _weighted(rng, [("1", 70), ("2", 12), ("3", 18)])
        if 18 <= age <= 58 and rng.random() < .45:
            return {"labor_skill": skill, "work_status": _weighted(
                rng, [("1", 15), ("2", 20), ("3", 30), ("4", 35)]),
                "work_months": rng.randint(3, 12)}
        return {"labor_skill": skill, "work_months": 0}

    def family(self) -> list[dict[str, Any]]:
        rng = self.rng
        ethnicity = _weighted(rng, self.ethnic)
        surname = self.fake.last_name()
        head_sex = "1" if rng.random() < .85 else "2"
        head_age = rng.randint(26, 82)
        people = [self.person(surname, head_sex, head_age, "01", ethnicity)]
        spouse_sex = "2" if head_sex == "1" else "1"
        if head_age < 76 and rng.random() < .8:
            people.append(self.person(self.fake.last_name(), spouse_sex,
                                      max(20, head_age + rng.randint(-6, 4)), "02", ethnicity,
                                      married_in=True))
        if head_age < 65:
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                sex = rng.choice("12")
                age = head_age - rng.randint(21, 34)
                if age >= 0:
                    people.append(self.person(surname, sex, age, "03" if sex == "1" else "04",
                                              ethnicity))
        elif rng.random() < .5:
            son_age = head_age - rng.randint(24, 32)
            people.append(self.person(surname, "1", son_age, "03", ethnicity))
            for _ in range(rng.choice([0, 1, 2])):
                sex = rng.choice("12")
                age = son_age - rng.randint(20, 30)
                if age >= 0:
                    people.append(self.person(surname, sex, age, "07" if sex == "1" else "08",
                                              ethnicity))
        if head_age < 48 and rng.random() < .3:
            people.append(self.person(surname, "2", head_age + rng.randint(22, 30), "12",
                                      ethnicity))
            if rng.random() < .15:  # 死亡, recorded with its date and evidence
                people[-1].update(change_reason="1", change_date=date(
                    2015, rng.randint(1, 12), rng.randint(1, 28)),
                    change_evidence="死亡医学证明书,村委会出具证明")
        if 22 <= head_age < 45 and rng.random() < .04:  # 新生儿 with an ID number
            sex = rng.choice("12")
            people.append(self.person(surname, sex, 0, "03" if sex == "1" else "04",
                                      ethnicity))
            people[-1].update(joined_reason="6", change_evidence="出生医学证明,已落户")
        return people

    def household(self, village: str, groups: int) -> dict[str, Any]:
        rng = self.rng
        main = _weighted(rng, _CAUSES)
        others = rng.sample([c for c, _ in _CAUSES if c != main], k=rng.choice([0, 1, 1, 2]))
        stage = _weighted(rng, _STAGES)
        # 脱贫状态 and its year come from the exit steps (registry/demo_aid.choose_exits).
        status = "1"
        exit_year = None
        arable = Decimal(rng.randint(0, 60)) / 10
        return {
            "village_code": village, "group_no": rng.randint(1, groups),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            if rng.random() < .8 else None,
            "bank_name": rng.choice(_BANKS),
            "bank_account": f"62{rng.randrange(10**17):017d}",
            "identification_standard": _weighted(rng, [("1", 85), ("2", 15)]),
            "attribute": _weighted(rng, [("1", 72), ("2", 23), ("3", 5)]),
            "stage": stage, "poverty_status": status, "exit_year": exit_year,
            "planned_exit_year": rng.randint(2016, 2020),
            "military_family": rng.random() < .01, "single_child": rng.random() < .06,
            "two_daughters": rng.random() < .04,
            "income_wage": Decimal(rng.choice([0, 0, rng.randint(1, 30) * 500])),
            "income_business": Decimal(rng.randint(0, 40) * 250),
            "income_property": Decimal(rng.choice([0, 0, 0, rng.randint(1, 20) * 50])),
            "transfer_family_planning": Decimal(rng.choice([0, 0, 0, 600, 960])),
            "transfer_dibao": Decimal(rng.choice([0, 0, rng.randint(6, 30) * 100])),
            "transfer_wubao": Decimal(0), "transfer_pension": Decimal(rng.choice([0, 840, 1320])),
            "transfer_ecological": Decimal(rng.choice([0, 0, rng.randint(1, 10) * 100])),
            "transfer_other": Decimal(rng.choice([0, 0, rng.randint(1, 10) * 50])),
            "business_expense": Decimal(rng.randint(0, 12) * 250),
            "land_arable": arable, "land_irrigated": (arable * rng.randint(0, 10) / 10)
            .quantize(Decimal("0.01")),
            "land_forest": Decimal(rng.randint(0, 100)) / 10,
            "land_returned_forest": Decimal(rng.randint(0, 20)) / 10,
            "land_fruit": Decimal(rng.randint(0, 10)) / 10, "land_pasture": Decimal(0),
            "land_water": Decimal(0), "housing_area": Decimal(rng.randint(30, 160)),
            "dangerous_housing": _weighted(rng, [("0", 70), ("C", 18), ("D", 12)]),
            "road_type": _weighted(rng, [("1", 45), ("2", 30), ("3", 23), ("5", 2)]),
            "fuel": _weighted(rng, [("1", 70), ("2", 10), ("3", 15), ("5", 5)]),
            "sanitary_toilet": rng.random() < .35,
            "drinking_water_difficult": rng.random() < .25,
            "drinking_water_safe": rng.random() < .6, "electricity": rng.random() < .97,
            "distance_to_road_km": Decimal(rng.randint(0, 150)) / 10,
            "main_cause": main, "other_causes": ",".join(sorted(others)) or None,
            "aid_needs": ",".join(sorted(rng.sample(["2", "4", "5", "7", "9"], k=2))),
        }

    def helper(self, household_id: str) -> dict[str, Any]:
        rng = self.rng
        sex = rng.choice("12")
        return {"household_id": household_id,
                "name": self.fake.last_name() + self.given(sex),
                "unit": self.fake.city_name()[:0] + rng.choice(_UNITS),
                "title": rng.choice(_TITLES), "phone": f"13{rng.randrange(10**9):09d}",
                "affiliation": _weighted(rng, [("04", 80), ("05", 15), ("03", 5)]),
                "start_date": date(2014, 6, rng.randint(1, 30))}

    def cadre_name(self) -> str:
        return self.fake.last_name() + self.given(self.rng.choice("12"))


@dataclass
class DemoRows:
    """Rows ready for bulk_insert, per table, in dependency order."""

    groups: list[dict[str, Any]]
    households: list[dict[str, Any]]
    members: list[dict[str, Any]]
    steps: StepRows
    aid: demo_aid.AidRows = field(default_factory=demo_aid.AidRows)
    user: str = "演示数据"

    @property
    def helpers(self) -> list[dict[str, Any]]:
        return self.aid.helpers

    @property
    def plans(self) -> list[dict[str, Any]]:
        return self.aid.plans

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.steps.events

    def tables(self) -> list[tuple[type[Tracked], list[dict[str, Any]]]]:
        return [(VillageGroup, self.groups), (Household, self.households),
                (Member, self.members), (Helper, self.aid.helpers),
                (AidPlan, self.aid.plans), (HouseholdIncome, self.aid.incomes),
                (YearlyReview, self.aid.reviews), (TeamMember, self.aid.teams),
                (VillagePlan, self.aid.village_plans),
                (Notice, self.steps.notices), (NoticeEntry, self.steps.entries),
                (Objection, self.steps.objections), (ProcedureEvent, self.steps.events)]


def build_rows(villages: list[str], county: str, households: int, seed: int,
               known_ids: set[str] | None = None, known_groups: set[tuple[str, int]] | None
               = None, progress: Progress | None = None, today: date | None = None,
               user: str = "演示数据", role: str = roles.ADMIN,
               known_teams: set[str] | None = None) -> DemoRows:
    """Makes the demo rows in memory (no database), deterministic for a seed (and `today`,
    which the round under way is dated back from). Notices are numbered by insert_rows."""
    families = _Families(seed, county, _neighbour_counties(county))
    families.used |= known_ids or set()
    rng = families.rng
    incomes: dict[str, list[dict[str, Any]]] = {}
    group_counts = {v: rng.randint(3, 10) for v in villages}
    out = DemoRows([{"village_code": v, "number": n, "name": f"{n}组"}
                    for v, count in group_counts.items() for n in range(1, count + 1)
                    if (v, n) not in (known_groups or set())], [], [], StepRows(),
                   user=user)
    weights = [rng.uniform(.3, 1.7) for _ in villages]
    for i in range(households):
        village = rng.choices(villages, weights=weights)[0]
        h = families.household(village, group_counts[village])
        h["id"] = new_id()
        members = families.family()
        for position, m in enumerate(members):
            m.update(derived.member_facts(m), household_id=h["id"], position=position)
            if m.get("joined_reason"):
                m["joined_date"] = m["birth_date"]
        demo_aid.cap_expense(h)
        h.update(derived.household_facts(h, members), income_year=demo_aid.YEARS[-1])
        incomes[h["id"]] = demo_aid.income_rows(h)
        out.households.append(h)
        out.members += members
        if progress and i % 500 == 0 and not progress(i, households):
            raise Cancelled("已取消")
    registered = [h for h in out.households if h["stage"] == "80"]  # the 2014 round's
    exits, relapses = demo_aid.choose_exits(rng, registered, incomes)
    township = villages[0][:9]
    out.steps = procedure_rows(
        out.households, township, _county_short(county), today or date.today(), rng, user,
        role, exits, {hid: (year, demo_aid.relapse_facts(rng))
                      for hid, year in relapses.items()})
    out.aid.incomes = [row for h in out.households for row in incomes[h["id"]]]
    out.aid.reviews = demo_aid.reviews(rng, registered, exits, relapses, user)
    out.aid.helpers = demo_aid.helpers(rng, registered, families.helper)
    out.aid.plans = demo_aid.plans(rng, registered, exits)
    new_villages = [v for v in villages if v not in (known_teams or set())]
    out.aid.teams = demo_aid.teams(rng, new_villages, families.cadre_name)
    out.aid.village_plans = demo_aid.village_plans(rng, new_villages)
    return out


def _county_short(county: str) -> str:
    """昭觉县 → 昭, as in the 文号 昭扶贫〔2014〕15号."""
    from registry.regions import sichuan

    name = next((d.name for d in sichuan().counties() if d.code == county), "")
    return name[:1] or "县"


def insert_rows(session: Session, rows: DemoRows) -> None:
    """Inserts the rows; notice numbers follow those the store has already used."""
    if rows.steps.notices:
        taken: dict[int, int] = {}
        for number in session.scalars(select(Notice.number)):
            year = int(number[:4]) if number[:4].isdigit() else 0
            taken[year] = taken.get(year, 0) + 1
        number_notices(rows.steps, taken)
    for model, table_rows in rows.tables():
        bulk_insert(session, model, table_rows)
    for year in demo_aid.REVIEW_YEARS:  # the reviews' years, opened as a station would
        if session.get(ReviewYear, year) is None:
            session.add(ReviewYear(year=year, opened_on=date(year, 9, 1),
                                   opened_by=rows.user))


def generate(store: Store, households: int, seed: int = 1, user: str = "演示数据",
             progress: Progress | None = None, today: date | None = None,
             adjust: Callable[[DemoRows], None] | None = None) -> DemoReport:
    """Adds `households` demo households to the station's villages, in one transaction,
    each with the steps that brought it to its stage (registry/demo_steps.py). `adjust`
    may change the rows before they are inserted (the demo county plants a few people
    registered in two townships)."""
    with store.transaction() as s:
        villages = list(s.execute(
            select(Region.code).where(Region.level == "village", Region.deleted.is_(False))
            .order_by(Region.code)).scalars())
        if not villages:
            raise ValueError("本站没有行政村,无法生成演示数据")
        known_groups = {(v, n) for v, n in
                        s.execute(select(VillageGroup.village_code, VillageGroup.number))}
        rows = build_rows(villages, store.info.county_code, households, seed,
                          known_ids=set(s.execute(select(Member.id_number)).scalars()),
                          known_groups=known_groups, progress=progress, today=today,
                          user=user, role=store.role,
                          known_teams=set(s.scalars(select(TeamMember.village_code))))
        if adjust is not None:
            adjust(rows)
        insert_rows(s, rows)
        audit.record(s, user, "demo", "household", None,
                     after={"households": households, "members": len(rows.members),
                            "seed": seed})
    if progress:
        progress(households, households)
    return DemoReport(households, len(rows.members), len(villages))


def _neighbour_counties(county: str) -> list[str]:
    from registry.regions import sichuan

    city = county[:4]
    return [d.code for d in sichuan().counties() if d.code.startswith(city) and d.code != county]


# The demo station of the README: 凉山州昭觉县竹核镇, a mountain township of a former
# poverty county, with a known login so anyone can try the program.
DEMO_TOWNSHIP = "513431102"
DEMO_USER = "admin"
DEMO_PASSWORD = "demo-2014"
DEMO_STATION_HOUSEHOLDS = 3000


@dataclass
class DemoStation:
    store: str
    user: str
    password: str
    recovery_key: str | None  # None when the station already existed
    households: int

    def instructions(self) -> str:
        lines = [
            f"演示工作站:{self.store}(四川省凉山州昭觉县竹核镇,{self.households} 户演示数据)",
            f"登录用户:{self.user}    密码:{self.password}",
        ]
        if self.recovery_key:
            lines.append(f"恢复密钥:{self.recovery_key}")
        lines += [
            "打开桌面程序:  .venv/bin/fupin-station --store " + self.store,
            "命令行查看:    FUPIN_PASSWORD=" + self.password
            + " .venv/bin/fupin households list --store " + self.store + " --limit 20",
        ]
        return "\n".join(lines)


def ensure_demo_station(folder: Path, households: int = DEMO_STATION_HOUSEHOLDS
                        ) -> DemoStation:
    """Makes the demo station once; later calls just say where it is."""
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / "zhuhe-demo.db").resolve()
    if path.exists():
        with Store.open(path, DEMO_USER, DEMO_PASSWORD) as store, store.session() as s:
            count = s.scalar(select(func.count()).select_from(Household)
                             .where(Household.deleted.is_(False))) or 0
        return DemoStation(str(path), DEMO_USER, DEMO_PASSWORD, None, count)
    store, recovery = Store.create(path, kind="station", region_code=DEMO_TOWNSHIP,
                                   user=DEMO_USER, password=DEMO_PASSWORD)
    with store:
        generate(store, households, seed=2014, user=DEMO_USER)
    return DemoStation(str(path), DEMO_USER, DEMO_PASSWORD, recovery, households)
