"""The appraisal's printed forms, in Chinese with the seed's headings: the result sheet
(绩效考核结果处理表) and the year's summary (年度考核汇总表), as xlsx (openpyxl) and PDF
(reportlab, with the built-in CID font STSong-Light, so no font file is needed).

Both take what the pages show (`webapp.appraisal_sheets.ResultSheet`, `AnnualTable`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from workflows.appraisal import scoring

from .labels import when

if TYPE_CHECKING:
    from .appraisal_sheets import AnnualTable, ResultSheet, Signature

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPARTMENT = "售后工程部"
SHEET_TITLE = "绩效考核结果处理表"
ANNUAL_TITLE = "年度考核汇总表"
SHEET_HEADINGS = (
    "序号",
    "姓名",
    "岗位",
    "组别",
    "上级评分",
    "同级评分",
    "下级评分",
    "权重",
    "综合得分",
    "等级",
    "处理意见",
)
QUARTER_NAMES = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}
ANNUAL_HEADINGS = ("序号", "姓名", "组别", *QUARTER_NAMES.values(), "年度得分", "年度等级")
GROUP_HEADINGS = ("组别", "人数", "平均综合得分")
TRAIL_HEADINGS = ("轮次", "审批环节", "审批人", "审批结论", "审批意见", "审批时间")
# the seed's words (Art. 15–17, Art. 14)
GROUP_NAMES = {"superior": "上级", "peers": "同级", "subordinates": "下级"}
CONSEQUENCES = {"none": "无", "no_raise": "不予晋升工资", "step_down": "下调一级工资"}
CHOICES = {
    "keep": "本岗位留用",
    "training_wait": "待岗培训",
    "transfer": "分流",
    "dismissal": "淘汰",
}
STEPS = {
    "supervisor": "上级主管",
    "hr": "人力资源部",
    "plant_director": "厂务部厂长",
    "gm": "总经理",
}
DECISIONS = {"approve": "同意", "return": "退回修改"}
FONT = "STSong-Light"


def quarter_name(quarter: str) -> str:
    """2026Q3 → 2026年第三季度."""
    return f"{quarter[:4]}年{QUARTER_NAMES.get(quarter[4:], quarter[4:])}"


def _score(value: Decimal | None) -> str:
    return "" if value is None else str(scoring.round_to(value, 2))


def _weights(weights: dict[str, Any] | None) -> str:
    weights = weights or {}
    return " ".join(f"{GROUP_NAMES[g]}{weights[g]}%" for g in scoring.GROUP_KEYS if g in weights)


def _opinion(appraisal) -> str:
    """The proposed consequence, and HR's decision where one was needed."""
    parts = [CONSEQUENCES.get(appraisal.consequence, appraisal.consequence or "")]
    if appraisal.consequence_choice:
        choice = CHOICES.get(appraisal.consequence_choice, appraisal.consequence_choice)
        if appraisal.consequence_days:
            choice += f"{appraisal.consequence_days}天"
        parts.append(f"{choice}：{appraisal.consequence_reason or ''}")
    return "；".join(p for p in parts if p)


def _sheet_rows(data: ResultSheet) -> list[list[str]]:
    rows = []
    for row in data.rows:
        a = row.appraisal
        grade = a.grade or ""
        composite = _score(a.composite)
        if a.revision is not None:
            composite += f"（申诉后 {_score(a.revision.revised_composite)}）"
            grade += f"（申诉后 {a.revision.revised_grade}）"
        rows.append(
            [
                str(row.number),
                row.name,
                row.position,
                row.group or "",
                _score(a.superior_avg),
                _score(a.peers_avg),
                _score(a.subordinates_avg),
                _weights(a.weights),
                composite,
                grade,
                _opinion(a),
            ]
        )
    return rows


def _trail_rows(trail: Sequence[Signature]) -> list[list[str]]:
    return [
        [
            f"第{s.approval.round}轮",
            STEPS.get(s.approval.step, s.approval.step),
            s.signer_name,
            DECISIONS.get(s.approval.decision, s.approval.decision),
            s.approval.comment or "",
            when(s.approval.signed_at, "yyyy-MM-dd HH:mm"),
        ]
        for s in trail
    ]


def _annual_rows(table: AnnualTable) -> list[list[str]]:
    rows = []
    for number, row in enumerate(table.rows, start=1):
        quarters = []
        for key in QUARTER_NAMES:
            value = _score(row.quarters.get(key))
            quarters.append(value + ("（申诉后）" if (row.employee, key) in table.revised else ""))
        rows.append(
            [
                str(number),
                row.display_name,
                table.groups.get(row.employee) or "",
                *quarters,
                _score(row.score),
                row.grade or "",
            ]
        )
    return rows


def _annual_trail(table: AnnualTable) -> list[list[str]]:
    rows = []
    for quarter, signatures in table.trail:
        for line in _trail_rows(signatures):
            rows.append([quarter_name(quarter), *line])
    return rows


