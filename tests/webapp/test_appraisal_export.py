"""The appraisal exports as HR files them: the result sheet (绩效考核结果处理表) and the year's
summary (年度考核汇总表) as Excel workbooks with the seed's Chinese headings and as PDFs, with
the approval trail at the bottom; for HR, the plant director and the GM only."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.webapp.test_appraisal_pages import Browser, published  # noqa: F401 - a fixture
from webapp import appraisal_export
from webapp.appraisal_sheets import AnnualTable
from workflows.appraisal.queries import AnnualRow

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _rows(body: bytes) -> list[list]:
    """The cells of the workbook's sheet, each row without the empty cells at its end."""
    sheet = load_workbook(io.BytesIO(body)).active
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
    return rows


def _row_of(rows: list[list], name: str) -> list:
    (row,) = [r for r in rows if len(r) > 1 and r[1] == name]
    return row


def _pages(body: bytes) -> int:
    return len(_PAGE.findall(body))


@pytest.fixture
def hr(app):
    return Browser(app, "hr")


def _download(person, path: str, mimetype: str) -> bytes:
    response = person.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == mimetype
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def test_the_result_sheet_as_a_workbook(hr, published):  # noqa: F811
    body = _download(
        hr, f"/appraisal/cycles/{published.cycle_id}/results.xlsx", appraisal_export.XLSX
    )
    rows = _rows(body)
    assert rows[0][0] == "绩效考核结果处理表"
    assert "售后工程部" in rows[1][0] and "2047年第一季度" in rows[1][0]
    headings = rows.index(list(appraisal_export.SHEET_HEADINGS))
    people = rows[headings + 1 : headings + 1 + len(published.appraisals)]
    assert [r[0] for r in people] == [str(n) for n in range(1, len(people) + 1)]

    cs1 = _row_of(rows, "客服 吴芳")
    assert cs1[2:4] == ["客服专员", "客服组"]
    assert cs1[4:7] == ["95.00", "95.00", None]  # no subordinates
    assert cs1[7] == "上级60% 同级40%"
    assert cs1[8:11] == ["95.00", "优", "无"]
    tech1 = _row_of(rows, "维修工程师 王磊")
    assert tech1[8] == "75.00（申诉后 78.50）" and tech1[9] == "中（申诉后 中）"
    install1 = _row_of(rows, "安装技术员 陈刚")
    assert install1[9] == "差" and install1[10].startswith("下调一级工资；待岗培训5天：")

    groups = rows.index(list(appraisal_export.GROUP_HEADINGS))
    assert ["客服组", "2", "90.00"] in rows[groups:]
    trail = rows.index(list(appraisal_export.TRAIL_HEADINGS))
    signed = rows[trail + 1 : trail + 8]
    assert [r[1] for r in signed] == [
        "上级主管",
        "人力资源部",
        "厂务部厂长",
        "上级主管",
        "人力资源部",
        "厂务部厂长",
        "总经理",
    ]
    assert signed[2][0] == "第1轮" and signed[2][3] == "退回修改" and signed[2][4]
    assert signed[-1][2] == "总经理 赵总" and re.match(
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", signed[-1][5]
    )


def test_the_result_sheet_as_a_pdf(app, published):  # noqa: F811
    for username in ("hr", "director", "gm"):
        body = _download(
            Browser(app, username),
            f"/appraisal/cycles/{published.cycle_id}/results.pdf",
            "application/pdf",
        )
        assert body.startswith(b"%PDF")
        assert _pages(body) == 1


def test_the_year_as_a_workbook_and_a_pdf(hr, published):  # noqa: F811
    rows = _rows(_download(hr, "/appraisal/annual/2047.xlsx", appraisal_export.XLSX))
    assert rows[0][0] == "年度考核汇总表" and "售后工程部" in rows[1][0]
    assert list(appraisal_export.ANNUAL_HEADINGS) in rows
    assert appraisal_export.ANNUAL_HEADINGS[3:9] == (
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "年度得分",
        "年度等级",
    )
    cs1 = _row_of(rows, "客服 吴芳")
    assert cs1[2] == "客服组" and cs1[3] == "95.00" and cs1[7:9] == ["95.00", "优"]
    tech1 = _row_of(rows, "维修工程师 王磊")
    assert tech1[3] == "78.50（申诉后）" and tech1[7] == "78.50"
    assert ["2047年第一季度", "第2轮", "总经理", "总经理 赵总", "同意"] in [r[:5] for r in rows]

    body = _download(hr, "/appraisal/annual/2047.pdf", "application/pdf")
    assert body.startswith(b"%PDF") and _pages(body) == 1


def test_a_long_year_runs_over_pages():
    rows = [
        AnnualRow(
            f"person{n}",
            f"员工{n:03d}",
            {"Q1": Decimal("81.25"), "Q2": None, "Q3": Decimal("90"), "Q4": None},
            Decimal("85.63"),
            "良",
        )
        for n in range(120)
    ]
    table = AnnualTable(2047, rows, set(), {}, [])
    body = appraisal_export.annual_pdf(table)
    # about 30 rows a page, the heading repeated on each, then the signatures
    assert body.startswith(b"%PDF") and _pages(body) == 5
    workbook = _rows(appraisal_export.annual_xlsx(table))
    assert _row_of(workbook, "员工119")[3:9] == ["81.25", None, "90.00", None, "85.63", "良"]
