"""Opening an uploaded workbook safely, and the marker that says which template a file is.

An uploaded file is checked before openpyxl parses it, cheapest check first,
and refused with one clear message (`SheetRefused`) at the first that fails:

| check | refused |
|---|---|
| size | over `MAX_UPLOAD_BYTES` (5 MB: a 500-row ledger is ~60 KB) |
| container | an OLE2 file (a password-protected .xlsx is an encrypted OLE2 container, and so is an old .xls); a CSV or any other text; anything that is not a ZIP |
| ZIP members | more than `MAX_MEMBERS` members, more than `MAX_UNCOMPRESSED` bytes once uncompressed, or a member compressed more than `MAX_RATIO` times (a zip bomb); read from the ZIP directory before anything is inflated |
| rows | more than the caller's cap, counted by streaming the sheet (openpyxl's read-only mode) before it is loaded whole |

Only then is the workbook loaded (formulas kept as formulas, so a formula
where a value belongs is seen and refused, not silently evaluated).

The marker: a template carries a very hidden sheet (`MARKER_SHEET`) whose
cell A1 holds a value signed with the site's secret key (django.core.signing)
saying what the template is (its kind, town, period or plan, department).
An upload whose marker is missing, edited or of another kind is refused.
"""

import io
import zipfile
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 200
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 200
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKER_SHEET = "_plan_tracker"
MARKER_SALT = "tracker.ledgers.marker"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
WRAP = Alignment(wrap_text=True, vertical="top")


class SheetRefused(Exception):
    """The file as a whole is refused (not a cell): one message saying why and what to do."""


@dataclass(frozen=True)
class CellError:
    """A problem with one cell (or one row, when `column` is empty) of an uploaded sheet."""

    row: int
    column: str
    message: str


def errors_by_row(errors: list[CellError]) -> dict[str, dict[str, list[str]]]:
    """Errors as the API answers them: {"<row>": {"<column heading>": [messages]}}."""
    found: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        found.setdefault(str(error.row), {}).setdefault(error.column or "row", []).append(
            error.message
        )
    return found


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refused if too big (read at most one byte past the cap)."""
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetRefused(
            _("The file is larger than %(mb)s MB; a ledger is far smaller. Check the file.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if not data:
        raise SheetRefused(_("The file is empty."))
    return data


def check_container(data: bytes) -> None:
    """Refuse what is not a plain .xlsx, before any parser sees it (see the module doc)."""
    if data.startswith(OLE2_MAGIC):
        raise SheetRefused(
            _(
                "This is a password-protected workbook or an old .xls file. Remove the password "
                "or save it as an Excel workbook (.xlsx), then upload it again."
            )
        )
    if not data.startswith(b"PK"):
        raise SheetRefused(
            _(
                "This is not an Excel workbook (.xlsx). CSV and other formats lose the template's "
                "locked columns and its mark; fill in the downloaded template and upload it."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise SheetRefused(_("The workbook is damaged and cannot be read.")) from error
    if len(members) > MAX_MEMBERS:
        raise SheetRefused(_("The workbook has too many parts to be a ledger."))
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > (
            1024 * 1024
        ):
            raise SheetRefused(
                _("The workbook expands to far more than its size (a zip bomb?); refused.")
            )
    if total > MAX_UNCOMPRESSED:
        raise SheetRefused(
            _("The workbook expands to more than %(mb)s MB; refused.")
            % {"mb": MAX_UNCOMPRESSED // (1024 * 1024)}
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise SheetRefused(_("This is a ZIP file but not an Excel workbook (.xlsx)."))


def count_rows(data: bytes, sheet_name: str | None, cap: int) -> None:
    """Refuse a sheet with more than `cap` rows, streaming it rather than loading it."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SheetRefused(_("The workbook is damaged and cannot be read.")) from error
    try:
        if sheet_name is not None and sheet_name in book.sheetnames:
            sheet = book[sheet_name]
        else:
            sheet = book.worksheets[0]
        for count, _row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if count > cap:
                raise SheetRefused(
                    _("The sheet has more than %(cap)s rows; a ledger this size is refused.")
                    % {"cap": cap}
                )
    finally:
        book.close()


def open_upload(upload, *, max_rows: int, sheet_name: str | None = None) -> Workbook:
    """The uploaded workbook, loaded whole once every check of the module doc has passed."""
    data = read_upload(upload)
    check_container(data)
    count_rows(data, sheet_name, max_rows)
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:
        raise SheetRefused(_("The workbook is damaged and cannot be read.")) from error


# --- the marker -------------------------------------------------------------------------


def marker_write(book: Workbook, payload: dict) -> None:
    """Add the very hidden, protected sheet whose A1 says (signed) what the template is."""
    sheet = book.create_sheet(MARKER_SHEET)
    sheet["A1"] = signing.dumps(payload, salt=MARKER_SALT, compress=True)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def marker_read(book: Workbook, kind: str) -> dict:
    """The template's payload, or SheetRefused if the mark is missing, edited or of another kind."""
    if MARKER_SHEET not in book.sheetnames:
        raise SheetRefused(
            _(
                "This file is not a template downloaded from plan-tracker (its mark is missing). "
                "Download the template and fill that in."
            )
        )
    try:
        payload = signing.loads(book[MARKER_SHEET]["A1"].value or "", salt=MARKER_SALT)
    except signing.BadSignature as error:
        raise SheetRefused(_("The template's mark has been altered; download it again.")) from error
    if payload.get("kind") != kind:
        raise SheetRefused(
            _("This is another kind of template; upload it where it belongs, or download this one.")
        )
    return payload


def style_header(sheet, headings: list[str], widths: list[int]) -> None:
    """The heading row: bold, shaded, frozen, with each column a readable width."""
    from openpyxl.utils import get_column_letter

    sheet.append(headings)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def structure_problems(sheet, last_column: int) -> list[CellError]:
    """Merged cells, hidden columns or rows: a file so edited is not read (errors by place)."""
    from openpyxl.utils import get_column_letter

    problems = []
    for merged in sheet.merged_cells.ranges:
        problems.append(
            CellError(
                merged.min_row,
                get_column_letter(merged.min_col),
                _("Merged cells (%(range)s): unmerge them, one value per cell.")
                % {"range": merged.coord},
            )
        )
    for letter, dimension in sheet.column_dimensions.items():
        if dimension.hidden and dimension.min and dimension.min <= last_column:
            problems.append(
                CellError(1, letter, _("A hidden column: show every column of the template."))
            )
    for number, dimension in sheet.row_dimensions.items():
        if dimension.hidden:
            problems.append(CellError(number, "", _("A hidden row: show it or delete it.")))
    return problems
