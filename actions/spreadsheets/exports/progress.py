"""The progress exports: the progress import's file (resources.ProgressResource), with the
current state in it, «nota» and «fecha» left empty to fill in, and, for the people who read it,
each activity's latest note with its date and author (ignored when the file is imported back).
CSV for Excel in es-CL (semicolons, UTF-8 with a BOM) and XLSX."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from actions.spreadsheets.exports.cells import save_workbook, write_csv, write_table
from actions.spreadsheets.layouts.progress import PROGRESS_COLUMNS
from actions.spreadsheets.resources import ProgressResource

# Wider columns for the texts people read: actividad, nota, última nota.
_WIDTHS = {
    index: 48
    for index, column in enumerate(PROGRESS_COLUMNS, start=1)
    if column.key in {"title", "note", "latest_note"}
}
_TEXT_COLUMNS = tuple(
    index for index, column in enumerate(PROGRESS_COLUMNS, start=1) if column.text_format
)


def _dataset(queryset):
    return ProgressResource().export(queryset=queryset)


def progress_csv(queryset):
    """The progress of the activities of `queryset` as the progress import's CSV."""
    dataset = _dataset(queryset)
    return write_csv(dataset.headers, list(dataset))


def progress_xlsx(queryset):
    """The same as progress_csv, as a workbook of one sheet."""
    dataset = _dataset(queryset)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Avances")
    write_table(sheet, dataset.headers, list(dataset), widths=_WIDTHS, text_columns=_TEXT_COLUMNS)
    sheet.auto_filter.ref = sheet.dimensions
    return save_workbook(workbook)
