"""Progress import: one row per activity with its status, progress, note and date.

Staff keep progress in a spreadsheet between meetings and load it here. The changed rows of a
file are written by one actions.progress.batch.record_progress_many call: the rules, permissions,
version checks and history of record_progress for every row, in a few queries for the whole
file; a refused entry is reported at its row, with the message the single service gives.

The preview reads the activities of the file's CERs in one query (with the date and note of each
one's latest update), so its cost does not grow by a query per row. A row is "unchanged" when its
status and progress are the current ones and its note is empty or the latest one: importing the
same file twice records nothing the second time.
"""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import Activity, ProgressUpdate
from actions.progress import batch, services
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.base import (
    UNCHANGED,
    UPDATE,
    ImportKind,
    Operation,
    Preview,
    RowResult,
)
from actions.spreadsheets.imports.errors import CellError
from actions.spreadsheets.imports.scope import ClusterScope
from actions.spreadsheets.layouts.progress import PROGRESS_COLUMNS, STATUS_WORDS, status_word
from clusters.models import TEXT_MAX_LENGTH

_STATUS_OPTIONS = {}
for _status, _word in STATUS_WORDS.items():
    _STATUS_OPTIONS[cells.normalize(_word)] = _status.value
    _STATUS_OPTIONS[cells.normalize(_status.value)] = _status.value
    _STATUS_OPTIONS[cells.normalize(_status.label)] = _status.value


_A_STATUS = gettext_lazy("un estado")


def read_status(value):
    return cells.choice(value, _STATUS_OPTIONS, labels=list(STATUS_WORDS.values()), what=_A_STATUS)


# The service's error keys, as the columns of the file.
SERVICE_COLUMNS = {
    "status": "estado",
    "progress": "avance",
    "note": "nota",
    "effective_on": "fecha",
}


def activities_with_latest_update(cluster_ids):
    """Every activity of the CERs as plain values, with its latest update's date and note."""
    newest = ProgressUpdate.objects.filter(activity=OuterRef("pk")).order_by(
        "-effective_on", "-recorded_at", "-id"
    )
    return (
        Activity.objects.filter(cluster_id__in=cluster_ids)
        .annotate(
            latest_on=Subquery(newest.values("effective_on")[:1]),
            latest_note=Subquery(newest.values("note")[:1]),
        )
        .values(
            "id",
            "cluster_id",
            "code",
            "title",
            "status",
            "progress",
            "version",
            "latest_on",
            "latest_note",
        )
    )


