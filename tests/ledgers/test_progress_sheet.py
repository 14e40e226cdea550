"""The progress ledger as Excel: the template, the upload, and every bad file refused whole."""

import io
import zipfile

import pytest
from openpyxl.worksheet.protection import SheetProtection

from tests.ledgers.conftest import upload, workbook
from tracker.choices import ReportState
from tracker.ledgers.breakdown import breakdown_export, breakdown_preview
from tracker.ledgers.progress_sheet import (
    MAX_ROWS,
    RowsRefused,
    progress_import,
    progress_template,
)
from tracker.ledgers.workbooks import MARKER_SHEET, SheetRefused
from tracker.models import ProgressReport, ProgressUpdate


def template_book(town, period, actor="dept_reporter"):
    return workbook(progress_template(user=town.users[actor], period=period))


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled(town, period, **cells) -> bytes:
    book = template_book(town, period)
    sheet = book.worksheets[0]
    for coordinate, value in (cells or {"G2": 1500, "G3": "已完成"}).items():
        sheet[coordinate] = value
    return saved(book)


def nothing_written() -> bool:
    return not ProgressReport.objects.exists() and not ProgressUpdate.objects.exists()


def test_the_template_lists_the_departments_targets_locked_and_validated(xiqiao, november):
    book = template_book(xiqiao, november)
    sheet = book.worksheets[0]
    assert sheet.title == f"Progress {november.label}"
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == [xiqiao.land.title, xiqiao.lab.title]  # not roads
    assert rows[1][0] == xiqiao.land.pk
    assert rows[1][6] is None
    assert sheet.protection.sheet is True
    assert sheet["A2"].protection.locked is True
    assert sheet["G2"].protection.locked is False
    kinds = sorted(v.type for v in sheet.data_validations.dataValidation)
    assert kinds == ["date", "decimal", "list"]
    assert book[MARKER_SHEET].sheet_state == "veryHidden"


def test_formula_like_titles_are_written_as_text(xiqiao, november):
    xiqiao.land.title = '=HYPERLINK("http://evil.example","点击")'
    xiqiao.land.save()
    cell = template_book(xiqiao, november).worksheets[0]["C2"]
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_an_upload_submits_every_filled_row_and_a_second_upload_replays(xiqiao, november):
    data = filled(xiqiao, november)
    first = progress_import(user=xiqiao.users["dept_reporter"], upload=upload(data))
    assert (first.created, first.held, first.replayed) == (2, 2, 0)  # the town reviews
    reports = list(ProgressReport.objects.order_by("target_id"))
    assert [r.state for r in reports] == [ReportState.SUBMITTED] * 2
    assert reports[0].value == 1500
    assert reports[1].milestone_done is True
    assert reports[0].as_of == november.ends_on
    again = progress_import(user=xiqiao.users["dept_reporter"], upload=upload(data))
    assert (again.created, again.replayed) == (0, 2)
    assert ProgressReport.objects.count() == 2


def test_a_reviewers_upload_counts_at_once(xiqiao, november):
    data = filled(xiqiao, november)
    result = progress_import(user=xiqiao.users["superuser"], upload=upload(data))
    assert result.recorded == 2
    assert ProgressUpdate.objects.count() == 2


def test_rows_left_empty_are_not_reported(xiqiao, november):
    data = filled(xiqiao, november, G2="2,100")  # the milestone left empty; a thousands comma
    result = progress_import(user=xiqiao.users["dept_reporter"], upload=upload(data))
    assert result.created == 1
    assert ProgressReport.objects.get().value == 2100


def refused(town, data, actor="dept_reporter") -> Exception:
    with pytest.raises((SheetRefused, RowsRefused)) as caught:
        progress_import(user=town.users[actor], upload=upload(data))
    assert nothing_written()
    return caught.value


def cells_of(error: RowsRefused) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in error.errors}


def test_text_in_a_number_is_an_error_on_its_cell_and_nothing_is_saved(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, G2="一千五", G3="已完成"))
    assert cells_of(error) == {(2, "value reached")}
    assert "not a number" in error.errors[0].message


def test_a_bad_date_and_a_bad_milestone_word(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, G2=10, H2="明年", G3="差不多"))
    assert cells_of(error) == {(2, "as of"), (3, "value reached")}


def test_a_date_outside_the_plan_year_is_refused_by_the_policy(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, G2=10, H2="2023-12-31", G3="已完成"))
    assert cells_of(error) == {(2, "as of")}


