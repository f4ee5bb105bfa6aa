"""家庭成员 rows of the household form."""

from __future__ import annotations

from typing import Any

from forms import codelists as cl
from forms.fields import Field, Form, Values
from forms.fields import FieldType as T

MEMBER = "家庭成员"


def _name(value: Any, _: Values) -> str | None:
    text = str(value).strip()
    if any(ch.isdigit() for ch in text):
        return "姓名中不能有数字"
    if len(text) > 20:
        return "姓名不能超过20个字"
    return None


def _at_school(values: Values) -> bool:
    return values.get("school_status") not in (None, "", "1")


def _no_id(values: Values) -> bool:
    return bool(values.get("no_id_number"))


MEMBER_FORM = Form(
    name="member",
    label="家庭成员",
    sections=(MEMBER,),
    fields=(
        Field("name", "姓名", T.TEXT, MEMBER, required=True, constraint=_name),
        # 暂无身份证号 (a newborn, schema 4): 性别 and 出生日期 are typed and the member stays
        # on the quality list until the number is entered; otherwise both come from it.
        Field("no_id_number", "暂无身份证号", T.BOOL, MEMBER),
        Field("sex", "性别", T.CODE, MEMBER, codelist=cl.SEX, required=True,
              relevant=_no_id, hint="有身份证号码时由号码得出"),
        Field("id_number", "身份证号码", T.ID_NUMBER, MEMBER, required=True, public=False,
              relevant=lambda v: not _no_id(v), hint="18位居民身份证号码"),
        Field("disability_cert", "残疾证号", T.TEXT, MEMBER, public=False, max_length=20,
              relevant=lambda v: v.get("health") == "4"),
        Field("birth_date", "出生日期", T.DATE, MEMBER, public=False, required=True,
              relevant=_no_id, hint="有身份证号码时由号码得出"),
        Field("age", "年龄", T.COMPUTED, MEMBER, unit="岁"),
        Field("relation", "与户主关系", T.CODE, MEMBER, required=True, codelist=cl.RELATION),
        Field("ethnicity", "民族", T.CODE, MEMBER, required=True, codelist=cl.ETHNICITY),
        Field("education", "文化程度", T.CODE, MEMBER, codelist=cl.EDUCATION),
        Field("school_status", "在校生状况", T.CODE, MEMBER, codelist=cl.SCHOOL_STATUS),
        Field("health", "健康状况", T.CODE, MEMBER, required=True, codelist=cl.HEALTH,
              public=False),
        Field("labor_skill", "劳动技能", T.CODE, MEMBER, codelist=cl.LABOR_SKILL),
        Field("work_status", "务工状况", T.CODE, MEMBER, codelist=cl.WORK_STATUS,
              relevant=lambda v: not _at_school(v)),
        Field("work_months", "务工时间", T.INTEGER, MEMBER, minimum=0, maximum=12, unit="月"),
        Field("medical_insurance", "是否参加新农合/大病保险", T.BOOL, MEMBER),
        Field("pension_insurance", "是否参加养老保险", T.BOOL, MEMBER),
        Field("active_military", "是否现役军人", T.BOOL, MEMBER),
    ),
)
