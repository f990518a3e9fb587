"""The progress history of a synthetic activity (actions.plan.synthetic): a consistent chain.

pending → in progress → done, blocked or cancelled, with some deadlines revised (with a reason):
each update's "old" side is the previous update's "new" side, effective dates increase, progress
never goes down, and done means 100 %.
"""

import io
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from actions.models import ProgressUpdate, Status
from actions.plan.synthetic_words import (
    BLOCKED_NOTES,
    CANCELLED_NOTES,
    PROGRESS_NOTES,
    REVISION_REASONS,
    STATUS_WEIGHTS,
    WAITING_NOTES,
)

#: The columns written by write_progress_updates, after activity_id, author_id and recorded_at.
HISTORY_FIELDS = (
    "kind",
    "effective_on",
    "old_status",
    "new_status",
    "old_progress",
    "new_progress",
    "old_revised_end",
    "new_revised_end",
    "note",
)
#: Batches of rows per INSERT, where COPY is not there (SQLite).
INSERT_BATCH = 2000


def write_progress_updates(updates, author):
    """Insert ProgressUpdate rows for ``(activity, fields of progress_history)`` pairs.

    A million of them at the national tier: as model instances through bulk_create they take
    most of the generation's time, so they are written as plain rows, with COPY on PostgreSQL
    and batched INSERTs elsewhere. The activities must be saved already. Rows are the same as
    bulk_create would write (no evidence; recorded now).
    """
    if not updates:
        return
    recorded_at = ProgressUpdate._meta.get_field("recorded_at").get_db_prep_save(
        timezone.now(), connection
    )
    rows = [
        (
            activity.pk,
            author.pk,
            recorded_at,
            *(_plain(fields[name]) for name in HISTORY_FIELDS),
            "",
            "",
        )
        for activity, fields in updates
    ]
    columns = ("activity_id", "author_id", "recorded_at", *HISTORY_FIELDS)
    columns += ("evidence", "evidence_name")
    quote = connection.ops.quote_name
    table = quote(ProgressUpdate._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text = io.StringIO("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows))
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", text)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (our names)
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


def _plain(value):
    # Dates as the databases store them; text choices as their values.
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, str) else value


def _copy_value(value):
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def sorted_days(rng, first, last, count):
    """count dates from first to last, increasing (strictly, when the span allows it)."""
    span = (last - first).days
    if span + 1 >= count:
        offsets = sorted(rng.sample(range(span + 1), count))
    else:
        offsets = sorted(rng.randint(0, max(span, 0)) for _ in range(count))
    return [first + timedelta(days=offset) for offset in offsets]


def progress_history(rng, activity, count, history_until):
    """The activity's progress history; sets the activity's current state to its end.

    Each update's "old" side is the previous update's "new" side, effective dates increase,
    progress never goes down, and done means 100 %.
    """
    started = activity.planned_start <= history_until
    if started:
        final = rng.choices(
            [status for status, _ in STATUS_WEIGHTS], [weight for _, weight in STATUS_WEIGHTS]
        )[0]
    else:
        final = Status.PENDING
    revise = (
        count > 0
        and activity.planned_end is not None
        and final not in (Status.DONE, Status.CANCELLED)
        and rng.random() < 0.25
    )
    steps = count - (1 if revise else 0)
    target = {
        Status.DONE: 100,
        Status.IN_PROGRESS: rng.randint(5, 95),
        Status.PENDING: 0,
        Status.BLOCKED: rng.randint(0, 80),
        Status.CANCELLED: rng.randint(0, 60),
    }[final]
    if steps == 0:
        final, target = Status.PENDING, 0
    # The "new" (status, progress) of each progress step, ending at (final, target).
    # (Short of 100 before the last step: an activity at 100 % is one that is done.)
    ceiling = min(target, 95)
    progress = sorted(rng.randint(0, ceiling) for _ in range(max(steps - 1, 0)))
    states = [(Status.IN_PROGRESS if value else Status.PENDING, value) for value in progress] + (
        [(final, target)] if steps else []
    )
    if final == Status.PENDING:
        states = [(Status.PENDING, 0)] * steps
    kinds = [ProgressUpdate.Kind.PROGRESS] * steps
    revised_end = None
    if revise:
        at = rng.randint(0, steps)
        states.insert(at, None)
        kinds.insert(at, ProgressUpdate.Kind.REVISION)

    first_day = activity.planned_start if started else history_until - timedelta(days=365)
    days = sorted_days(rng, first_day, history_until, count)
    history = []
    status, value = Status.PENDING, 0
    for kind, state, effective_on in zip(kinds, states, days, strict=True):
        old_status, old_progress, old_revised_end = status, value, revised_end
        if kind == ProgressUpdate.Kind.REVISION:
            revised_end = add_months(activity.planned_end, rng.randint(3, 24))
            note = rng.choice(REVISION_REASONS)
            activity.revision_reason = note
        else:
            status, value = state
            if status == Status.BLOCKED:
                note = rng.choice(BLOCKED_NOTES)
            elif status == Status.CANCELLED:
                note = rng.choice(CANCELLED_NOTES)
            elif value == old_progress and status == old_status:
                note = rng.choice(WAITING_NOTES)
            else:
                note = rng.choice(PROGRESS_NOTES)
            if status == Status.DONE and old_status != Status.DONE:
                activity.completed_on = effective_on
        history.append(
            {
                "kind": kind,
                "effective_on": effective_on,
                "old_status": old_status,
                "new_status": status,
                "old_progress": old_progress,
                "new_progress": value,
                "old_revised_end": old_revised_end,
                "new_revised_end": revised_end,
                "note": note,
            }
        )
    activity.status, activity.progress, activity.revised_end = status, value, revised_end
    activity.version = 1 + len(history)
    return history
