"""Writing cells that a spreadsheet program opens safely: the escaping, CSV and XLSX helpers
shared by every export (the plan workbook, progress, the import templates, the admin's lists).

Formula escaping. A spreadsheet program runs a cell that begins with "=", "+", "-" or "@" (and,
in some programs, a tab or a carriage return) as a formula; text from the plan or typed by a user
must never run. escape_cell() prefixes such text with a single quote, in CSV and XLSX alike;
numbers and dates are not text and are written as they are, so -5 stays the number -5. The
imports (actions.spreadsheets.imports.columns.text) drop that quote again, so an export imports
back as it was. django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a
leading "=" (changing the data) and turns every cell into text, so it stays off and
EscapedCSV/EscapedXLSX below are used instead.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from actions.spreadsheets.layouts import FORMULA_TRIGGERS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
EXAMPLE_FONT = Font(italic=True, color="6C757D")
WRAP = Alignment(wrap_text=True, vertical="top")


def escape_cell(value):
    """Text that a spreadsheet program would run as a formula, prefixed with a quote.

    Only text is escaped: numbers, dates and booleans are written as values.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


def csv_value(value):
    """How a value is written to CSV: dates as AAAA-MM-DD, numbers with a decimal comma (as
    Excel in es-CL reads them; the imports accept it), text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("sí") if value else _("no")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return text.replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return escape_cell(str(value))


def xlsx_value(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return escape_cell(value)


# Excel in Chile (and wherever the decimal separator is a comma) splits CSV on semicolons: a
# comma-separated file opens as one column. The imports read either.
CSV_DELIMITER = ";"


def write_csv(headers, rows):
    """UTF-8 with a BOM (so Excel reads the accents), semicolon-separated, every text cell
    escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_value(header) for header in headers])
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class EscapedCSV(base_formats.CSV):
    """django-import-export's CSV, with escape_cell() on every cell (for the admin export)."""

    def export_data(self, dataset, **kwargs):
        return write_csv(dataset.headers or [], list(dataset)).decode("utf-8")

    def get_content_type(self):
        return CSV_CONTENT_TYPE


class EscapedXLSX(base_formats.XLSX):
    """django-import-export's XLSX, with escape_cell() on every cell (for the admin export)."""

    def export_data(self, dataset, **kwargs):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Datos")
        write_table(sheet, dataset.headers or [], list(dataset))
        return save_workbook(workbook)


EXPORT_FORMATS = [EscapedCSV, EscapedXLSX]


def save_workbook(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(text, taken):
    title = " ".join(str(text).translate(_SHEET_FORBIDDEN).split()).strip("'")
    title = title[:SHEET_TITLE_MAX].strip()
    title = title or _("Hoja")
    candidate, counter = title, 2
    while candidate.casefold() in taken:
        suffix = f" ({counter})"
        candidate = title[: SHEET_TITLE_MAX - len(suffix)].strip() + suffix
        counter += 1
    taken.add(candidate.casefold())
    return candidate


def write_table(sheet, headers, rows, *, widths=None, text_columns=(), wrap=False):
    sheet.append([escape_cell(str(header)) for header in headers])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, _header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        width = (widths or {}).get(index)
        sheet.column_dimensions[letter].width = width or 18
    for index in text_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = "@"
    if wrap:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = WRAP
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
