"""The progress ledger (台账) as Excel: a template for a period, filled in and uploaded.

`progress_template(user=, period=, department=)` writes one row per target
the user reports on in the period's plan (of one department, if given):

| column | | |
|---|---|---|
| 编号 / id, 章节, 工作任务, 目标值, 单位, 上期值 | locked | what the target is and its latest counted value |
| 完成值 | to fill | a number (data validation), or 已完成 / 未完成 for a milestone (a list) |
| 截至日期 | to fill | a date within the plan year (data validation); empty means the period's end |
| 说明, 佐证链接 | to fill | a note, an evidence link |

The sheet is protected (only the columns to fill are unlocked), named after
the period, and marked (tracker/ledgers/workbooks.py) with its kind, town,
period, department and the ids it lists.

`progress_import(user=, upload=)` reads a filled template back:

- the file is checked before it is parsed (workbooks.open_upload: size,
  container, zip bomb, rows over `MAX_ROWS`), then its mark (another
  template, or an altered one, is refused), then its shape (merged cells,
  hidden columns or rows, columns added or removed);
- each row is read: a formula where a value belongs, an id that is not in
  the template, an id whose task was edited, text in a number, a date that is
  not a date: each an error by row and column; a row whose 完成值 is empty is
  not reported (and may carry nothing else);
- the rows are submitted together through the one submission policy
  (tracker.submission.progress_submit_many): all or none, recorded or held
  for review as the policy says; a refused item comes back as its row's error;
- each row's client key is derived from its content (the period, the target,
  the value, the date, the note, the link), so uploading the same file again
  replays the first upload and writes nothing new.
"""

import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.access import Action, restrict
from tracker.choices import TargetKind
from tracker.formatting import plain_number
from tracker.ledgers.workbooks import (
    INPUT_FILL,
    CellError,
    SheetRefused,
    marker_read,
    marker_write,
    open_upload,
    structure_problems,
    style_header,
)
from tracker.models import Department, GoalSection, ReportingPeriod, Target
from tracker.selectors import TargetRow, in_document_order, target_rows
from tracker.spreadsheets import safe_xlsx_set
from tracker.submission import (
    ProgressItem,
    Submission,
    SubmissionsRefused,
    progress_submit_many,
)
from tracker.today import reporting_today
from tracker.workflow import as_of_default

KIND = "progress"
MAX_ROWS = 2000  # data rows; a town's plan has a few hundred targets
ID, SECTION, TITLE, TARGET, UNIT, PREVIOUS, VALUE, AS_OF, NOTE, EVIDENCE = range(1, 11)
INPUTS = (VALUE, AS_OF, NOTE, EVIDENCE)
WIDTHS = [8, 28, 48, 12, 8, 14, 14, 14, 30, 30]
FIELD_COLUMN = {
    "value": VALUE,
    "milestone_done": VALUE,
    "as_of": AS_OF,
    "note": NOTE,
    "evidence_url": EVIDENCE,
}
DONE_WORDS = {"已完成", "完成", "是", "done", "yes", "y", "1", "√", "✓"}
NOT_DONE_WORDS = {"未完成", "否", "not done", "no", "n", "0", "×", "✗"}
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def headings() -> list[str]:
    return [
        _("id"),
        _("section"),
        _("task"),
        _("target value"),
        _("unit"),
        _("previous value"),
        _("value reached"),
        _("as of"),
        _("note"),
        _("evidence link"),
    ]


def done_word(done: bool | None) -> str:
    return "" if done is None else (_("done") if done else _("not done"))


def _number(value: Decimal | None):
    # Excel keeps 15 significant digits; the ledger's numbers are far shorter.
    return None if value is None else float(value) if value % 1 else int(value)


def _target_text(row: TargetRow):
    if row.kind == TargetKind.MILESTONE:
        return _("milestone")
    if row.value_max is not None:
        return f"{plain_number(row.value)}—{plain_number(row.value_max)}"
    return _number(row.value)


