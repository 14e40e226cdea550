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
from tracker.selectors import FACT_FIELDS, FactRow, Row

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


# The target columns (and joins) the exports show, for callers that load no more.
EXPORT_FIELDS = (
    "plan__year", "plan__town__name", "section__label", "section__title", "position", "title",
    "kind", "comparison", "value", "value_max", "unit", "is_growth", "deadline",
    "lead_department__name", "latest_update__value", "latest_update__milestone_done",
    "latest_update__as_of", "quote",
)  # fmt: skip
# The same, and what the status rule needs, as `.values()` reads them (FactRow).
EXPORT_VALUES = tuple(dict.fromkeys((*FACT_FIELDS, *EXPORT_FIELDS)))


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


def fact_row_values(row: FactRow, labels: _Labels) -> list:
    """The columns of a target read as `.values(*EXPORT_VALUES)` (the API's downloads)."""
    values, assessment = row.values, row.assessment
    comparison = values["comparison"]
    return [
        values["pk"],
        values["plan__town__name"],
        values["plan__year"],
        f"{values['section__label']}{values['section__title']}",
        values["title"],
        labels.kind.get(values["kind"], values["kind"]),
        labels.comparison.get(comparison, comparison) if comparison else "",
        values["value"],
        values["value_max"],
        values["unit"],
        labels.yes if values["is_growth"] else "",
        values["deadline"] or datetime.date(values["plan__year"], 12, 31),
        values["lead_department__name"] or "",
        values["latest_update__value"],
        _done(labels, values["latest_update__milestone_done"]),
        values["latest_update__as_of"],
        assessment.percent,
        labels.status[assessment.status],
        " ".join(values["quote"].split()),
    ]


def row_values(row: Row | FactRow, labels: _Labels | None = None) -> list:
    labels = labels or _Labels()
    if isinstance(row, FactRow):
        return fact_row_values(row, labels)
    target, assessment = row.target, row.assessment
    update = target.latest_update
    return [
        target.pk,
        target.plan.town.name,
        target.plan.year,
        str(target.section),
        target.title,
        labels.kind.get(target.kind, target.kind),
        labels.comparison.get(target.comparison, target.comparison) if target.comparison else "",
        target.value,
        target.value_max,
        target.unit,
        labels.yes if target.is_growth else "",
        target.due_on,
        target.lead_department.name if target.lead_department else "",
        update.value if update else None,
        (
            ""
            if update is None or update.milestone_done is None
            else (labels.yes if update.milestone_done else labels.no)
        ),
        update.as_of if update else None,
        assessment.percent,
        labels.status[assessment.status],
        " ".join(target.quote.split()),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Row | FactRow], filename: str) -> StreamingHttpResponse:
    """A streamed CSV with a BOM, so that Excel on a Chinese Windows reads it as UTF-8."""
    writer = csv.writer(_Echo())
    labels = _Labels()

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(columns())
        for row in rows:
            yield writer.writerow([_cell(v) for v in row_values(row, labels)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[Row | FactRow], filename: str) -> HttpResponse:
    """An XLSX workbook; numbers stay numbers (Decimal → float only at the spreadsheet edge)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="targets")
    sheet.append(columns())
    labels = _Labels()
    for row in rows:
        values = []
        for value in row_values(row, labels):
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
