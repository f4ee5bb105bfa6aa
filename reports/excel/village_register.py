"""贫困村登记表 as an Excel book: one sheet laid out like the paper form (facts typed by the
station, figures counted from the households when written, marked *), then 退出核查 and
程序. Values only, no formulas: every household-derived figure is computed by the program
(registry/poor_villages), never typed. Saved atomically."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook

from registry.poor_villages.sheet import VillageSheet
from reports.excel.saving import save_atomic
from reports.pdf.village_register import (
    COMPUTED_MARK,
    COMPUTED_NOTE,
    basic_rows,
    figure_rows,
    infra_rows,
)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=16)
_GREY = PatternFill("solid", fgColor="E6E6E6")


def write_village_register(sheet: VillageSheet, out: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "贫困村登记表"
    for col, width in zip("ABCDE", (24, 30, 16, 16, 30), strict=True):
        ws.column_dimensions[col].width = width
    place = f"{sheet.county}{sheet.township}{sheet.name}"
    ws.append(["贫困村登记表"])
    ws["A1"].font = _TITLE
    ws.merge_cells("A1:D1")
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"{place}(行政村代码 {sheet.code})", "", "年度", sheet.year])
    ws.append(["贫困村状态", sheet.status_name, "程序进度", sheet.stage_name])
    if sheet.exit_year:
        ws.append(["退出年度", sheet.exit_year])

    def section(heading: str, rows: list[tuple[str, str]], computed: bool = False) -> None:
        ws.append([])
        ws.append([heading])
        ws.cell(ws.max_row, 1).font = _BOLD
        for label, value in rows:
            ws.append([label + (COMPUTED_MARK if computed else ""), value])
            ws.cell(ws.max_row, 1).fill = _GREY

    section("一、基本情况", basic_rows(sheet))
    section("二、建档立卡情况(系统计算)", figure_rows(sheet), computed=True)
    section("三、基础设施和公共服务", infra_rows(sheet))
    f = sheet.figures
    ws.append([])
    ws.append(["四、历年脱贫(系统计算)"])
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.append(["年度", "脱贫户数*", "脱贫人口*"])
    for y, (h, p) in sorted(f.exits_by_year.items()):
        ws.append([y, h, p])
    ws.append([])
    ws.append(["五、驻村工作队"])
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.append(["姓名", "队内职务", "派出单位"])
    for n, r, u in f.team:
        ws.append([n, r, u])
    c = sheet.checklist
    ws.append([])
    ws.append([f"六、贫困村退出核查({c.name},{c.year}年)", "符合" if c.passed else "不符合"])
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.append(["核查项目", "实际情况", "是否达到", "说明"])
    for i in c.items:
        ws.append([i.label, i.value, "达到" if i.met else "未达到", i.why])
    ws.append([])
    ws.append(["七、识别和退出程序"])
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.append(["日期", "步骤", "结果", "记录人", "文号或说明"])
    for st in sheet.steps:
        ws.append([st.on.isoformat(), st.name, st.result, st.user,
                   str(st.facts.get("文号") or st.reason or "")])
    ws.append([])
    ws.append([COMPUTED_NOTE])
    save_atomic(wb, Path(out))
    return Path(out)