def _previous(row: TargetRow):
    if row.latest is None:
        return None
    if row.kind == TargetKind.MILESTONE:
        return done_word(row.latest.done)
    return _number(row.latest.value)


def template_targets(
    user, period: ReportingPeriod, department: Department | None
) -> list[TargetRow]:
    """The targets a template (or the grid) lists: those of the period's plan the user
    reports on, as the one read model's rows (tracker.selectors), in the plan's order."""
    targets = restrict(Target.objects.filter(plan_id=period.plan_id), user, Action.REPORT)
    if department is not None:
        targets = targets.filter(lead_department=department)
    rows = target_rows(targets.order_by(), reporting_today())
    return in_document_order(rows, GoalSection.objects.filter(plan_id=period.plan_id))


def template_filename(period: ReportingPeriod, department: Department | None) -> str:
    who = department.name if department else period.plan.town.name
    return f"{who}-{period.label}-{_('progress')}.xlsx"


def progress_template(
    *, user, period: ReportingPeriod, department: Department | None = None
) -> bytes:
    """The template workbook (see the module doc); SheetRefused if it would list no target."""
    targets = template_targets(user, period, department)
    if not targets:
        raise SheetRefused(_("You report on no target of this plan (or of this department)."))
    plan = period.plan
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(period)
    book.properties.title = _("%(town)s %(period)s progress (as of %(end)s)") % {
        "town": plan.town.name,
        "period": period.label,
        "end": period.ends_on.isoformat(),
    }
    book.properties.creator = "plan-tracker"
    style_header(sheet, headings(), WIDTHS)
    number_check = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1000000000000",
        formula2="1000000000000",
        allow_blank=True,
        showErrorMessage=True,
        error=_("Enter a number."),
    )
    done_check = DataValidation(
        type="list",
        formula1=f'"{_("done")},{_("not done")}"',
        allow_blank=True,
        showErrorMessage=True,
        error=_("Choose done or not done."),
    )
    date_check = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({plan.year},1,1)",
        formula2=f"DATE({plan.year},12,31)",
        allow_blank=True,
        showErrorMessage=True,
        error=_("Enter a date within the plan year."),
    )
    for check in (number_check, done_check, date_check):
        sheet.add_data_validation(check)
    for row, target in enumerate(targets, start=2):
        values = {
            ID: target.pk,
            SECTION: str(target.section or ""),
            TITLE: target.title,
            TARGET: _target_text(target),
            UNIT: target.unit,
            PREVIOUS: _previous(target),
        }
        for column, value in values.items():
            safe_xlsx_set(sheet.cell(row=row, column=column), value)
        for column in INPUTS:
            cell = sheet.cell(row=row, column=column)
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
        sheet.cell(row=row, column=AS_OF).number_format = "yyyy-mm-dd"
        value_cell = f"{get_column_letter(VALUE)}{row}"
        (done_check if target.kind == TargetKind.MILESTONE else number_check).add(value_cell)
    last = len(targets) + 1
    date_check.add(f"{get_column_letter(AS_OF)}2:{get_column_letter(AS_OF)}{last}")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may be changed; nothing else
    marker_write(
        book,
        {
            "kind": KIND,
            "town": plan.town.slug,
            "period": period.pk,
            "department": department.pk if department else None,
            "sheet": sheet.title,
            "columns": len(headings()),
            "targets": [target.pk for target in targets],
        },
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(period: ReportingPeriod) -> str:
    title = _("Progress %(period)s") % {"period": period.label}
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31]


# --- reading a filled template --------------------------------------------------------------


@dataclass(frozen=True)
class ProgressImport:
    """What an upload did: the period, and each row's submission (recorded, held, or replayed)."""

    period: ReportingPeriod
    submissions: list[Submission]

    @property
    def created(self) -> int:
        return sum(1 for submission in self.submissions if not submission.replayed)

    @property
    def replayed(self) -> int:
        return len(self.submissions) - self.created

    @property
    def held(self) -> int:
        return sum(1 for s in self.submissions if s.held and not s.replayed)

    @property
    def recorded(self) -> int:
        return self.created - self.held


