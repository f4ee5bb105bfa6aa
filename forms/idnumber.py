"""居民身份证号码 (GB 11643-1999): checks and what the number tells (birth date, sex,
region). The checksum is python-stdnum's; we add messages a clerk understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric


@dataclass(frozen=True)
class IdFacts:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "1" 男, "2" 女 (GB/T 2261), from the parity of the sequence digits


class IdNumberError(ValueError):
    """Carries a Chinese message fit to show beside the field."""


def normalize(text: str) -> str:
    """Strips spaces and upper-cases the check letter, as typed or pasted from Excel."""
    return "".join(text.split()).upper()


def parse(text: str, *, today: date | None = None) -> IdFacts:
    number = normalize(text)
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位,现为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("身份证号码前17位应为数字,末位为数字或X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号码中的出生日期{number[6:14]}不是有效日期") from None
    if born > (today or date.today()) or born.year < 1890:
        raise IdNumberError(f"身份证号码中的出生日期{born.isoformat()}不合理")
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError("身份证号码校验位错误,请逐位核对")
    if not _region_known(number[:6]):
        raise IdNumberError(f"身份证号码前6位地区代码 {number[:6]} 不存在")
    sex = "1" if int(number[16]) % 2 == 1 else "2"
    return IdFacts(number=number, region_code=number[:6], birth_date=born, sex=sex)


@lru_cache(maxsize=4096)
def _region_known(code: str) -> bool:
    """Whether the code was ever an assigned region (stdnum's table of past and present
    codes). Not checked against the birth year: a person first registered after a
    county was renamed carries the new code with an older birth date."""
    return any(props for _, props in numdb.get("cn/loc").info(code))


def check_digit(first17: str) -> str:
    """The GB 11643 check character for 17 digits (used to make demo numbers)."""
    return ric.calc_check_digit(first17 + "0")  # stdnum expects a placeholder check digit


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def mask(number: str | None) -> str:
    """For anything public: keep the region and the last four, hide the birth date."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "****"
