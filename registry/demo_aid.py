"""The demo's 精准扶持 and 动态管理 rows, made in memory like registry/demo_steps.py and
obeying the rules of forms/quality.py: income for each year 2014–2016 (never below zero),
the yearly review of 2015 and 2016, exits only in a year whose income is above that year's
line and whose checklist is all met (the steps themselves are demo_steps' exit round),
some 返贫 with evidence, a 帮扶责任人 for every registered household (some changed, with
history), a 驻村工作队 and a 帮扶规划 per village, plans with funds by source, and a few
member changes (a death, a newborn with its ID number)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from forms.aid import FUND_FIELDS
from forms.checklists import checklist_for
from forms.household import INCOME_FIELDS, TRANSFER_FIELDS
from registry import derived
from registry.aid.ids import income_id, review_id
from registry.store import POVERTY_LINES

YEARS = (2014, 2015, 2016)  # the income years; the household row shows the last
REVIEW_YEARS = (2015, 2016)  # the yearly reviews the demo holds (its exits are in them)
_GROWTH = {2014: Decimal("0.78"), 2015: Decimal("0.89"), 2016: Decimal(1)}
MONEY = (*INCOME_FIELDS, *TRANSFER_FIELDS, "business_expense")
_RELAPSE_REASONS = [("家庭主要劳动力患大病,医疗支出大,收入骤降", "县人民医院住院病历及费用清单"),
                    ("遭受洪灾,房屋和农作物受损", "乡人民政府灾情核查表"),
                    ("务工人员因伤失去劳动能力", "伤残鉴定书及村委会证明")]
_PROJECTS = [("5", "村道路硬化", "硬化村组道路3公里"), ("4", "产业园建设", "建设核桃产业园200亩"),
             ("5", "安全饮水工程", "新建蓄水池2口、铺设管网5公里"),
             ("6", "村卫生室建设", "新建标准化村卫生室1个"),
             ("3", "易地扶贫搬迁安置点", "建设集中安置点一处")]
# A plan's 帮扶内容, short as a clerk writes it in the handbook's narrow column.
_CONTENT = {"1": "职教补助", "2": "贷款5万元", "3": "搬迁安置", "4": "种植核桃", "5": "入户路硬化",
            "6": "村卫生室", "7": "外出务工", "8": "退耕补助", "9": "助学金", "10": "纳入低保",
            "11": "医疗救助", "12": "危房改造", "13": "技能培训"}
_SECRETARY_UNITS = ["县人民政府办公室", "县财政局", "县教育局", "县卫生健康局", "县农业农村局"]


def line_of(year: int) -> Decimal:
    """The national line the demo's households (国家 or 省定 with no line of its own) meet."""
    return Decimal(POVERTY_LINES[year])


def cap_expense(h: dict[str, Any]) -> None:
    """生产经营性支出 never above the household's income: no negative per-capita income."""
    gross = sum((h.get(n) or Decimal(0) for n in (*INCOME_FIELDS, *TRANSFER_FIELDS)),
                Decimal(0))
    if (h.get("business_expense") or 0) > gross:
        h["business_expense"] = gross


def income_rows(h: dict[str, Any]) -> list[dict[str, Any]]:
    """2014–2016 incomes of a household whose row holds 2016's (already capped) and its
    size (as registry/aid/incomes.put_income: the sums need the size, not the people)."""
    out = []
    members = [{"relation": None}] * (h.get("size") or 0)
    for year in YEARS:
        values = {n: (h[n] * _GROWTH[year]).quantize(Decimal(1)) if h.get(n) is not None
                  and n in INCOME_FIELDS else h.get(n) for n in MONEY}
        cap_expense(values)
        facts = derived.household_facts(values, members)
        out.append({"id": income_id(h["id"], year), "household_id": h["id"], "year": year,
                    **values, "size": facts["size"],
                    **{k: facts[k] for k in ("income_transfer", "net_income",
                                             "net_income_per_capita")}})
    return out


def above_line(incomes: Sequence[dict[str, Any]], year: int) -> bool:
    row = next((r for r in incomes if r["year"] == year), None)
    value = row["net_income_per_capita"] if row else None
    return value is not None and value > line_of(year)


@dataclass
class AidRows:
    incomes: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    helpers: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    village_plans: list[dict[str, Any]] = field(default_factory=list)