class RowsRefused(Exception):
    """Some rows (or cells) are wrong, so nothing was written: the errors by row and column."""

    def __init__(self, errors: list[CellError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(errors, key=lambda error: (error.row, error.column))


def _heading(column: int) -> str:
    return headings()[column - 1]


def parse_number(raw) -> Decimal:
    """A number from a cell: a number, or text in ordinary or full-width digits ("1,641.72")."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    text = str(raw).strip().translate(FULL_WIDTH).replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not value.is_finite():
        raise ValueError(raw)
    return value


def parse_done(raw) -> bool:
    text = str(raw).strip().lower()
    if text in DONE_WORDS or text == _("done").lower():
        return True
    if text in NOT_DONE_WORDS or text == _("not done").lower():
        return False
    raise ValueError(raw)


DATE_FORM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip().translate(FULL_WIDTH)
    match = DATE_FORM.fullmatch(text)
    if match is None:
        raise ValueError(raw)
    return datetime.date(*(int(part) for part in match.groups()))


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def client_key_for(period: ReportingPeriod, target_id: int, item: dict) -> str:
    """A row's key from its content: the same row uploaded again is a replay, not a new report."""
    content = "|".join(
        str(part)
        for part in (
            period.pk,
            target_id,
            item.get("value"),
            item.get("milestone_done"),
            item.get("as_of"),
            item.get("note", ""),
            item.get("evidence_url", ""),
        )
    )
    return "xlsx-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:40]


def _read_rows(sheet, period, payload) -> tuple[list[tuple[int, ProgressItem]], list[CellError]]:
    listed = set(payload["targets"])
    targets = Target.objects.select_related("plan__town").in_bulk(listed)
    errors: list[CellError] = []
    items: list[tuple[int, ProgressItem]] = []
    seen: dict[int, int] = {}
    columns = payload["columns"]
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=2, max_col=max(columns, sheet.max_column)), start=2
    ):
        raw = {cell.column: cell for cell in cells}
        if all(cell.value in (None, "") for cell in cells):
            continue
        row_errors = []
        for cell in cells:
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type != "s"
            ):
                row_errors.append(
                    CellError(
                        row_number,
                        _heading(cell.column) if cell.column <= columns else cell.coordinate,
                        _("A formula: enter the value itself."),
                    )
                )
            elif cell.column > columns and cell.value not in (None, ""):
                row_errors.append(
                    CellError(
                        row_number, cell.coordinate, _("Outside the template's columns: remove it.")
                    )
                )
        if row_errors:
            errors += row_errors
            continue
        value_of = {column: raw[column].value if column in raw else None for column in raw}
        try:
            target_id = int(parse_number(value_of.get(ID)))
        except (ValueError, TypeError):
            target_id = None
        target = targets.get(target_id) if target_id in listed else None
        if target is None:
            errors.append(
                CellError(
                    row_number,
                    _heading(ID),
                    _("This id is not one of the template's: ids are not to be edited."),
                )
            )
            continue
        if _text(value_of.get(TITLE)) != target.title.strip():
            errors.append(
                CellError(
                    row_number,
                    _heading(TITLE),
                    _("The task does not match id %(id)s: the locked columns are not to be edited.")
                    % {"id": target_id},
                )
            )
            continue
        if target_id in seen:
            errors.append(
                CellError(
                    row_number,
                    _heading(ID),
                    _("Id %(id)s is listed twice (also in row %(row)s).")
                    % {"id": target_id, "row": seen[target_id]},
                )
            )
            continue
        seen[target_id] = row_number
        item, item_errors = _read_inputs(row_number, value_of, target, period)
        errors += item_errors
        if item is None or item_errors:
            continue
        key = client_key_for(period, target.pk, item)
        items.append(
            (row_number, ProgressItem(target=target, period=period, client_key=key, **item))
        )
    return items, errors


