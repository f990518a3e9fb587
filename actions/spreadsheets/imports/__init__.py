"""Spreadsheet imports: read, preview every change, then apply the whole file or nothing.

    kind = imports.KINDS["progress"]
    preview = kind.preview(data, user=user, cluster=cluster)   # FileRefused, or a Preview
    apply(kind, data, user=user, cluster=cluster, digest=preview.digest(), file_name=name)

See base.py for the flow, reading.py for what files are refused, and one module per kind.
"""

from actions.spreadsheets.imports import runs
from actions.spreadsheets.imports.base import ApplyFailed, Operation, Preview, run_operations
from actions.spreadsheets.imports.companies import CompanyImport
from actions.spreadsheets.imports.errors import FileRefused
from actions.spreadsheets.imports.measurements import MeasurementImport
from actions.spreadsheets.imports.plan import PlanImport
from actions.spreadsheets.imports.progress import ProgressImport

KINDS = {
    kind.key: kind
    for kind in (ProgressImport(), MeasurementImport(), PlanImport(), CompanyImport())
}


def apply(kind, data, *, user, cluster=None, digest, previous_rows=(), file_name="", table=None):
    """Check `data` again against the database as it is now and write it all, or nothing.

    `digest` is the one of the preview the user confirmed: if the file would now do anything
    else (someone changed the data meanwhile), ApplyFailed(stale=True) carries the rows that
    changed and the new preview, and nothing is written. Returns the Preview that was applied.

    `table`, when given, is `data` as the preview read it (storage.PendingImport.table()): the
    rows are checked again against the database, but the file is not parsed again.

    Each call leaves one ImportRun (actions.models): an applied run written in the import's own
    transaction, a refused one (FileRefused, ApplyFailed) written after the data's transaction
    rolled back, so it stays when nothing else does.
    """
    run = runs.started(data, kind=kind, user=user, cluster=cluster, file_name=file_name)
    preview = None
    try:
        preview = kind.preview(data, user=user, cluster=cluster, table=table)
        stale = preview.digest() != digest
        if preview.has_errors:
            messages = stale_messages(preview, previous_rows)[:1] if stale else []
            raise ApplyFailed(messages + preview.error_messages(), stale=stale, preview=preview)
        if stale:
            raise ApplyFailed(stale_messages(preview, previous_rows), stale=True, preview=preview)
        # The run's row is the last write of the import's own transaction (run_operations).
        preview.operations.append(
            Operation(row=0, run=lambda _user: runs.record_applied(run, preview))
        )
        run_operations(preview, user=user)
    except FileRefused as refusal:
        runs.record_refused(run, None, [refusal.message])
        raise
    except ApplyFailed as failure:
        runs.record_refused(run, failure.preview or preview, failure.messages)
        raise
    return preview


def stale_messages(preview, previous_rows=()):
    """What changed since the preview the user saw: the rows that now read differently."""
    from django.utils.translation import gettext as _

    messages = [
        _(
            "Los datos cambiaron después de la vista previa (por ejemplo, alguien registró un "
            "avance o editó el plan). No se importó nada: revise la vista previa actualizada y "
            "confirme de nuevo."
        )
    ]
    before = {row["number"]: row for row in previous_rows}
    for row in preview.rows:
        now = row.as_dict()
        if row.number in before and before[row.number] != now:
            messages.append(
                _("fila %(row)s (%(label)s): cambió después de la vista previa.")
                % {"row": row.number, "label": row.label}
            )
    return messages


__all__ = ["KINDS", "ApplyFailed", "FileRefused", "Preview", "apply"]
