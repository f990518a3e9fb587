"""Exports people can open in a spreadsheet program: the plan workbook, progress as CSV, templates.

Formula escaping. A spreadsheet program runs a cell that begins with "=", "+", "-" or "@" (and,
in some programs, a tab or a carriage return) as a formula; text from the plan or typed by a user
must never run. escape_cell() prefixes such text with a single quote, in CSV and XLSX alike;
numbers and dates are not text and are written as they are, so -5 stays the number -5. The
imports (actions.spreadsheets.imports.columns.text) drop that quote again, so an export imports
back as it
was. django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "="
(changing the data) and turns every cell into text, so it stays off and EscapedCSV/EscapedXLSX
below are used instead.

The plan workbook («Plan de acción»): one sheet per CER laid out like Tables 3 and 5 of the 2006
report (Objetivo | Estrategia | Actividades | Metas | Recursos públicos | Recursos privados |
Actores involucrados | Responsable | Plazo comprometido), a «Metas» sheet, a «Historial» sheet
(every progress update), and «Estructura»: the plan-structure import's table, which is what the
import reads back (export then import gives the same export_plan).
"""

import csv
import datetime
import io
from decimal import Decimal

import tablib
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from actions.models import (
    Activity,
    Funding,
    Goal,
    GoalMeasurement,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from actions.spreadsheets.imports.base import EXAMPLE_MARK
from actions.spreadsheets.imports.columns import FORMULA_TRIGGERS
from actions.spreadsheets.imports.plan import ELEMENT_WORDS, INSTRUMENT_SEPARATOR, PLAN_COLUMNS
from actions.spreadsheets.imports.progress import status_word
from clusters.models import Cluster, Measure, Obstacle

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Data validation (dropdowns) in templates covers this many rows below the header.
TEMPLATE_ROWS = 20_000
SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
EXAMPLE_FONT = Font(italic=True, color="6C757D")
WRAP = Alignment(wrap_text=True, vertical="top")


# Escaping ----------------------------------------------------------------------------------------


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
    """How a value is written to CSV: dates as AAAA-MM-DD, numbers plainly, text escaped."""
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
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, int | float):
        return str(value)
    return escape_cell(str(value))