def test_a_formula_instead_of_a_value(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, G2="=1000+500"))
    assert cells_of(error) == {(2, "value reached")}
    assert "formula" in error.errors[0].message


def test_an_edited_id(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, A2=xiqiao.roads.pk, G2=10))
    assert cells_of(error) == {(2, "id")}


def test_an_edited_task(xiqiao, november):
    error = refused(xiqiao, filled(xiqiao, november, C2="别的任务", G2=10))
    assert cells_of(error) == {(2, "task")}


def test_a_hidden_column(xiqiao, november):
    book = template_book(xiqiao, november)
    book.worksheets[0]["G2"] = 10
    book.worksheets[0].column_dimensions["D"].hidden = True
    assert cells_of(refused(xiqiao, saved(book))) == {(1, "D")}


def test_merged_cells(xiqiao, november):
    book = template_book(xiqiao, november)
    book.worksheets[0]["G2"] = 10
    book.worksheets[0].merge_cells("I2:J2")
    assert cells_of(refused(xiqiao, saved(book))) == {(2, "I")}


def test_an_added_column(xiqiao, november):
    book = template_book(xiqiao, november)
    book.worksheets[0]["K1"] = "备注2"
    book.worksheets[0]["G2"] = 10
    assert "Columns were added" in str(refused(xiqiao, saved(book)))


def test_another_template_is_refused(xiqiao, november):
    assert "another kind of template" in str(refused(xiqiao, breakdown_export(xiqiao.plan)))


def test_an_altered_mark_is_refused(xiqiao, november):
    book = template_book(xiqiao, november)
    book[MARKER_SHEET]["A1"] = book[MARKER_SHEET]["A1"].value[:-3] + "abc"
    book.worksheets[0]["G2"] = 10
    assert "altered" in str(refused(xiqiao, saved(book)))


def test_a_workbook_without_a_mark_is_refused(xiqiao, november):
    book = template_book(xiqiao, november)
    del book[MARKER_SHEET]
    assert "not a template" in str(refused(xiqiao, saved(book)))


def test_twenty_thousand_rows_are_refused_before_loading(xiqiao, november):
    book = template_book(xiqiao, november)
    sheet = book.worksheets[0]
    sheet.protection = SheetProtection()
    for row in range(4, 20_004):
        sheet.cell(row=row, column=1, value=row)
    error = refused(xiqiao, saved(book))
    assert f"more than {MAX_ROWS + 1} rows" in str(error)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
        ("ledger.csv", "编号,完成值\n1,1500\n".encode(), "not an Excel workbook"),
        ("empty.xlsx", b"", "empty"),
        ("damaged.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
    ],
)
def test_files_that_are_not_a_workbook(xiqiao, november, name, data, says):
    with pytest.raises(SheetRefused, match=says):
        progress_import(user=xiqiao.users["dept_reporter"], upload=upload(data, name))
    assert nothing_written()


def test_a_zip_of_something_else(xiqiao):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "你好")
    assert "not an Excel workbook" in str(refused(xiqiao, out.getvalue()))


def test_a_zip_bomb_is_refused_from_its_directory(xiqiao, november):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    assert "zip bomb" in str(refused(xiqiao, out.getvalue()))


def test_a_row_for_another_departments_target_refuses_the_whole_upload(xiqiao, november):
    # The town reporter's template lists every target; the economic office may not
    # report on the planning office's road, so its row refuses the file.
    book = template_book(xiqiao, november, actor="town_reporter")
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=7, value="已完成" if row == 3 else 5)
    error = refused(xiqiao, saved(book), actor="dept_reporter")
    roads_row = next(r for r in range(2, 5) if sheet.cell(row=r, column=1).value == xiqiao.roads.pk)
    assert (roads_row, "") in cells_of(error)
    assert "department leads" in " ".join(e.message for e in error.errors)


# The breakdown side of "another template", with this module's town (no seed here).


def test_a_progress_template_is_refused_as_a_breakdown(xiqiao, november):
    data = progress_template(user=xiqiao.users["superuser"], period=november)
    with pytest.raises(SheetRefused, match="another kind of template"):
        breakdown_preview(
            user=xiqiao.users["superuser"], upload=upload(data), town=xiqiao.town, year=2025
        )


def test_only_the_towns_editors_import(xiqiao):
    from django.core.exceptions import PermissionDenied

    data = breakdown_export(xiqiao.plan)
    with pytest.raises(PermissionDenied):
        breakdown_preview(
            user=xiqiao.users["town_reporter"], upload=upload(data), town=xiqiao.town, year=2025
        )
