"""Target lists as CSV or XLSX downloads, the same columns for the API and the report pages."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tracker.choices import Comparison, Status, TargetKind
from tracker.formatting import plain_number
from tracker.selectors import TargetRow
from tracker.spreadsheets import safe_cell, safe_xlsx_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns() -> list[str]:
    return [
        _("id"), _("town"), _("year"), _("section"), _("target"), _("kind"), _("comparison"),
        _("value"), _("upper value"), _("unit"), _("growth rate"), _("deadline"),
        _("lead department"), _("person responsible"), _("leader in charge"), _("current value"),
        _("milestone done"), _("as of"), _("percent complete"), _("status"), _("source quote"),
    ]  # fmt: skip


def _csv_cell(value):
    if isinstance(value, Decimal):
        return plain_number(value)
    return "" if value is None else value


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        return float(value)  # a spreadsheet cell has no decimal type
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)  # a translated label (status); openpyxl refuses the proxy
    return "" if value is None else value


class _Labels:
    """The translated words of an export, looked up once per download rather than per row
    (Model.get_FOO_display and lazy labels cost more than the rest of a row)."""

    def __init__(self) -> None:
        self.kind = {value: str(label) for value, label in TargetKind.choices}
        self.comparison = {value: str(label) for value, label in Comparison.choices}
        self.status = {value: str(label) for value, label in Status.choices}
        self.yes, self.no = _("yes"), _("no")


def _done(labels: _Labels, done: bool | None) -> str:
    return "" if done is None else (labels.yes if done else labels.no)


def row_values(row: TargetRow, labels: _Labels | None = None) -> list:
    """A target's export columns, from its read-model row."""
    labels = labels or _Labels()
    comparison = row.comparison
    return [
        row.pk,
        row.town.name,
        row.year,
        str(row.section or ""),
        row.title,
        labels.kind.get(row.kind, row.kind),
        labels.comparison.get(comparison, comparison) if comparison else "",
        row.value,
        row.value_max,
        row.unit,
        labels.yes if row.is_growth else "",
        row.due_on,
        row.lead_department.name if row.lead_department else "",
        " ".join(filter(None, [row.owner_name, row.owner_title])),
        row.leader_name,
        row.current_value,
        _done(labels, row.milestone_done),
        row.as_of,
        row.assessment.percent,
        labels.status[row.assessment.status],
        " ".join(row.quote.split()),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[TargetRow], filename: str) -> StreamingHttpResponse:
    """A streamed CSV with a BOM, so that Excel on a Chinese Windows reads it as UTF-8."""
    writer = csv.writer(_Echo())
    labels = _Labels()

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(columns())
        for row in rows:
            yield writer.writerow([_csv_cell(safe_cell(v)) for v in row_values(row, labels)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[TargetRow], filename: str) -> HttpResponse:
    """An XLSX workbook; numbers stay numbers (Decimal → float only at the spreadsheet edge)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="targets")
    sheet.append(columns())
    labels = _Labels()
    for row in rows:
        sheet.append(
            [safe_xlsx_cell(sheet, _xlsx_cell(value)) for value in row_values(row, labels)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
