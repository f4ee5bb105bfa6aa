"""The vocabulary of a form definition: a field, its type, and the code list it draws from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any


class FieldType(Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    CODE = "select_one"  # one value from a code list
    CODES = "select_multiple"  # several values from a code list, stored "01,03"
    BOOL = "bool"
    ID_NUMBER = "id_number"  # 居民身份证号码, GB 11643
    PHONE = "phone"
    COMPUTED = "computed"  # derived, shown but never typed


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class CodeList:
    """An official code list: codes are what we store, labels what people read."""

    name: str
    label: str
    choices: tuple[Choice, ...]

    def label_of(self, code: str | None) -> str:
        if code is None or code == "":
            return ""
        return self._by_code().get(code, code)

    def code_of(self, label: str) -> str | None:
        """Accepts a label ("因病"), a code ("01") or "01 因病" as typed in Excel."""
        text = label.strip()
        by_code = self._by_code()
        if text in by_code:
            return text
        for choice in self.choices:
            if text in (choice.label, f"{choice.code} {choice.label}"):
                return choice.code
        return None

    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def _by_code(self) -> Mapping[str, str]:
        return {c.code: c.label for c in self.choices}


def code_list(name: str, label: str, items: list[tuple[str, str]] | list[str]) -> CodeList:
    """Builds a code list from (code, label) pairs, or numbers plain labels 1, 2, 3..."""
    choices: list[Choice] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, str):
            choices.append(Choice(str(i), item))
        else:
            choices.append(Choice(item[0], item[1]))
    return CodeList(name, label, tuple(choices))


Values = Mapping[str, Any]


@dataclass(frozen=True)
class Field:
    """One field of a paper form, in the XLSForm manner.

    `name` is also the attribute of the model row that stores it. `constraint` returns a
    Chinese message when the value is wrong (None when fine); `relevant` decides whether
    the field applies at all given the other values of the same record.
    """

    name: str
    label: str
    type: FieldType
    section: str
    required: bool = False
    codelist: CodeList | None = None
    hint: str = ""
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    max_length: int | None = None
    max_choices: int | None = None
    constraint: Callable[[Any, Values], str | None] | None = None
    relevant: Callable[[Values], bool] | None = None
    unit: str = ""
    public: bool = True  # False: never on a public notice (ID, phone, bank, health)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_input(self) -> bool:
        return self.type is not FieldType.COMPUTED

    def applies(self, values: Values) -> bool:
        return self.relevant is None or self.relevant(values)


@dataclass(frozen=True)
class Form:
    name: str
    label: str
    sections: tuple[str, ...]
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate field names in form {self.name}")
        unknown = {f.section for f in self.fields} - set(self.sections)
        if unknown:
            raise ValueError(f"fields in undeclared sections {unknown} in form {self.name}")

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def in_section(self, section: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.section == section)

    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_input)
