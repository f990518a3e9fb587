"""The import templates: an XLSX to fill in for each import kind, with its columns, an example
row the import skips, dropdowns where the values are fixed, and a sheet of instructions."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from actions.spreadsheets.exports.cells import (
    EXAMPLE_FONT,
    escape_cell,
    save_workbook,
    write_table,
)
from actions.spreadsheets.layouts import EXAMPLE_MARK

# Data validation (dropdowns) in templates covers this many rows below the header.
TEMPLATE_ROWS = 20_000


def import_template(kind, *, cluster=None, cluster_slugs=()):
    """An XLSX to fill in for `kind` (an actions.spreadsheets.imports kind): its headers, an
    example row (in
    italics, marked «ejemplo» in «cer» so the import skips it), a dropdown on every column with a
    fixed set of values, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (kind.sheet_names or (_("Datos"),))[0]
    headers = [column.header for column in kind.columns]
    examples = kind.example_rows(cluster)
    for row in examples:
        for index, column in enumerate(kind.columns):
            if column.key == "cer":
                row[index] = EXAMPLE_MARK
    text_columns = [i for i, column in enumerate(kind.columns, start=1) if column.text_format]
    write_table(sheet, headers, examples, text_columns=text_columns)
    for row in sheet.iter_rows(min_row=2, max_row=1 + len(examples)):
        for cell in row:
            cell.font = EXAMPLE_FONT
    last_row = TEMPLATE_ROWS + 1
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        choices = column.choices
        if column.key == "cer" and cluster_slugs:
            choices = tuple(cluster_slugs)
        if not choices or len(",".join(choices)) > 250:
            if column.text_format:
                for (cell,) in sheet.iter_rows(
                    min_row=2 + len(examples), max_row=200, min_col=index, max_col=index
                ):
                    cell.number_format = "@"
            continue
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=column.key != "cer",
            errorTitle=_("Valor no válido"),
            error=_("Elija un valor de la lista."),
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    help_sheet = workbook.create_sheet(_("Instrucciones"))
    write_table(
        help_sheet,
        [_("columna"), _("obligatoria"), _("qué escribir"), _("valores posibles")],
        [
            [
                column.header,
                column.requirement(),
                str(column.help),
                ", ".join(column.choices),
            ]
            for column in kind.columns
        ],
        widths={1: 26, 2: 12, 3: 90, 4: 50},
        wrap=True,
    )
    help_sheet.append([])
    for line in (
        str(kind.description),
        _(
            "La fila 1 tiene los nombres de las columnas: no los cambie. Las filas en cursiva, "
            "con «%(mark)s» en la columna «cer», son ejemplos y se ignoran al importar: "
            "bórrelas o déjelas."
        )
        % {"mark": EXAMPLE_MARK},
        _(
            "Al importar verá primero una vista previa de cada cambio; nada se guarda hasta que "
            "la confirme, y se guarda todo el archivo o nada. Máximo 5 MB y 20.000 filas."
        ),
    ):
        help_sheet.append([escape_cell(line)])
    return save_workbook(workbook)


# The file's name speaks the interface's language, whatever the kind's key in the URL.
_FILE_WORDS = {
    "plan": "plan",
    "progress": "avances",
    "companies": "empresas",
    "measurements": "mediciones",
}


def template_filename(kind):
    return f"plantilla-{_FILE_WORDS.get(kind.key, kind.key)}.xlsx"