def choose_exits(rng: random.Random, registered: Sequence[dict[str, Any]],
                 incomes: dict[str, list[dict[str, Any]]]
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """(exits: household → year, relapses: household → year). A household exits in the
    first review year its income is above the line (and only then: the same check as
    拟退出), about half of those that could; a few of 2015's exits 返贫 in 2016."""
    exits: dict[str, int] = {}
    for h in registered:
        for year in REVIEW_YEARS:
            if above_line(incomes[h["id"]], year) and rng.random() < .5:
                exits[h["id"]] = year
                break
    relapses = {hid: 2016 for hid, year in exits.items() if year == 2015
                and rng.random() < .08}
    return exits, relapses


def reviews(rng: random.Random, registered: Sequence[dict[str, Any]],
            exits: dict[str, int], relapses: dict[str, int], user: str
            ) -> list[dict[str, Any]]:
    """The 2015 and 2016 reviews of every registered household: an exit's year has every
    item met and proposes 脱贫; a household staying in has a gap now and then."""
    out = []
    for h in registered:
        hid = h["id"]
        for year in REVIEW_YEARS:
            items = checklist_for(h["village_code"], year).keys()
            exit_year = exits.get(hid)
            if exit_year is not None and year > exit_year:
                answers = dict.fromkeys(items, True)
                proposal = "relapse" if relapses.get(hid) == year else None
            elif exit_year == year:
                answers, proposal = dict.fromkeys(items, True), "exit"
            else:
                answers = {k: rng.random() > .12 for k in items}
                proposal = "continue"
            out.append({"id": review_id(hid, year), "household_id": hid, "year": year,
                        "checklist": json.dumps(answers, ensure_ascii=False),
                        "proposal": proposal, "reviewed_on": date(year, 9, rng.randint(1, 28)),
                        "reviewed_by": user, "note": None})
    return out


def relapse_facts(rng: random.Random) -> dict[str, Any]:
    reason, evidence = rng.choice(_RELAPSE_REASONS)
    return {"year": 2016, "reason": reason, "evidence": evidence}


def helpers(rng: random.Random, registered: Sequence[dict[str, Any]],
            make: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """A current helper for every registered household; one in six changed theirs at the
    end of 2015 (the old row ends, the new one starts: the history)."""
    out = []
    for h in registered:
        first = make(h["id"])
        first["unit_kind"] = rng.choice(["1", "1", "2", "3"])
        out.append(first)
        if rng.random() < 1 / 6:
            first["end_date"] = date(2015, 12, 31)
            second = make(h["id"])
            second.update(start_date=date(2016, 1, 1), unit_kind=first["unit_kind"])
            out.append(second)
    return out


def _funds(rng: random.Random, total_units: int) -> dict[str, Any]:
    sources = rng.sample(FUND_FIELDS, k=rng.randint(1, 3))
    values: dict[str, Any] = dict.fromkeys(FUND_FIELDS)
    for name in sources:
        values[name] = Decimal(rng.randint(1, total_units) * 500)
    values["funds"] = sum((v for v in values.values() if v is not None), Decimal(0))
    return values


def plans(rng: random.Random, registered: Sequence[dict[str, Any]],
          exits: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for h in registered:
        needs = (h.get("aid_needs") or "4").split(",")
        for _ in range(rng.randint(1, 2)):
            measure = rng.choice(needs)
            year = rng.choice(REVIEW_YEARS)
            done = exits.get(h["id"], 9999) >= year and rng.random() < .7
            out.append({"household_id": h["id"], "year": year, "measure": measure,
                        "content": _CONTENT.get(measure, "按计划实施"),
                        **_funds(rng, 20), "responsible": None,
                        "status": "3" if done else rng.choice(["1", "2"]),
                        "result": "增收明显" if done else None})
    return out


def teams(rng: random.Random, villages: Sequence[str], name: Callable[[], str]
          ) -> list[dict[str, Any]]:
    """A 驻村工作队 per village: 第一书记, 队长 and a 队员 from 2015; in one village of three
    the 第一书记 was replaced in 2017 (the old row ended)."""
    out = []
    for v in villages:
        unit = rng.choice(_SECRETARY_UNITS)
        for role, title in (("1", "副主任科员"), ("2", "干部"), ("3", "科员")):
            out.append({"village_code": v, "name": name(), "role": role, "unit": unit,
                        "title": title, "phone": f"13{rng.randrange(10**9):09d}",
                        "start_date": date(2015, 8, 1), "end_date": None})
        if rng.random() < 1 / 3:
            out[-3]["end_date"] = date(2017, 7, 31)
            out.append({**out[-3], "name": name(), "start_date": date(2017, 8, 1),
                        "end_date": None})
    return out


def village_plans(rng: random.Random, villages: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for v in villages:
        for year, (measure, project, content) in zip(REVIEW_YEARS, rng.sample(_PROJECTS, 2),
                                                     strict=True):
            out.append({"village_code": v, "year": year, "project": project,
                        "measure": measure, "content": content, **_funds(rng, 200),
                        "responsible": "村两委、驻村工作队",
                        "status": "3" if year == 2015 else "2",
                        "result": "已完工验收" if year == 2015 else None})
    return out
