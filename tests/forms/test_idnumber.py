from datetime import date

import pytest

from forms import idnumber


def test_parses_the_standard_example() -> None:
    facts = idnumber.parse("11010519491231002x")
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "2"  # sequence 002: even, female
    assert facts.region_code == "110105"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验位错误"),
        ("1101051949123100", "应为18位"),
        ("11010519491331002X", "不是有效日期"),
        ("1101051949123100AX", "前17位应为数字"),
        ("990105194912310023", "地区代码"),
    ],
)
def test_rejects_with_a_chinese_reason(number: str, message: str) -> None:
    with pytest.raises(idnumber.IdNumberError, match=message):
        idnumber.parse(number)


def test_check_digit_makes_valid_numbers() -> None:
    first17 = "51343119850315002"
    number = first17 + idnumber.check_digit(first17)
    assert idnumber.parse(number).sex == "2"


def test_mask_hides_the_birth_date() -> None:
    assert idnumber.mask("11010519491231002X") == "110105********002X"
    assert "19491231" not in idnumber.mask("11010519491231002X")
