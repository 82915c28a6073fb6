"""Shared helpers for the workbooks the portal writes and reads (openpyxl)."""

import functools
import io

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def in_default_language(func):
    """Files people exchange stay Japanese whatever language the page is shown in: the workbooks written
    (headers, choice labels) and the files read back (labels matched against the Japanese ones)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value):
    """CSV has no cell types: text Excel would read as a formula gets a leading apostrophe."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    return "'" + value if looks_like_formula(value) else value


def write_cell(sheet, row: int, column: int, value):
    """Write a value; text that starts like a formula is stored as a quoted text cell, never a formula."""
    if isinstance(value, Promise):  # a lazily translated label (choices, verbose names)
        value = str(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def table_workbook(title: str, headers: list[str], rows, *, widths: list[int] | None = None) -> bytes:
    """One sheet: a header row with filters, frozen, then the rows; returns the .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, 1, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    row_number = 1
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row_number, column, value).border = BORDER
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(row_number, 1)}"
    for column, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