# -- xlsx -----------------------------------------------------------------------------------------
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _Sheet:
    """Writes titled tables one under the other on a worksheet."""

    def __init__(self, title: str, subtitle: str, width: int) -> None:
        self.book = Workbook()
        self.ws = self.book.active
        self.ws.title = title
        self.width = width
        self.ws.append([title])
        self.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        self.ws["A1"].font = Font(bold=True, size=14)
        self.ws["A1"].alignment = Alignment(horizontal="center")
        self.ws.append([subtitle])
        self.ws.append([])

    def table(self, headings: Sequence[str], rows: list[list[str]], caption: str | None = None):
        if caption:
            self.ws.append([caption])
            self.ws.cell(self.ws.max_row, 1).font = Font(bold=True)
        self.ws.append(list(headings))
        for cell in self.ws[self.ws.max_row]:
            cell.font, cell.border = Font(bold=True), _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in rows:
            self.ws.append(row)
            for cell in self.ws[self.ws.max_row]:
                cell.border = _BOX
                cell.alignment = Alignment(vertical="center", wrap_text=True)
        self.ws.append([])

    def save(self, widths: Sequence[int]) -> bytes:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def sheet_xlsx(data: ResultSheet) -> bytes:
    """The result sheet as a workbook: the people, the groups' averages, the signatures."""
    out = _Sheet(SHEET_TITLE, _subtitle(data.cycle.quarter), len(SHEET_HEADINGS))
    out.table(SHEET_HEADINGS, _sheet_rows(data))
    out.table(GROUP_HEADINGS, _group_rows(data), "各组平均")
    out.table(TRAIL_HEADINGS, _trail_rows(data.trail) or [["—"]], "审批记录")
    return out.save((6, 12, 14, 12, 10, 10, 10, 24, 16, 12, 36))


def annual_xlsx(table: AnnualTable) -> bytes:
    """The year's summary: each person's quarters, annual score and grade; the signatures."""
    out = _Sheet(ANNUAL_TITLE, f"部门：{DEPARTMENT}    年度：{table.year}年", len(ANNUAL_HEADINGS))
    out.table(ANNUAL_HEADINGS, _annual_rows(table))
    out.table(("季度", *TRAIL_HEADINGS), _annual_trail(table) or [["—"]], "审批记录")
    return out.save((10, 14, 12, 14, 14, 14, 14, 12, 24))


def _subtitle(quarter: str) -> str:
    return f"部门：{DEPARTMENT}    考核季度：{quarter_name(quarter)}"


def _group_rows(data: ResultSheet) -> list[list[str]]:
    return [[g.group, str(g.people), _score(g.average)] for g in data.groups]


# -- PDF ------------------------------------------------------------------------------------------
def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    return title, body, cell


def _pdf_table(headings: Sequence[str], rows: list[list[str]], widths: Sequence[float], cell):
    def para(text: str) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), cell)

    table = Table(
        [[para(h) for h in headings], *[[para(v) for v in row] for row in rows]],
        colWidths=[w * mm for w in widths],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _pdf(title: str, subtitle: str, parts: list[tuple[str | None, Any]]) -> bytes:
    out = io.BytesIO()
    title_style, body, _cell = _styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author=DEPARTMENT,
    )
    story: list[Any] = [Paragraph(title, title_style), Paragraph(subtitle, body), Spacer(1, 4 * mm)]
    for caption, table in parts:
        if caption:
            story += [Paragraph(caption, body), Spacer(1, 1 * mm)]
        story += [table, Spacer(1, 5 * mm)]
    doc.build(story)
    return out.getvalue()


def sheet_pdf(data: ResultSheet) -> bytes:
    _title, _body, cell = _styles()
    widths = (10, 22, 26, 20, 17, 17, 17, 34, 24, 18, 68)
    return _pdf(
        SHEET_TITLE,
        _subtitle(data.cycle.quarter),
        [
            (None, _pdf_table(SHEET_HEADINGS, _sheet_rows(data), widths, cell)),
            ("各组平均", _pdf_table(GROUP_HEADINGS, _group_rows(data), (40, 20, 30), cell)),
            (
                "审批记录",
                _pdf_table(
                    TRAIL_HEADINGS,
                    _trail_rows(data.trail) or [["—"] * 6],
                    (16, 30, 36, 22, 100, 36),
                    cell,
                ),
            ),
        ],
    )


def annual_pdf(table: AnnualTable) -> bytes:
    _title, _body, cell = _styles()
    widths = (12, 34, 26, 28, 28, 28, 28, 24, 20)
    trail = _annual_trail(table) or [["—"] * 7]
    return _pdf(
        ANNUAL_TITLE,
        f"部门：{DEPARTMENT}    年度：{table.year}年",
        [
            (None, _pdf_table(ANNUAL_HEADINGS, _annual_rows(table), widths, cell)),
            (
                "审批记录",
                _pdf_table(("季度", *TRAIL_HEADINGS), trail, (30, 16, 30, 36, 22, 84, 36), cell),
            ),
        ],
    )
