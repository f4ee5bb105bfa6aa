"""贫困户登记表 (the household part of 扶贫手册): header, income, production and living
conditions, causes. The member rows are in forms/member.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from forms import codelists as cl
from forms.fields import Field, Form, Values
from forms.fields import FieldType as T

BASIC = "基本情况"
MEMBERS = "家庭成员"
INCOME = "收入"
CONDITIONS = "生产生活条件"
CAUSES = "致贫原因与帮扶需求"
SECTIONS = (BASIC, MEMBERS, INCOME, CONDITIONS, CAUSES)

_MONEY_MAX = Decimal("10000000")  # 一千万元: anything above is a typing slip
_AREA_MAX = Decimal("100000")


def _money(name: str, label: str, hint: str = "") -> Field:
    return Field(name, label, T.DECIMAL, INCOME, minimum=0, maximum=_MONEY_MAX, unit="元",
                 hint=hint, extra={"places": 2})


def _area(name: str, label: str, unit: str = "亩") -> Field:
    return Field(name, label, T.DECIMAL, CONDITIONS, minimum=0, maximum=_AREA_MAX, unit=unit,
                 extra={"places": 2})


def _not_main_cause(value: Any, values: Values) -> str | None:
    main = values.get("main_cause")
    if value and main and main in str(value).split(","):
        return "其他致贫原因不能与主要致贫原因相同"
    return None


def _irrigated_le_arable(value: Any, values: Values) -> str | None:
    arable = values.get("land_arable")
    if value is not None and arable is not None and Decimal(value) > Decimal(arable):
        return "有效灌溉面积不能大于耕地面积"
    return None


HOUSEHOLD_FORM = Form(
    name="household",
    label="贫困户登记表",
    sections=SECTIONS,
    fields=(
        # 基本情况 — the location is chosen in the tree; 户主 comes from the member rows.
        Field("village_code", "行政村", T.TEXT, BASIC, required=True, hint="12位统计用区划代码"),
        Field("group_no", "村民小组", T.INTEGER, BASIC, minimum=1, maximum=99, unit="组"),
        Field("head_name", "户主姓名", T.COMPUTED, BASIC,
              hint="由家庭成员中与户主关系为“户主”者得出"),
        Field("phone", "联系电话", T.PHONE, BASIC, public=False),
        Field("bank_name", "开户银行", T.TEXT, BASIC, max_length=50, public=False),
        Field("bank_account", "银行账号", T.TEXT, BASIC, max_length=30, public=False,
              constraint=lambda v, _: None if not v or str(v).replace(" ", "").isdigit()
              else "银行账号只能包含数字"),
        Field("identification_standard", "识别标准", T.CODE, BASIC, required=True,
              codelist=cl.IDENTIFICATION_STANDARD),
        Field("attribute", "贫困户属性", T.CODE, BASIC, required=True,
              codelist=cl.HOUSEHOLD_ATTRIBUTE),
        # Derived from the recorded steps (registry/procedure), shown, never typed.
        Field("stage", "识别阶段", T.COMPUTED, BASIC, codelist=cl.STAGE),
        # Schema 4: set by the exit steps (销号 → 脱贫, 返贫), never typed.
        Field("poverty_status", "脱贫状态", T.COMPUTED, BASIC, codelist=cl.POVERTY_STATUS),
        Field("exit_year", "脱贫(返贫)年度", T.COMPUTED, BASIC),
        Field("planned_exit_year", "计划脱贫年度", T.INTEGER, BASIC, minimum=2014, maximum=2035),
        Field("military_family", "军烈属", T.BOOL, BASIC),
        Field("single_child", "独生子女户", T.BOOL, BASIC),
        Field("two_daughters", "双女户", T.BOOL, BASIC),
        Field("household_size", "家庭人口数", T.COMPUTED, BASIC, unit="人"),
        # 收入 (元/年), for one 年度: each year's is kept (household_income); the household
        # row shows the latest. Compared with that year's 扶贫标准 (registry/poverty_line.py).
        Field("income_year", "收入年度", T.INTEGER, INCOME, minimum=2013, maximum=2035,
              hint="收入所属年度,与该年度扶贫标准比较;不填为今年"),
        _money("income_wage", "工资性收入"),
        _money("income_business", "生产经营性收入"),
        _money("income_property", "财产性收入"),
        _money("transfer_family_planning", "计划生育金"),
        _money("transfer_dibao", "低保金"),
        _money("transfer_wubao", "五保金"),
        _money("transfer_pension", "养老保险金"),
        _money("transfer_ecological", "生态补偿金"),
        _money("transfer_other", "其他转移性收入"),
        _money("business_expense", "生产经营性支出"),
        Field("income_transfer", "转移性收入", T.COMPUTED, INCOME, unit="元"),
        Field("net_income", "年纯收入", T.COMPUTED, INCOME, unit="元"),
        Field("net_income_per_capita", "人均纯收入", T.COMPUTED, INCOME, unit="元"),
        # 生产生活条件
        _area("land_arable", "耕地面积"),
        Field("land_irrigated", "其中有效灌溉面积", T.DECIMAL, CONDITIONS, minimum=0,
              maximum=_AREA_MAX, unit="亩", constraint=_irrigated_le_arable,
              extra={"places": 2}),
        _area("land_forest", "林地面积"),
        _area("land_returned_forest", "其中退耕还林面积"),
        _area("land_fruit", "林果面积"),
        _area("land_pasture", "牧草地面积"),
        _area("land_water", "水面面积"),
        _area("housing_area", "住房面积", unit="平方米"),
        Field("dangerous_housing", "是否危房", T.CODE, CONDITIONS, codelist=cl.DANGEROUS_HOUSING),
        Field("road_type", "入户路类型", T.CODE, CONDITIONS, codelist=cl.ROAD_TYPE),
        Field("fuel", "主要燃料类型", T.CODE, CONDITIONS, codelist=cl.FUEL),
        Field("sanitary_toilet", "有无卫生厕所", T.BOOL, CONDITIONS),
        Field("drinking_water_difficult", "是否饮水困难", T.BOOL, CONDITIONS),
        Field("drinking_water_safe", "是否饮水安全", T.BOOL, CONDITIONS),
        Field("electricity", "是否通生活用电", T.BOOL, CONDITIONS),
        Field("distance_to_road_km", "距离村主干路", T.DECIMAL, CONDITIONS, minimum=0,
              maximum=200, unit="公里", extra={"places": 1}),
        # 致贫原因与帮扶需求
        Field("main_cause", "主要致贫原因", T.CODE, CAUSES, required=True,
              codelist=cl.POVERTY_CAUSE),
        Field("other_causes", "其他致贫原因", T.CODES, CAUSES, codelist=cl.POVERTY_CAUSE,
              max_choices=2, constraint=_not_main_cause, hint="最多选两项"),
        Field("aid_needs", "帮扶需求", T.CODES, CAUSES, codelist=cl.AID_MEASURE),
        Field("note", "备注", T.TEXT, CAUSES, max_length=500),
    ),
)

# Fields that hold money, summed into 纯收入 by registry/derived.py.
INCOME_FIELDS = ("income_wage", "income_business", "income_property")
TRANSFER_FIELDS = (
    "transfer_family_planning", "transfer_dibao", "transfer_wubao", "transfer_pension",
    "transfer_ecological", "transfer_other",
)
