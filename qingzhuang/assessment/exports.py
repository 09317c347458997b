"""Files of scorecards: a run as an xlsx workbook, one line as a Word report. Both are audited.

The lines written are those the actor reads (``access.visible_lines``): a township gets only its own.
Cells a spreadsheet would run as a formula are neutralised with ``lib.tables.safe_cell``.
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.utils import timezone

from qingzhuang.assessment import access, scorecards
from qingzhuang.assessment.models import Run, RunLine
from qingzhuang.lib import tables
from qingzhuang.orgs import audit

SUMMARY_SHEET = "成绩汇总"
INDICATOR_SHEET = "指标得分"
SUMMARY_HEADERS = ["名次", "单位代码", "单位", "平时成绩", "期末考试", "加分", "扣分", "总分", "等次", "一票否决",
                   "课后辅导", "趋势指数", "辅导原因", "提示数", "提示"]
INDICATOR_HEADERS = ["单位代码", "单位", "指标代码", "指标名称", "责任部门", "计量单位", "权重", "实际权重",
                     "计分方法", "汇总值", "得分", "计分", "说明", "提示"]


def _cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return tables.safe_cell(value)


def run_filename(run: Run, ext: str) -> str:
    return f"{run.scheme.name}_第{run.number}批次成绩.{ext}"


def line_filename(line: RunLine) -> str:
    return f"{line.run.scheme.name}_{line.unit.name}_成绩单.docx"


def _summary_row(line: RunLine) -> list[Any]:
    flags = scorecards.flag_texts(line)
    return [line.rank, line.unit.code, line.unit.name, line.daily,
            scorecards.NOT_HELD if line.exam is None else line.exam, line.bonus, line.deductions, line.total,
            line.grade, "；".join(scorecards.veto_reasons(line)), "是" if line.coaching else "",
            line.trend_index, line.coaching_reason, len(flags), "；".join(flags)]


def _indicator_rows(line: RunLine):
    for item in (line.detail or {}).get("indicators") or []:
        row = scorecards.indicator_row(item)
        yield [line.unit.code, line.unit.name, row.code, row.name, row.department, row.measure_unit,
               scorecards.dec(item.get("weight")), scorecards.dec(item.get("effective_weight")), row.method,
               scorecards.dec(item.get("value")), scorecards.dec(item.get("score")),
               scorecards.dec(item.get("points")), row.explanation, "；".join(row.flags)]


def run_xlsx(*, actor, run: Run, request=None) -> bytes:
    """The run's lines ``actor`` reads as a workbook of two sheets; audited ``assessment.export``."""
    from openpyxl import Workbook

    run = access.get_run_or_404(actor, run.pk) if actor is not None else run
    lines = (access.visible_lines(actor).filter(run=run) if actor is not None else run.lines.all())
    lines = lines.select_related("unit").order_by("rank", "unit__code")
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(SUMMARY_SHEET)
    indicators = workbook.create_sheet(INDICATOR_SHEET)
    summary.append(SUMMARY_HEADERS)
    indicators.append(INDICATOR_HEADERS)
    count = 0
    for line in lines.iterator(chunk_size=200):
        count += 1
        summary.append([_cell(v) for v in _summary_row(line)])
        for row in _indicator_rows(line):
            indicators.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    with transaction.atomic():
        audit.record(actor=actor, action="assessment.export", obj=run, object_repr=str(run),
                     after={"format": "xlsx", "lines": count}, request=request)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Word

TITLE_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"


def _font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _table(document, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _font(cell.paragraphs[0].add_run(text), TABLE_FONT, 9, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(str(text)), TABLE_FONT, 9)


def line_docx(*, actor, line: RunLine, request=None) -> bytes:
    """One unit's scorecard as a Word report; audited ``assessment.export``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    line = access.get_line_or_404(actor, line.pk) if actor is not None else line
    view = scorecards.line_view(line)
    document = Document()

    def heading(text: str) -> None:
        _font(document.add_paragraph().add_run(text), TITLE_FONT, 14, bold=True)

    def body(text: str) -> None:
        _font(document.add_paragraph().add_run(text), BODY_FONT, 12)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{line.run.scheme.name} 成绩单"), TITLE_FONT, 20, bold=True)
    body(f"被考核单位：{line.unit.name}（第{line.run.number}批次）")
    body(f"总分：{scorecards.fmt(line.total, 2)}　名次：第{line.rank}名（共{view.count}个单位）　等次：{line.grade}")
    if view.veto:
        body(f"一票否决：{'；'.join(view.veto)}")
    body(f"平时成绩：{view.daily}（权重{view.daily_weight}）　期末考试：{view.exam}（权重{view.exam_weight}）"
         f"　加分：{scorecards.fmt(line.bonus, 2)}　扣分：{scorecards.fmt(line.deductions, 2)}")
    if view.flags:
        body(f"提示：{'；'.join(view.flags)}")

    heading("一、平时成绩指标")
    _table(document, ["指标", "责任部门", "权重", "计分方法", "汇总值", "得分", "计分", "说明"], [
        [f"{r.name}（{r.code}）", r.department, r.effective_weight if r.reweighted else r.weight,
         r.method, r.value, r.score, r.points, "；".join([r.explanation, *r.flags]).strip("；")]
        for r in view.indicators])
    heading("二、期末考试（关键事项记录）")
    if view.spot_checks:
        _table(document, ["日期", "场景", "试卷", "评价", "得分"], [
            [s.date, s.scene, s.paper, "，".join(f"{k}{v}" for k, v in s.grades), s.score]
            for s in view.spot_checks])
    else:
        body("未开展期末考试，其权重并入平时成绩。")
    heading("三、加减分和一票否决")
    if view.adjustments:
        _table(document, ["类别", "项目", "分值", "事由"],
               [[a.kind, a.item, a.points, a.reason] for a in view.adjustments])
    else:
        body("无。")
    heading("四、附加题（趋势指数）")
    if view.trend:
        body(f"趋势指数：{view.trend.index}" + ("　列入课后辅导" if view.trend.coaching else ""))
        for code, name, growth in view.trend.growth:
            body(f"{name or code}：年均增长 {growth}%")
        if view.trend.reason:
            body(f"原因：{view.trend.reason}")
    else:
        body("未设置附加题。")
    body(f"生成日期：{timezone.localdate():%Y年%m月%d日}")
    out = io.BytesIO()
    document.save(out)
    with transaction.atomic():
        audit.record(actor=actor, action="assessment.export", obj=line, object_repr=f"{line.unit.name} 成绩单",
                     unit=line.unit, after={"format": "docx", "run": line.run_id}, request=request)
    return out.getvalue()
