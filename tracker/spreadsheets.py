"""Cells of the CSV and XLSX files the project writes: text never runs as a formula.

Excel, WPS and LibreOffice read a cell that begins with = + - @ (or a tab or
a carriage return, which some of them skip first) as a formula: a plan
title "=HYPERLINK(...)" typed by one town would become a live link, or
worse, on every reader's desk (CSV/formula injection). Every writer of a
spreadsheet cell passes text through here — the exports (tracker/exports.py)
and any Excel template to come:

- `safe_cell(value)` for CSV (and any text-only format): such text gets a
  leading apostrophe, which spreadsheets take as "this is text".
- `safe_xlsx_cell(sheet, value)` for openpyxl: such text becomes a string
  cell marked quote-prefixed, so it shows exactly as written and stays text
  even when someone edits it.

Only text is changed; numbers (a negative growth rate) stay numbers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value):
    """The value, with text that a spreadsheet would run as a formula made plain text."""
    return "'" + value if is_formula_like(value) else value


def safe_xlsx_cell(sheet, value):
    """A value for `sheet.append()`: formula-like text as a quote-prefixed text cell."""
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    cell.quotePrefix = True
    return cell


def safe_xlsx_set(cell, value) -> None:
    """Set a cell of an ordinary (not write-only) openpyxl sheet: formula-like text stays text."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
