"""Target lists as CSV or XLSX downloads, the same columns for the API and the report pages."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tracker.selectors import Row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns() -> list[str]:
    return [
        _("id"), _("town"), _("year"), _("section"), _("target"), _("kind"), _("comparison"),
        _("value"), _("upper value"), _("unit"), _("growth rate"), _("deadline"),
        _("lead department"), _("current value"), _("milestone done"), _("as of"),
        _("percent complete"), _("status"), _("source quote"),
    ]  # fmt: skip


def _cell(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else value


def row_values(row: Row) -> list:
    target, assessment = row.target, row.assessment
    update = target.latest_update
    return [
        target.pk,
        target.plan.town.name,
        target.plan.year,
        str(target.section),
        target.title,
        target.get_kind_display(),
        target.get_comparison_display() if target.comparison else "",
        target.value,
        target.value_max,
        target.unit,
        _("yes") if target.is_growth else "",
        target.due_on,
        target.lead_department.name if target.lead_department else "",
        update.value if update else None,
        (
            ""
            if update is None or update.milestone_done is None
            else (_("yes") if update.milestone_done else _("no"))
        ),
        update.as_of if update else None,
        assessment.percent,
        assessment.status.label,
        " ".join(target.quote.split()),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Row], filename: str) -> StreamingHttpResponse:
    """A streamed CSV with a BOM, so that Excel on a Chinese Windows reads it as UTF-8."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(columns())
        for row in rows:
            yield writer.writerow([_cell(v) for v in row_values(row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[Row], filename: str) -> HttpResponse:
    """An XLSX workbook; numbers stay numbers (Decimal → float only at the spreadsheet edge)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="targets")
    sheet.append(columns())
    for row in rows:
        values = []
        for value in row_values(row):
            if isinstance(value, Decimal):
                value = float(value)  # a spreadsheet cell has no decimal type
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Promise):
                value = str(value)  # a translated label (status); openpyxl refuses the proxy
            values.append("" if value is None else value)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