class ProgressImport(ImportKind):
    key = "progress"
    title = gettext_lazy("Avances de actividades")
    description = gettext_lazy(
        "Una fila por actividad: su estado, su avance y, si quiere, una nota y la fecha del "
        "avance. Cada fila con cambios se registra en el historial de la actividad, como si se "
        "usara el formulario de avance."
    )
    columns = PROGRESS_COLUMNS
    sheet_names = ("Avances", "Avance")
    permission = "record"

    def build(self, rows, *, user, cluster):
        scope = ClusterScope(user=user, cluster=cluster, permission="record")
        preview = Preview(kind=self.key)
        activities = {
            (item["cluster_id"], item["code"]): item
            for item in activities_with_latest_update(scope.ids)
        }
        today = timezone.localdate()
        seen = {}
        entries, entry_rows = [], []
        for number, row in rows:
            result = RowResult(number=number)
            preview.rows.append(result)
            activity = self._activity(result, row, scope, activities, seen)
            values = self._values(result, row)
            if activity is None or values is None:
                continue
            status, progress, note, effective_on = values
            result.label = f"{activity['code']} · {activity['title']}"
            result.token = str(activity["version"])
            self._compare(result, activity, status, progress, note, effective_on, today)
            if result.action != UNCHANGED and not result.errors:
                entries.append(
                    {
                        "activity_id": activity["id"],
                        "expected_version": activity["version"],
                        "status": status,
                        "progress": progress,
                        "note": note,
                        "effective_on": effective_on,
                    }
                )
                entry_rows.append(number)
        if entries:
            preview.operations.append(
                Operation(
                    row=entry_rows[0],
                    rows=entry_rows,
                    run=_recorder(entries),
                    columns=SERVICE_COLUMNS,
                )
            )
        return preview

    def _activity(self, result, row, scope, activities, seen):
        try:
            cluster = scope.find(row["cer"])
        except CellError as error:
            result.error(error.problem, column="cer", value=row["cer"], show_value=error.show_value)
            return None
        code = cells.text(row["code"])
        if not code:
            result.error(
                _("está vacía; indique el código de la actividad (p. ej. «4.2»)."),
                column="código",
                show_value=False,
            )
            return None
        activity = activities.get((cluster.id, code))
        result.label = code
        if activity is None:
            result.error(
                _("no es una actividad del CER «%(cer)s».") % {"cer": cluster.slug},
                column="código",
                value=code,
            )
            return None
        first = seen.setdefault(activity["id"], result.number)
        if first != result.number:
            result.error(
                _(
                    "la actividad «%(code)s» ya aparece en la fila %(row)s: deje una sola fila "
                    "por actividad."
                )
                % {"code": code, "row": first},
                column="código",
                show_value=False,
            )
            return None
        return activity

    def _values(self, result, row):
        readers = (
            ("status", "estado", read_status),
            ("progress", "avance", lambda value: cells.integer(value, minimum=0, maximum=100)),
            ("date", "fecha", lambda value: cells.optional(cells.date, value)),
            ("note", "nota", lambda value: cells.limited(cells.text(value), TEXT_MAX_LENGTH)),
        )
        parsed = {}
        for key, column, read in readers:
            try:
                parsed[key] = read(row[key])
            except CellError as error:
                result.error(
                    error.problem, column=column, value=row[key], show_value=error.show_value
                )
        if result.errors:
            return None
        return parsed["status"], parsed["progress"], parsed["note"], parsed["date"]

    def _compare(self, result, activity, status, progress, note, effective_on, today):
        same_state = status == activity["status"] and progress == activity["progress"]
        if same_state and (not note or note == (activity["latest_note"] or "")):
            result.action = UNCHANGED
            return
        result.action = UPDATE
        if status != activity["status"]:
            result.change("estado", status_word(activity["status"]), status_word(status))
        if progress != activity["progress"]:
            result.change("avance", f"{activity['progress']} %", f"{progress} %")
        if note:
            result.change("nota", "", note)
        result.change("fecha", "", effective_on or today)
        errors = services.progress_rule_errors(
            services.ProgressChange(
                old_status=activity["status"],
                new_status=status,
                old_progress=activity["progress"],
                new_progress=progress,
                note=note,
                has_evidence=False,
            )
        )
        for key, messages in errors.items():
            column = SERVICE_COLUMNS.get(key)
            for message in messages:
                result.error(_rule_message(message), column=column, show_value=False)
        if effective_on is not None and effective_on > today:
            result.error(
                _("es posterior a hoy: la fecha del avance no puede ser futura."),
                column="fecha",
                value=effective_on.strftime("%d-%m-%Y"),
            )
        latest_on = activity["latest_on"]
        if latest_on is not None and (effective_on or today) < latest_on:
            result.error(
                _(
                    "es anterior al último registro de la actividad (%(date)s): la fecha del "
                    "avance no puede ser anterior."
                )
                % {"date": latest_on.strftime("%d-%m-%Y")},
                column="fecha",
                value=(effective_on or today).strftime("%d-%m-%Y"),
            )


def _rule_message(message):
    message = str(message)
    return message[:1].lower() + message[1:]


def _recorder(entries):
    def run(user):
        # BatchRefused names each refused entry by its index; Operation.rows maps it to its row.
        batch.record_progress_many(acting_user=user, entries=entries)

    return run
