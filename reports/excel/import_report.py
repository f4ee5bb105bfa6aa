"""What an Excel import answers: imported, or refused with the problems found (the first
LISTED_PROBLEMS of them, and how many more), the marked copy or why there is none."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.excel.problems import CellProblem


@dataclass
class ImportReport:
    source: Path
    households: int = 0  # imported (0 when refused)
    members: int = 0
    rows_checked: int = 0  # households read from the file
    problems: list[CellProblem] = field(default_factory=list)  # the listed ones, in order
    not_listed: int = 0  # problems found beyond the listed ones
    rows_with_problems: int = 0
    marked_copy: Path | None = None
    marked_copy_note: str = ""  # why no marked copy was written
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the clerk must know besides
    aid: Any = None  # aid_sheets.Applied: helpers, plans, incomes, reviews, steps written
    changes: list[str] = field(default_factory=list)  # households updated, in words
    dry_run: bool = False  # checked and listed, nothing kept

    @property
    def ok(self) -> bool:
        return not self.problems and not self.not_listed

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.not_listed

    def summary(self) -> str:
        if self.ok and self.dry_run:
            text = (f"试导入(未保存):将新增 {self.households} 户、{self.members} 人,"
                    f"更新 {len(self.changes)} 户(文件:{self.source.name})。")
        elif self.ok:
            text = f"已导入 {self.households} 户、{self.members} 人(文件:{self.source.name})。"
            if self.changes:
                text += f"已更新 {len(self.changes)} 户。"
        if self.ok and self.aid is not None:
            a = self.aid
            text += ("另将导入" if self.dry_run else "另导入") + (
                f"帮扶责任人 {a.helpers} 条、帮扶计划 {a.plans} 条、年度收入 {a.incomes} 条、"
                f"年度核查 {a.reviews} 条、程序记录 {a.steps} 条。")
        if not self.ok:
            rows = max(self.rows_with_problems, len({(p.sheet, p.row) for p in self.problems}))
            text = (f"导入未进行:发现 {self.problem_count} 处错误,涉及 {rows} 行,"
                    f"一户也没有导入。")
            if self.not_listed:
                text += (f"下面列出前 {len(self.problems)} 处,另有 {self.not_listed} 处问题"
                         "未列出(改正后重新导入时会再列出)。")
            if self.marked_copy:
                text += f"已标出错误单元格的副本:{self.marked_copy}"
            elif self.marked_copy_note:
                text += self.marked_copy_note
        for sheet, headers in self.ignored_columns.items():
            if headers:
                text += f"\n工作表“{sheet}”中以下列不属于模板,已忽略:{'、'.join(headers)}"
        for note in self.notes:
            text += f"\n{note}"
        if self.ok and self.changes:
            text += "\n" + ("将更新:" if self.dry_run else "已更新:")
            text += "".join(f"\n  {c}" for c in self.changes)
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "source": str(self.source), "households": self.households,
            "members": self.members, "rows_checked": self.rows_checked,
            "marked_copy": str(self.marked_copy) if self.marked_copy else None,
            "marked_copy_note": self.marked_copy_note or None,
            "ignored_columns": self.ignored_columns, "notes": self.notes,
            "dry_run": self.dry_run, "changes": self.changes,
            "aid": ({k: getattr(self.aid, k) for k in ("helpers", "plans", "incomes", "reviews",
                                                      "steps")} if self.aid else None),
            "problem_count": self.problem_count, "problems_not_listed": self.not_listed,
            "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column,
                          "header": p.header, "value": _plain(p.value), "message": p.message}
                         for p in self.problems],
        }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)
