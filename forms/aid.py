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
        Field("start_date", "帮扶开始日期", T.DATE, HELPER),
        Field("end_date", "帮扶结束日期", T.DATE, HELPER),
    ),
)

AID_PLAN_FORM = Form(
    name="aid_plan",
    label="帮扶计划",
    sections=(AID_PLAN,),
    fields=(
        Field("year", "年度", T.INTEGER, AID_PLAN, required=True, minimum=2013, maximum=2035),
        Field("measure", "帮扶措施", T.CODE, AID_PLAN, codelist=cl.AID_MEASURE),
        Field("content", "帮扶内容", T.TEXT, AID_PLAN, max_length=500),
        Field("funds", "资金", T.DECIMAL, AID_PLAN, minimum=0, maximum=Decimal("10000000"),
              unit="元", extra={"places": 2}),
        Field("responsible", "责任人", T.TEXT, AID_PLAN, max_length=40),
        Field("status", "实施状态", T.TEXT, AID_PLAN, max_length=20),
        Field("result", "帮扶成效", T.TEXT, AID_PLAN, max_length=500),
    ),
)
