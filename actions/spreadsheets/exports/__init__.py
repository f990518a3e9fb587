"""Exports people can open in a spreadsheet program, one module per job: cells (escaping, CSV
and XLSX writing, the admin's formats), plan_workbook, progress and templates (the import
templates). Exports read the plan through actions.reporting and the tables' columns from
actions.spreadsheets.layouts, never from the imports (an import-linter contract).
"""

from actions.spreadsheets.exports.cells import (
    CSV_CONTENT_TYPE,
    EXPORT_FORMATS,
    XLSX_CONTENT_TYPE,
    csv_value,
    escape_cell,
    sheet_title,
    write_csv,
)
from actions.spreadsheets.exports.plan_workbook import (
    GOAL_HEADERS,
    HISTORY_HEADERS,
    MATRIX_HEADERS,
    STRUCTURE_SHEET,
    plan_filename,
    plan_workbook,
    structure_rows,
)
from actions.spreadsheets.exports.progress import progress_csv, progress_xlsx
from actions.spreadsheets.exports.templates import import_template, template_filename

__all__ = [
    "CSV_CONTENT_TYPE",
    "EXPORT_FORMATS",
    "GOAL_HEADERS",
    "HISTORY_HEADERS",
    "MATRIX_HEADERS",
    "STRUCTURE_SHEET",
    "XLSX_CONTENT_TYPE",
    "csv_value",
    "escape_cell",
    "import_template",
    "plan_filename",
    "plan_workbook",
    "progress_csv",
    "progress_xlsx",
    "sheet_title",
    "structure_rows",
    "template_filename",
    "write_csv",
]