def _read_inputs(row_number: int, value_of: dict, target: Target, period: ReportingPeriod):
    """A row's entries as ProgressItem fields, or None if 完成值 is empty; and its errors."""
    raw_value = value_of.get(VALUE)
    others = [value_of.get(column) for column in (AS_OF, NOTE, EVIDENCE)]
    if raw_value in (None, ""):
        if any(value not in (None, "") for value in others):
            return None, [
                CellError(
                    row_number,
                    _heading(VALUE),
                    _("Fill in the value reached, or leave the whole row's entries empty."),
                )
            ]
        return None, []
    errors, item = [], {}
    if target.kind == TargetKind.MILESTONE:
        try:
            item["milestone_done"] = parse_done(raw_value)
        except ValueError:
            errors.append(
                CellError(
                    row_number, _heading(VALUE), _("Write done or not done (已完成 / 未完成).")
                )
            )
    else:
        try:
            item["value"] = parse_number(raw_value)
        except (ValueError, TypeError):
            errors.append(
                CellError(
                    row_number,
                    _heading(VALUE),
                    _("“%(text)s” is not a number.") % {"text": _text(raw_value)},
                )
            )
    raw_date = value_of.get(AS_OF)
    # An empty date is the period's end (today while it runs), as the grid prefills it.
    item["as_of"] = as_of_default(period)
    if raw_date not in (None, ""):
        try:
            item["as_of"] = parse_date(raw_date)
        except ValueError:
            errors.append(
                CellError(
                    row_number,
                    _heading(AS_OF),
                    _("“%(text)s” is not a date (write 2026-11-30).") % {"text": _text(raw_date)},
                )
            )
    item["note"] = _text(value_of.get(NOTE))
    item["evidence_url"] = _text(value_of.get(EVIDENCE))
    return item, errors


def _submission_errors(refused: SubmissionsRefused, rows: list[int]) -> list[CellError]:
    errors = []
    for index, error in refused.errors.items():
        row = rows[index]
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                column = FIELD_COLUMN.get(field)
                for message in messages:
                    errors.append(CellError(row, _heading(column) if column else "", message))
        else:
            errors += [CellError(row, "", message) for message in error.messages]
    return errors


def progress_import(*, user, upload) -> ProgressImport:
    """Read a filled template and submit its rows, all or none (see the module doc).

    Raises SheetRefused (the file as a whole) or RowsRefused (errors by row
    and column); either way nothing is written.
    """
    book = open_upload(upload, max_rows=MAX_ROWS + 1)
    payload = marker_read(book, KIND)
    period = (
        ReportingPeriod.objects.select_related("plan__town").filter(pk=payload["period"]).first()
    )
    if period is None or period.plan.town.slug != payload["town"]:
        raise SheetRefused(_("The template's period no longer exists; download a new template."))
    if payload["sheet"] not in book.sheetnames:
        raise SheetRefused(_("The template's sheet was renamed or removed; use it as downloaded."))
    sheet = book[payload["sheet"]]
    errors = structure_problems(sheet, payload["columns"])
    filled_headings = [cell.value for cell in sheet[1] if cell.value not in (None, "")]
    if len(filled_headings) != payload["columns"]:
        raise SheetRefused(
            _("Columns were added or removed; use the template's columns as they are.")
        )
    if errors:
        raise RowsRefused(errors)
    read, errors = _read_rows(sheet, period, payload)
    if errors:
        raise RowsRefused(errors)
    if not read:
        raise SheetRefused(_("Nothing to import: no row has a value reached."))
    rows = [row for row, _item in read]
    try:
        submissions = progress_submit_many(user=user, items=[item for _row, item in read])
    except SubmissionsRefused as refused:
        raise RowsRefused(_submission_errors(refused, rows)) from refused
    except ValidationError as error:  # pragma: no cover - the batch reports per item
        raise RowsRefused([CellError(rows[0], "", message) for message in error.messages]) from None
    return ProgressImport(period=period, submissions=submissions)