def xlsx_value(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return escape_cell(value)


def write_csv(headers, rows):
    """UTF-8 with a BOM (so Excel reads the accents), comma-separated, every text cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_value(header) for header in headers])
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def escaped_dataset(dataset):
    escaped = tablib.Dataset(headers=[escape_cell(h) for h in dataset.headers or []])
    for row in dataset:
        escaped.append([escape_cell(value) for value in row])
    return escaped


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
        _write_table(sheet, dataset.headers or [], list(dataset))
        return _save(workbook)


EXPORT_FORMATS = [EscapedCSV, EscapedXLSX]


# Workbook helpers ------------------------------------------------------------------------------


def _save(workbook):
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


def _write_table(sheet, headers, rows, *, widths=None, text_columns=(), wrap=False):
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


# The plan ----------------------------------------------------------------------------------------


def plan_clusters(slug=None):
    """CERs with their whole plan, in a fixed number of queries."""
    strategies = Strategy.objects.order_by("number").prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("position", "code")),
        Prefetch("goals", queryset=Goal.objects.order_by("position")),
        Prefetch(
            "funding",
            queryset=Funding.objects.order_by("kind", "position").prefetch_related("instruments"),
        ),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.select_related("actor").order_by("role", "position"),
        ),
    )
    clusters = Cluster.objects.order_by("name").prefetch_related(
        Prefetch(
            "obstacles",
            queryset=Obstacle.objects.order_by("position").prefetch_related(
                Prefetch("measures", queryset=Measure.objects.order_by("position"))
            ),
        ),
        Prefetch(
            "objectives",
            queryset=Objective.objects.order_by("position").prefetch_related(
                Prefetch("strategies", queryset=strategies)
            ),
        ),
    )
    if slug is not None:
        clusters = clusters.filter(slug=slug)
    return list(clusters)


def _date_text(value):
    return value.strftime("%d-%m-%Y") if value else ""


def _period_text(strategy):
    text = strategy.committed_period_text
    if strategy.committed_start is None and strategy.committed_end is None:
        return text
    dates = f"{_date_text(strategy.committed_start) or '?'} – " + (
        _date_text(strategy.committed_end) or _("en adelante")
    )
    return f"{text}\n({dates})" if text else dates


def _number_text(value):
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral() else str(value).replace(".", ",")


def _goal_text(goal):
    text = goal.text
    details = []
    if goal.target_value is not None:
        details.append(f"{_number_text(goal.target_value)} {goal.unit}".strip())
    if goal.due:
        details.append(_("al %(date)s") % {"date": _date_text(goal.due)})
    return f"{text} ({', '.join(details)})" if details else text


def _lines(items):
    return "\n".join(f"• {item}" for item in items)


MATRIX_HEADERS = (
    "Objetivo",
    "Estrategia",
    "Actividades",
    "Metas",
    "Recursos públicos",
    "Recursos privados",
    "Actores involucrados",
    "Responsable",
    "Plazo comprometido",
)
MATRIX_WIDTHS = {1: 30, 2: 36, 3: 48, 4: 40, 5: 30, 6: 26, 7: 26, 8: 22, 9: 22}


def _matrix_sheet(sheet, cluster):
    """One row per strategy, its objective's cell merged over its strategies (Tables 3 and 5)."""
    rows, spans = [], []
    for objective in cluster.objectives.all():
        strategies = list(objective.strategies.all())
        first = len(rows) + 2
        for strategy in strategies or [None]:
            if strategy is None:
                rows.append([f"{objective.numeral}) {objective.title}"] + [""] * 8)
                continue
            funding = list(strategy.funding.all())
            involvements = list(strategy.involvements.all())
            rows.append(
                [
                    f"{objective.numeral}) {objective.title}",
                    f"{strategy.number}. {strategy.title}",
                    "\n".join(f"{a.code} {a.title}" for a in strategy.activities.all()),
                    _lines(_goal_text(goal) for goal in strategy.goals.all()),
                    _lines(f.text for f in funding if f.kind == Funding.Kind.PUBLIC),
                    _lines(f.text for f in funding if f.kind == Funding.Kind.PRIVATE),
                    _lines(
                        i.actor.name for i in involvements if i.role == Involvement.Role.INVOLVED
                    ),
                    _lines(
                        i.actor.name for i in involvements if i.role == Involvement.Role.RESPONSIBLE
                    ),
                    _period_text(strategy),
                ]
            )
        last = len(rows) + 1
        if last > first:
            spans.append((first, last))
    _write_table(sheet, MATRIX_HEADERS, rows, widths=MATRIX_WIDTHS, wrap=True)
    for first, last in spans:
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


GOAL_HEADERS = (
    "cer",
    "estrategia",
    "meta",
    "texto de la meta",
    "valor objetivo",
    "unidad",
    "fecha comprometida",
    "valor",
    "fecha",
    "fuente",
)


def _goal_rows(clusters):
    goal_ids = [
        goal.pk
        for cluster in clusters
        for objective in cluster.objectives.all()
        for strategy in objective.strategies.all()
        for goal in strategy.goals.all()
    ]
    latest = {}
    for measurement in GoalMeasurement.objects.filter(goal_id__in=goal_ids).order_by(
        "goal_id", "measured_on", "id"
    ):
        latest[measurement.goal_id] = measurement
    for cluster in clusters:
        for objective in cluster.objectives.all():
            for strategy in objective.strategies.all():
                for goal in strategy.goals.all():
                    measured = latest.get(goal.pk)
                    yield [
                        cluster.slug,
                        strategy.number,
                        goal.position,
                        goal.text,
                        goal.target_value,
                        goal.unit,
                        goal.due,
                        measured.value if measured else None,
                        measured.measured_on if measured else None,
                        measured.source if measured else "",
                    ]


HISTORY_HEADERS = (
    "cer",
    "código",
    "actividad",
    "fecha",
    "tipo",
    "estado anterior",
    "estado nuevo",
    "avance anterior",
    "avance nuevo",
    "término revisado anterior",
    "término revisado nuevo",
    "nota",
    "autor",
    "registrado el",
)


def _history_rows(clusters):
    updates = (
        ProgressUpdate.objects.filter(activity__cluster__in=clusters)
        .select_related("activity__cluster", "author")
        .order_by("activity__cluster__name", "activity__code", "effective_on", "recorded_at", "id")
    )
    for update in updates.iterator(chunk_size=2000):
        yield [
            update.activity.cluster.slug,
            update.activity.code,
            update.activity.title,
            update.effective_on,
            update.get_kind_display(),
            status_word(update.old_status),
            status_word(update.new_status),
            update.old_progress,
            update.new_progress,
            update.old_revised_end,
            update.new_revised_end,
            update.note,
            update.author.get_username(),
            update.recorded_at,
        ]


def _row(values):
    return [values.get(column.key, "") for column in PLAN_COLUMNS]


def _traced(item):
    return {"source": item.source, "correction_note": item.correction_note}


def structure_rows(clusters):
    """The plan-structure import's table for `clusters` (from plan_clusters())."""
    for cluster in clusters:
        base = {"cer": cluster.slug}
        yield _row(
            base
            | {
                "element": ELEMENT_WORDS["cer"],
                "text": cluster.name,
                "sector": cluster.sector,
                "region": cluster.region,
                "description": cluster.description,
            }
            | _traced(cluster)
        )
        for obstacle in cluster.obstacles.all():
            yield _row(
                base
                | {"element": ELEMENT_WORDS["obstacle"], "position": obstacle.position}
                | {"text": obstacle.title}
                | _traced(obstacle)
            )
            for measure in obstacle.measures.all():
                yield _row(
                    base
                    | {
                        "element": ELEMENT_WORDS["measure"],
                        "obstacle": obstacle.position,
                        "position": measure.position,
                        "text": measure.text,
                    }
                    | _traced(measure)
                )
        for objective in cluster.objectives.all():
            yield _row(
                base
                | {
                    "element": ELEMENT_WORDS["objective"],
                    "objective": objective.numeral,
                    "position": objective.position,
                    "text": objective.title,
                }
                | _traced(objective)
            )
            for strategy in objective.strategies.all():
                yield from _strategy_rows(base, objective, strategy)


def _strategy_rows(base, objective, strategy):
    parent = base | {"strategy": strategy.number}
    yield _row(
        parent
        | {
            "element": ELEMENT_WORDS["strategy"],
            "objective": objective.numeral,
            "text": strategy.title,
            "period": strategy.committed_period_text,
            "start": strategy.committed_start,
            "end": strategy.committed_end,
        }
        | _traced(strategy)
    )
    for activity in strategy.activities.all():
        yield _row(
            parent
            | {
                "element": ELEMENT_WORDS["activity"],
                "code": activity.code,
                "position": activity.position,
                "text": activity.title,
                "start": activity.planned_start,
                "end": activity.planned_end,
                "status": status_word(activity.status),
                "progress": activity.progress,
                "revised_end": activity.revised_end,
                "revision_reason": activity.revision_reason,
                "source_code": activity.source_code,
                "schedule_title": activity.schedule_title,
            }
            | _traced(activity)
        )
    for goal in strategy.goals.all():
        yield _row(
            parent
            | {
                "element": ELEMENT_WORDS["goal"],
                "position": goal.position,
                "text": goal.text,
                "target_value": goal.target_value,
                "unit": goal.unit,
                "due": goal.due,
            }
            | _traced(goal)
        )
    for funding in strategy.funding.all():
        element = "funding_public" if funding.kind == Funding.Kind.PUBLIC else "funding_private"
        yield _row(
            parent
            | {
                "element": ELEMENT_WORDS[element],
                "position": funding.position,
                "text": funding.text,
                "share": funding.share_percent,
                "instruments": f"{INSTRUMENT_SEPARATOR} ".join(
                    instrument.name for instrument in funding.instruments.all()
                ),
            }
            | _traced(funding)
        )
    for involvement in strategy.involvements.all():
        element = "involved" if involvement.role == Involvement.Role.INVOLVED else "responsible"
        yield _row(
            parent
            | {
                "element": ELEMENT_WORDS[element],
                "position": involvement.position,
                "text": involvement.actor.name,
            }
            | _traced(involvement)
        )


STRUCTURE_SHEET = "Estructura"


def plan_workbook(slug=None):
    """The plan of one CER (or of all) as XLSX bytes; see the module docstring for its sheets."""
    clusters = plan_clusters(slug)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = set()
    for cluster in clusters:
        _matrix_sheet(workbook.create_sheet(sheet_title(cluster.name, taken)), cluster)
    if not clusters:
        sheet = workbook.create_sheet(sheet_title(_("Plan"), taken))
        _write_table(sheet, MATRIX_HEADERS, [], widths=MATRIX_WIDTHS)
    _write_table(
        workbook.create_sheet(sheet_title("Metas", taken)),
        GOAL_HEADERS,
        _goal_rows(clusters),
        widths={4: 60, 10: 30},
    )
    _write_table(
        workbook.create_sheet(sheet_title("Historial", taken)),
        HISTORY_HEADERS,
        _history_rows(clusters),
        widths={3: 40, 12: 50},
    )
    text_columns = [i for i, column in enumerate(PLAN_COLUMNS, start=1) if column.text_format]
    _write_table(
        workbook.create_sheet(sheet_title(STRUCTURE_SHEET, taken)),
        [column.header for column in PLAN_COLUMNS],
        structure_rows(clusters),
        text_columns=text_columns,
    )
    return _save(workbook)


def plan_filename(slug=None, extension="xlsx"):
    stamp = timezone.localdate().isoformat()
    return f"plan-{slugify(slug) if slug else 'cer'}-{stamp}.{extension}"


# Progress ----------------------------------------------------------------------------------------


def progress_csv(queryset):
    """The progress of the activities of `queryset` as the progress import's CSV."""
    from actions.spreadsheets.resources import ProgressResource

    dataset = ProgressResource().export(queryset=queryset)
    return write_csv(dataset.headers, list(dataset))


# Import templates --------------------------------------------------------------------------------


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
    _write_table(sheet, headers, examples, text_columns=text_columns)
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
    _write_table(
        help_sheet,
        [_("columna"), _("obligatoria"), _("qué escribir"), _("valores posibles")],
        [
            [
                column.header,
                _("sí")
                if column.required
                else (_("informativa") if column.informative else _("no")),
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
    return _save(workbook)


def template_filename(kind):
    return f"plantilla-{kind.key}.xlsx"
