"""贫困村登记表: a village's typed facts for one year, declared once (the CLI's options, the
entry dialog, the sync's record checks, the printed and Excel 登记表 take their labels and
ranges from here), and the figures the 登记表 shows that are counted from households, never
typed (COMPUTED). The village exit checklist (一低七有) is data too, per province and year,
like forms/checklists.py's household lists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from forms.fields import Field, Form, code_list
from forms.fields import FieldType as T

BASIC = "基本情况"
INFRA = "基础设施和公共服务"
COUNTED = "建档立卡情况"
MAX_PEOPLE = 100_000  # 户籍人口 of one 行政村: a few thousand at most


def _people(name: str, label: str) -> Field:
    return Field(name, label, T.INTEGER, BASIC, minimum=0, maximum=MAX_PEOPLE,
                 unit="户" if "户数" in label else "人")


def _yes_no(name: str, label: str, hint: str = "") -> Field:
    return Field(name, label, T.BOOL, INFRA, hint=hint)


VILLAGE_FACTS_FORM = Form(
    name="village_facts",
    label="贫困村登记表",
    sections=(BASIC, INFRA, COUNTED),
    fields=(
        Field("year", "年度", T.INTEGER, BASIC, required=True, minimum=2013, maximum=2035),
        _people("households_registered", "户籍户数"),
        _people("people_registered", "户籍人口"),
        _people("people_agricultural", "农业户籍人口"),
        Field("collective_income", "村集体经济收入", T.DECIMAL, BASIC, minimum=0,
              maximum=Decimal("100000000"), unit="元", extra={"places": 2}),
        Field("distance_to_township_km", "距乡镇距离", T.DECIMAL, BASIC, minimum=0,
              maximum=Decimal("500"), unit="公里", extra={"places": 1}),
        _yes_no("road_hardened", "通硬化路", "通村硬化路"),
        _yes_no("bus_service", "通客运班车"),
        _yes_no("water_safe", "安全饮水"),
        _yes_no("electricity", "通生活用电"),
        _yes_no("broadband", "通宽带"),
        _yes_no("clinic", "标准化村卫生室"),
        _yes_no("culture_room", "文化活动室"),
        Field("note", "备注", T.TEXT, BASIC, max_length=500),
        # Counted from the households and the village's rows (registry/poor_villages/facts.py).
        Field("poor_households", "建档立卡贫困户数", T.COMPUTED, COUNTED, unit="户"),
        Field("poor_people", "建档立卡贫困人口", T.COMPUTED, COUNTED, unit="人"),
        Field("incidence", "贫困发生率", T.COMPUTED, COUNTED, unit="%"),
        Field("exited_households", "当年脱贫户数", T.COMPUTED, COUNTED, unit="户"),
        Field("exited_people", "当年脱贫人口", T.COMPUTED, COUNTED, unit="人"),
        Field("helpers", "帮扶责任人", T.COMPUTED, COUNTED, unit="人"),
        Field("team", "驻村工作队", T.COMPUTED, COUNTED, unit="人"),
    ),
)
FACT_FIELDS = tuple(f.name for f in VILLAGE_FACTS_FORM.inputs() if f.name != "year")
BOOL_FIELDS = tuple(f.name for f in VILLAGE_FACTS_FORM.inputs() if f.type is T.BOOL)


# ---- the village exit checklist ----------------------------------------------------------
@dataclass(frozen=True)
class VillageItem:
    """One criterion: a fact that must be 是 (`fact`), or 贫困发生率 below `below` percent,
    or 村集体经济收入 above `above` 元."""

    key: str
    label: str
    fact: str | None = None
    below: Decimal | None = None  # 贫困发生率 (%) must be below this
    above: Decimal | None = None  # 村集体经济收入 (元) must be above this


@dataclass(frozen=True)
class VillageChecklist:
    name: str
    items: tuple[VillageItem, ...]


def _standard(rate: str) -> tuple[VillageItem, ...]:
    return (
        VillageItem("incidence", f"贫困发生率低于{rate}%", below=Decimal(rate)),
        VillageItem("road", "通硬化路", fact="road_hardened"),
        VillageItem("water", "有安全饮水", fact="water_safe"),
        VillageItem("electricity", "通生活用电", fact="electricity"),
        VillageItem("broadband", "通宽带", fact="broadband"),
        VillageItem("clinic", "有标准化村卫生室", fact="clinic"),
        VillageItem("culture_room", "有文化活动室", fact="culture_room"),
        VillageItem("collective_income", "有集体经济收入", above=Decimal(0)),
    )


NATIONAL = VillageChecklist("贫困村退出标准", _standard("2"))
WEST = VillageChecklist("贫困村退出标准(西部地区)", _standard("3"))
SICHUAN_ONE_LOW_SEVEN_HAVE = VillageChecklist("一低七有", _standard("3"))

# (province code prefix, first year) → checklist; the latest entry not after the year wins,
# the longest prefix first. The west (西部地区, 贫困发生率 below 3 %): 四川 51, 重庆 50, 贵州
# 52, 云南 53, 西藏 54, 陕西 61, 甘肃 62, 青海 63, 宁夏 64, 新疆 65, 内蒙古 15, 广西 45.
_BY_PROVINCE: dict[tuple[str, int], VillageChecklist] = {
    ("", 2014): NATIONAL,
    **{(p, 2014): WEST for p in ("15", "45", "50", "52", "53", "54", "61", "62", "63", "64",
                                 "65")},
    ("51", 2014): SICHUAN_ONE_LOW_SEVEN_HAVE,
}


def village_checklist_for(village_code: str, year: int | None = None) -> VillageChecklist:
    best: tuple[int, int, VillageChecklist] | None = None
    for (prefix, since), checklist in _BY_PROVINCE.items():
        if village_code.startswith(prefix) and (year is None or since <= year):
            rank = (len(prefix), since)
            if best is None or rank > best[:2]:
                best = (*rank, checklist)
    return best[2] if best else NATIONAL


# ---- where a village stands (registry/poor_villages/steps.py), never typed ----------------
VILLAGE_STAGE = code_list("village_stage", "贫困村识别阶段", [
    ("10", "申请"), ("20", "乡镇审核"), ("30", "乡镇公示"), ("40", "乡镇公示期满"),
    ("50", "县审定"), ("70", "贫困村"), ("90", "未通过"),
    ("75", "申请退出"), ("80", "退出公示"), ("85", "退出公示期满"), ("87", "县审定退出"),
    ("95", "已退出"),
])
VILLAGE_STATUS = code_list("village_status", "贫困村状态",
                           [("0", "未认定"), ("1", "贫困村"), ("2", "已退出")])
