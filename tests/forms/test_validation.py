from decimal import Decimal
from typing import Any

import pytest

from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from forms.validation import Invalid, validate_household

HEAD = {"name": "张三", "id_number": "11010519491231002X", "relation": "户主",
        "ethnicity": "汉族", "health": "健康"}
WIFE = {"name": "李秀英", "id_number": "513431198503150023", "relation": "02",
        "ethnicity": "01", "health": "1"}
HOUSEHOLD = {"village_code": "513431102200", "identification_standard": "国家标准",
             "attribute": "一般贫困户", "stage": "80", "poverty_status": "未脱贫",
             "main_cause": "因病", "income_wage": "5000"}


def errors(household: dict[str, Any], members: list[dict[str, Any]]) -> dict[tuple, str]:
    with pytest.raises(Invalid) as caught:
        validate_household(household, members)
    return {(e.field, e.row): e.message for e in caught.value.errors}


def test_a_good_household_is_cleaned_to_codes_and_decimals() -> None:
    clean = validate_household({**HOUSEHOLD, "other_causes": "缺技术,缺资金"}, [HEAD, WIFE])
    assert clean.household["attribute"] == "1"
    assert clean.household["main_cause"] == "01"
    assert clean.household["other_causes"] == "07,09"
    assert clean.household["income_wage"] == Decimal("5000.00")
    assert clean.members[0]["relation"] == cl.HEAD_OF_HOUSEHOLD


def test_every_problem_is_named_beside_its_field() -> None:
    bad_wife = {**WIFE, "id_number": "513431198503150024"}
    found = errors({**HOUSEHOLD, "main_cause": ""}, [HEAD, bad_wife])
    assert found[("main_cause", None)] == "请选择主要致贫原因"
    assert "校验位" in found[("id_number", 1)]


def test_one_head_per_household() -> None:
    found = errors(HOUSEHOLD, [HEAD, {**WIFE, "relation": "户主"}])
    assert found[("relation", 1)] == "一户只能有一名户主"
    found = errors(HOUSEHOLD, [{**WIFE}])
    assert "必须有一名户主" in found[("members", None)]


def test_at_most_two_other_causes_and_not_the_main_one() -> None:
    found = errors({**HOUSEHOLD, "other_causes": "缺技术,缺资金,缺水"}, [HEAD])
    assert found[("other_causes", None)] == "其他致贫原因最多选2项"
    found = errors({**HOUSEHOLD, "other_causes": "因病"}, [HEAD])
    assert "不能与主要致贫原因相同" in found[("other_causes", None)]


def test_typed_sex_and_birth_date_must_agree_with_the_id_number() -> None:
    found = errors(HOUSEHOLD, [{**HEAD, "sex": "男", "birth_date": "1950-01-01"}])
    assert "性别与身份证号码不符" in found[("sex", 0)]
    assert "1949-12-31" in found[("birth_date", 0)]


def test_numbers_in_range_and_codes_from_the_list() -> None:
    found = errors({**HOUSEHOLD, "income_wage": "-5", "fuel": "核能"},
                   [{**HEAD, "work_months": "13"}])
    assert found[("income_wage", None)] == "工资性收入不能小于0元"
    assert "不是主要燃料类型的可选项" in found[("fuel", None)]
    assert found[("work_months", 0)] == "务工时间不能大于12月"


def test_an_id_number_rounded_by_excel_is_refused() -> None:
    found = errors(HOUSEHOLD, [{**HEAD, "id_number": 1.10105194912310e17}])
    assert "Excel" in found[("id_number", 0)]


def test_the_same_person_twice_in_one_household() -> None:
    found = errors(HOUSEHOLD, [HEAD, {**WIFE, "id_number": HEAD["id_number"]}])
    assert "与第1名成员的身份证号码重复" in found[("id_number", 1)]


def test_poverty_status_and_exit_year_are_never_taken_from_input() -> None:
    # Schema 4: only the exit steps (销号, 返贫) change them (registry/procedure/exits.py).
    clean = validate_household({**HOUSEHOLD, "poverty_status": "脱贫", "exit_year": "2015"},
                               [HEAD])
    assert "poverty_status" not in clean.household
    assert "exit_year" not in clean.household


def test_a_member_without_an_id_number_needs_sex_and_birth_date() -> None:
    baby = {"name": "张小", "no_id_number": "是", "relation": "之子", "ethnicity": "汉族",
            "health": "健康"}
    found = errors(HOUSEHOLD, [HEAD, baby])
    assert found[("sex", 1)] == "请选择性别"
    assert found[("birth_date", 1)] == "请填写出生日期"
    clean = validate_household(HOUSEHOLD, [HEAD, {**baby, "sex": "男",
                                                   "birth_date": "2016-03-01"}])
    assert clean.members[1]["id_number"] is None


def test_forms_declare_each_field_once_with_a_chinese_label() -> None:
    for form in (HOUSEHOLD_FORM, MEMBER_FORM):
        names = [f.name for f in form.fields]
        assert len(names) == len(set(names))
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f.label) for f in form.fields)
    private = {f.name for f in (*HOUSEHOLD_FORM.fields, *MEMBER_FORM.fields) if not f.public}
    assert {"id_number", "phone", "bank_account", "health"} <= private


def test_code_lists_keep_official_codes() -> None:
    assert cl.POVERTY_CAUSE.label_of("11") == "自身发展动力不足"
    assert cl.RELATION.code_of("之外祖母") == "20"
    assert cl.ETHNICITY.label_of("07") == "彝族" and cl.ETHNICITY.label_of("56") == "基诺族"
    assert cl.SEX.codes() == ("1", "2")


def test_a_head_who_left_does_not_count_against_the_new_head() -> None:
    old_head = {**HEAD, "change_reason": "1"}  # 死亡
    clean = validate_household(HOUSEHOLD, [old_head, {**WIFE, "relation": "01"}])
    assert [m["relation"] for m in clean.members] == ["01", "01"]
    found = errors(HOUSEHOLD, [old_head])
    assert "至少要登记一名家庭成员" in found[("members", None)]
