"""帮扶责任人 and 帮扶计划 rows of the 扶贫手册, declared once like the household form
(printed handbooks and any entry screen take their columns and labels from here)."""

from __future__ import annotations

from decimal import Decimal

from forms import codelists as cl
from forms.fields import Field, Form
from forms.fields import FieldType as T

HELPER = "帮扶责任人"
AID_PLAN = "帮扶计划"

HELPER_FORM = Form(
    name="helper",
    label="帮扶责任人",
    sections=(HELPER,),
    fields=(
        Field("name", "姓名", T.TEXT, HELPER, required=True, max_length=40),
        Field("unit", "单位名称", T.TEXT, HELPER, max_length=80),
        Field("title", "职务", T.TEXT, HELPER, max_length=40),
        Field("phone", "联系电话", T.PHONE, HELPER, public=False),
        Field("affiliation", "单位隶属关系", T.CODE, HELPER, codelist=cl.AFFILIATION),
        Field("unit_kind", "单位性质", T.CODE, HELPER, codelist=cl.UNIT_KIND),
        Field("start_date", "帮扶开始日期", T.DATE, HELPER, required=True),
        Field("end_date", "帮扶结束日期", T.DATE, HELPER),
    ),
)

def _money(name: str, label: str, section: str) -> Field:
    return Field(name, label, T.DECIMAL, section, minimum=0, maximum=Decimal("100000000"),
                 unit="元", extra={"places": 2})


# 资金 by source, one column each (aid_plan and village_plan): their sum is the plan's total.
FUND_FIELDS = tuple(f"funds_{c.code}" for c in cl.FUND_SOURCE.choices)


def _funds(section: str) -> tuple[Field, ...]:
    return tuple(_money(f"funds_{c.code}", f"{c.label}资金", section)
                 for c in cl.FUND_SOURCE.choices)


AID_PLAN_FORM = Form(
    name="aid_plan",
    label="帮扶计划",
    sections=(AID_PLAN,),
    fields=(
        Field("year", "年度", T.INTEGER, AID_PLAN, required=True, minimum=2013, maximum=2035),
        Field("measure", "帮扶措施", T.CODE, AID_PLAN, required=True, codelist=cl.AID_MEASURE),
        Field("content", "帮扶内容", T.TEXT, AID_PLAN, max_length=500),
        *_funds(AID_PLAN),
        Field("funds", "资金合计", T.COMPUTED, AID_PLAN, unit="元"),
        Field("responsible", "责任人", T.TEXT, AID_PLAN, max_length=40),
        Field("status", "实施状态", T.CODE, AID_PLAN, codelist=cl.PLAN_STATUS),
        Field("result", "帮扶成效", T.TEXT, AID_PLAN, max_length=500),
    ),
)

VILLAGE_PLAN = "村帮扶规划"
VILLAGE_PLAN_FORM = Form(
    name="village_plan",
    label="村帮扶规划",
    sections=(VILLAGE_PLAN,),
    fields=(
        Field("year", "年度", T.INTEGER, VILLAGE_PLAN, required=True, minimum=2013,
              maximum=2035),
        Field("project", "项目名称", T.TEXT, VILLAGE_PLAN, required=True, max_length=80),
        Field("measure", "帮扶措施", T.CODE, VILLAGE_PLAN, codelist=cl.AID_MEASURE),
        Field("content", "建设内容", T.TEXT, VILLAGE_PLAN, max_length=500),
        *_funds(VILLAGE_PLAN),
        Field("funds", "资金合计", T.COMPUTED, VILLAGE_PLAN, unit="元"),
        Field("responsible", "责任单位", T.TEXT, VILLAGE_PLAN, max_length=80),
        Field("status", "实施状态", T.CODE, VILLAGE_PLAN, codelist=cl.PLAN_STATUS),
        Field("result", "建设成效", T.TEXT, VILLAGE_PLAN, max_length=500),
    ),
)

TEAM = "驻村工作队"
TEAM_MEMBER_FORM = Form(
    name="team_member",
    label="驻村工作队队员",
    sections=(TEAM,),
    fields=(
        Field("name", "姓名", T.TEXT, TEAM, required=True, max_length=40),
        Field("role", "队内职务", T.CODE, TEAM, required=True, codelist=cl.TEAM_ROLE),
        Field("unit", "派出单位", T.TEXT, TEAM, max_length=80),
        Field("title", "职务", T.TEXT, TEAM, max_length=40),
        Field("phone", "联系电话", T.PHONE, TEAM, public=False),
        Field("start_date", "驻村开始日期", T.DATE, TEAM, required=True),
        Field("end_date", "驻村结束日期", T.DATE, TEAM),
    ),
)
