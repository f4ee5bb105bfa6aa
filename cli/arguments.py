"""Arguments in Chinese: argparse's own messages translated, and argument types that refuse
bad values with a message a clerk understands, before any command runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import NoReturn

# argparse (3.11 and later) passes its user-facing texts through the module's `_`; these
# are the ones a user of `fupin` can meet. Anything else stays as argparse says it.
_MESSAGES = {
    "usage: ": "用法:",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "expected one argument": "后面需要一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少需要一个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r 不是可选值(可选:%(choices)s)",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ambiguous option: %(option)s could match %(matches)s":
        "参数 %(option)s 不明确,可能是 %(matches)s",
    "unexpected option string: %s": "不应出现的参数:%s",
    "ignored explicit argument %r": "多余的值 %r",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s:%(message)s\n",
}


def _translate(message: str) -> str:
    return _MESSAGES.get(message, message)


def install_translations() -> None:
    """Puts the translations into argparse (idempotent; affects only argparse's texts)."""
    argparse._ = _translate  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误:{message}\n用 {self.prog} --help 查看用法\n")


def integer(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high` (a demo of 10^20 households
    would otherwise run until the disk is full)."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"应为整数,收到“{text}”") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 到 {high} 之间,收到 {value}")
        return value
    parse.__name__ = "integer"
    return parse


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写成 YYYY-MM-DD,如 2016-06-30(收到“{text}”)") from None
