"""The plan workbook («Plan de acción»): one sheet per CER laid out like Tables 3 and 5 of the 2006
report (Objetivo | Estrategia | Actividades | Metas | Recursos públicos | Recursos privados |
Actores involucrados | Responsable | Plazo comprometido), with one column the report has not:
«Estado y avance», each activity's status and %, beside its activities; «Obstáculos» (Tables
1-2: each key obstacle with its potential measures and correction notes); a «Metas» sheet, a
«Historial» sheet (every progress update), and «Estructura»: the plan-structure import's table,
which is what the import reads back (export then import gives the same export_plan).
"""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from actions.formatting import committed_period, dmy
from actions.models import Funding, Involvement, ProgressUpdate
from actions.reporting.whole_plan import whole_plans
from actions.spreadsheets.exports.cells import save_workbook, sheet_title, write_table
from actions.spreadsheets.layouts.plan import ELEMENT_WORDS, INSTRUMENT_SEPARATOR, PLAN_COLUMNS
from actions.spreadsheets.layouts.progress import status_word


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
        details.append(_("al %(date)s") % {"date": dmy(goal.due)})
    return f"{text} ({', '.join(details)})" if details else text


def _lines(items):
    return "\n".join(f"• {item}" for item in items)


MATRIX_HEADERS = (
    "Objetivo",
    "Estrategia",
    "Actividades",
    "Estado y avance",
    "Metas",
    "Recursos públicos",
    "Recursos privados",
    "Actores involucrados",
    "Responsable",
    "Plazo comprometido",
)
MATRIX_WIDTHS = {1: 30, 2: 36, 3: 48, 4: 24, 5: 40, 6: 30, 7: 26, 8: 26, 9: 22, 10: 22}


def _matrix_sheet(sheet, cluster):
    """One row per strategy, its objective's cell merged over its strategies (Tables 3 and 5)."""
    rows, spans = [], []
    for objective in cluster.objectives.all():
        strategies = list(objective.strategies.all())
        first = len(rows) + 2
        for strategy in strategies or [None]:
            if strategy is None:
                rows.append(
                    [f"{objective.numeral}) {objective.title}"] + [""] * (len(MATRIX_HEADERS) - 1)
                )
                continue
            funding = list(strategy.funding.all())
            involvements = list(strategy.involvements.all())
            rows.append(
                [
                    f"{objective.numeral}) {objective.title}",
                    f"{strategy.number}. {strategy.title}",
                    "\n".join(f"{a.code} {a.title}" for a in strategy.activities.all()),
                    "\n".join(
                        f"{a.code}: {status_word(a.status)}, {a.progress} %"
                        for a in strategy.activities.all()
                    ),
                    _lines(_goal_text(goal) for goal in strategy.goals.all()),
                    _lines(f.text for f in funding if f.kind == Funding.Kind.PUBLIC),
                    _lines(f.text for f in funding if f.kind == Funding.Kind.PRIVATE),
                    _lines(
                        i.actor.name for i in involvements if i.role == Involvement.Role.INVOLVED
                    ),
                    _lines(
                        i.actor.name for i in involvements if i.role == Involvement.Role.RESPONSIBLE
                    ),
                    committed_period(
                        strategy.committed_period_text,
                        strategy.committed_start,
                        strategy.committed_end,
                    ),
                ]
            )
        last = len(rows) + 1
        if last > first:
            spans.append((first, last))
    write_table(sheet, MATRIX_HEADERS, rows, widths=MATRIX_WIDTHS, wrap=True)
    for first, last in spans:
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


OBSTACLE_HEADERS = ("CER", "Obstáculo clave", "Medidas potenciales", "Nota de corrección")


def _obstacle_rows(clusters):
    """Tables 1-2: each obstacle with its measures, one row per obstacle."""
    rows = []
    for cluster in clusters:
        for obstacle in cluster.obstacles.all():
            measures = list(obstacle.measures.all())
            notes = [obstacle.correction_note, *(m.correction_note for m in measures)]
            rows.append(
                [
                    cluster.name,
                    f"{obstacle.position}. {obstacle.title}",
                    _lines(measure.text for measure in measures),
                    "\n".join(note for note in notes if note),
                ]
            )
    return rows


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
    for cluster in clusters:
        for objective in cluster.objectives.all():
            for strategy in objective.strategies.all():
                for goal in strategy.goals.all():
                    yield [
                        cluster.slug,
                        strategy.number,
                        goal.position,
                        goal.text,
                        goal.target_value,
                        goal.unit,
                        goal.due,
                        goal.latest_value,
                        goal.latest_measured_on,
                        goal.latest_source or "",
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
    """The plan-structure import's table for `clusters` (from whole_plans())."""
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
    clusters = whole_plans(slug, instruments=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = set()
    for cluster in clusters:
        _matrix_sheet(workbook.create_sheet(sheet_title(cluster.name, taken)), cluster)
    if not clusters:
        sheet = workbook.create_sheet(sheet_title(_("Plan"), taken))
        write_table(sheet, MATRIX_HEADERS, [], widths=MATRIX_WIDTHS)
    write_table(
        workbook.create_sheet(sheet_title("Obstáculos", taken)),
        OBSTACLE_HEADERS,
        _obstacle_rows(clusters),
        widths={1: 24, 2: 50, 3: 70, 4: 40},
        wrap=True,
    )
    write_table(
        workbook.create_sheet(sheet_title("Metas", taken)),
        GOAL_HEADERS,
        _goal_rows(clusters),
        widths={4: 60, 10: 30},
    )
    write_table(
        workbook.create_sheet(sheet_title("Historial", taken)),
        HISTORY_HEADERS,
        _history_rows(clusters),
        widths={3: 40, 12: 50},
    )
    text_columns = [i for i, column in enumerate(PLAN_COLUMNS, start=1) if column.text_format]
    write_table(
        workbook.create_sheet(sheet_title(STRUCTURE_SHEET, taken)),
        [column.header for column in PLAN_COLUMNS],
        structure_rows(clusters),
        text_columns=text_columns,
    )
    return save_workbook(workbook)


def plan_filename(slug=None, extension="xlsx"):
    stamp = timezone.localdate().isoformat()
    return f"plan-{slugify(slug) if slug else 'cer'}-{stamp}.{extension}"
