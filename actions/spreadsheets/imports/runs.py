"""The audit row of each confirmed import (actions.models.ImportRun)."""

import hashlib

from django.db import transaction
from django.utils import timezone

from actions.models import ImportRun
from actions.spreadsheets.imports.base import CREATE, ERROR, UNCHANGED, UPDATE

# How many of a refusal's messages the row keeps (the first ones say what to fix first).
REASON_MESSAGES = 20


def started(data, *, kind, user, cluster, file_name):
    """An unsaved ImportRun for `data` (the uploaded bytes), started now."""
    return ImportRun(
        user=user if getattr(user, "pk", None) else None,
        kind=kind.key,
        cluster=cluster,
        file_name=(file_name or "")[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        started_at=timezone.now(),
    )


def _finish(run, preview, outcome, reason=""):
    counts = preview.counts() if preview is not None else {}
    run.created = counts.get(CREATE, 0)
    run.updated = counts.get(UPDATE, 0)
    run.unchanged = counts.get(UNCHANGED, 0)
    run.refused = counts.get(ERROR, 0)
    run.outcome = outcome
    # The first messages say why; the limit keeps a file of many bad rows within the column.
    run.reason = reason[: ImportRun._meta.get_field("reason").max_length]
    run.finished_at = timezone.now()
    run.full_clean(exclude={"user", "cluster"})
    run.save()
    return run


def record_applied(run, preview):
    """Called inside the import's transaction: the row commits, or rolls back, with the data."""
    return _finish(run, preview, ImportRun.Outcome.APPLIED)


def record_refused(run, preview, messages):
    """Called after the import's transaction rolled back: its own transaction."""
    reason = "\n".join(str(message) for message in list(messages)[:REASON_MESSAGES])
    with transaction.atomic():
        return _finish(run, preview, ImportRun.Outcome.REFUSED, reason)
