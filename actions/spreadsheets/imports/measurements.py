"""Goal measurements import: dated values of goal indicators, through record_goal_measurement.

A goal is named by its CER, its strategy's number and its position among the strategy's goals
(the «n.°» the plan shows). A measurement already recorded with the same goal, date and source
is "unchanged" when its value is the same, so a file can be imported twice; with another value it
is an error (a recorded measurement is corrected in the admin, not overwritten by a file).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import Goal, GoalMeasurement
from actions.progress import services
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.base import (
    CREATE,
    UNCHANGED,
    ImportKind,
    Operation,
    Preview,
    RowResult,
)
from actions.spreadsheets.imports.errors import CellError
from actions.spreadsheets.imports.scope import ClusterScope
from actions.spreadsheets.layouts.measurements import MEASUREMENT_COLUMNS

SOURCE_MAX_LENGTH = GoalMeasurement._meta.get_field("source").max_length


SERVICE_COLUMNS = {"value": "valor", "measured_on": "fecha", "source": "fuente"}


class MeasurementImport(ImportKind):
    key = "measurements"
    title = gettext_lazy("Mediciones de metas")
    description = gettext_lazy(
        "Una fila por medición: la meta (CER, estrategia y número de meta), el valor medido, "
        "la fecha y la fuente del dato. Solo se miden las metas que tienen un valor objetivo."
    )
    columns = MEASUREMENT_COLUMNS
    # The plan workbook's «Metas» sheet has these columns, with the latest measurement.
    sheet_names = ("Mediciones", "Metas")
    permission = "record"

    def build(self, rows, *, user, cluster):
        scope = ClusterScope(user=user, cluster=cluster, permission="record")
        preview = Preview(kind=self.key)
        goals = {
            (goal["strategy__cluster_id"], goal["strategy__number"], goal["position"]): goal
            for goal in Goal.objects.filter(strategy__cluster_id__in=scope.ids).values(
                "id", "strategy__cluster_id", "strategy__number", "position", "target_value", "text"
            )
        }
        recorded = {
            (item["goal_id"], item["measured_on"], cells.normalize(item["source"])): item["value"]
            for item in GoalMeasurement.objects.filter(
                goal__strategy__cluster_id__in=scope.ids
            ).values("goal_id", "measured_on", "source", "value")
        }
        today = timezone.localdate()
        seen = {}
        for number, row in rows:
            result = RowResult(number=number)
            preview.rows.append(result)
            if all(cells.text(row[key]) == "" for key in ("value", "date", "source")):
                # A goal listed without a measurement (as in the «Metas» sheet): nothing to record.
                result.label = _("estrategia %(strategy)s, meta %(goal)s") % {
                    "strategy": cells.text(row["strategy"]),
                    "goal": cells.text(row["goal"]),
                }
                result.notes.append(_("Sin valor, fecha ni fuente: no hay medición que registrar."))
                continue
            goal = self._goal(result, row, scope, goals)
            parsed = self._values(result, row, today)
            if goal is None or parsed is None:
                continue
            value, measured_on, source = parsed
            key = (goal["id"], measured_on, cells.normalize(source))
            first = seen.setdefault(key, number)
            if first != number:
                result.error(
                    _(
                        "la fila %(row)s ya trae una medición de esta meta con la misma fecha "
                        "y fuente: deje una sola."
                    )
                    % {"row": first}
                )
                continue
            if key in recorded:
                if recorded[key] == value:
                    result.action = UNCHANGED
                else:
                    result.error(
                        _(
                            "ya hay una medición de esta meta del %(date)s con la fuente "
                            "«%(source)s» y valor %(old)s; una medición registrada se corrige "
                            "en la administración, no con un archivo."
                        )
                        % {
                            "date": measured_on.strftime("%d-%m-%Y"),
                            "source": source,
                            "old": recorded[key],
                        },
                        column="valor",
                        value=value,
                    )
                continue
            result.action = CREATE
            result.change("valor", "", value)
            result.change("fecha", "", measured_on)
            result.change("fuente", "", source)
            preview.operations.append(
                Operation(
                    row=number,
                    run=_measurer(goal["id"], value, measured_on, source),
                    columns=SERVICE_COLUMNS,
                )
            )
        return preview

    def _goal(self, result, row, scope, goals):
        try:
            cluster = scope.find(row["cer"])
        except CellError as error:
            result.error(error.problem, column="cer", value=row["cer"], show_value=error.show_value)
            return None
        numbers = {}
        for key, column in (("strategy", "estrategia"), ("goal", "meta")):
            try:
                numbers[key] = cells.integer(row[key], minimum=1, maximum=32767)
            except CellError as error:
                result.error(
                    error.problem, column=column, value=row[key], show_value=error.show_value
                )
        if len(numbers) < 2:
            return None
        result.label = _("estrategia %(strategy)s, meta %(goal)s") % numbers
        goal = goals.get((cluster.id, numbers["strategy"], numbers["goal"]))
        if goal is None:
            result.error(
                _("no es una meta de la estrategia %(strategy)s del CER «%(cer)s».")
                % {"strategy": numbers["strategy"], "cer": cluster.slug},
                column="meta",
                value=numbers["goal"],
            )
            return None
        if goal["target_value"] is None:
            result.error(
                _(
                    "es una meta sin indicador (no tiene valor objetivo), así que no se puede "
                    "medir; agregue el indicador en la administración."
                ),
                column="meta",
                value=numbers["goal"],
            )
            return None
        result.label = f"{result.label} · {cells.text(goal['text'])[:80]}"
        return goal

    def _values(self, result, row, today):
        parsed = {}
        readers = (
            ("value", "valor", cells.decimal),
            ("date", "fecha", cells.date),
            ("source", "fuente", lambda v: cells.required_text(v, max_length=SOURCE_MAX_LENGTH)),
        )
        for key, column, read in readers:
            try:
                parsed[key] = read(row[key])
            except CellError as error:
                result.error(
                    error.problem, column=column, value=row[key], show_value=error.show_value
                )
        if "date" in parsed and parsed["date"] > today:
            result.error(
                _("es posterior a hoy: la fecha de medición no puede ser futura."),
                column="fecha",
                value=parsed["date"].strftime("%d-%m-%Y"),
            )
        if result.errors:
            return None
        return parsed["value"], parsed["date"], parsed["source"]


def _measurer(goal_id, value, measured_on, source):
    def run(user):
        services.record_goal_measurement(
            goal_id=goal_id,
            acting_user=user,
            value=value,
            measured_on=measured_on,
            source=source,
        )

    return run
