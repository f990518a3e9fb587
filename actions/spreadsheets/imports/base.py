"""The shape every import shares: rows read into a preview, confirmed into writes.

An import kind (progress, plan, companies, measurements) reads a Table into a Preview: one
RowResult per data row saying create / update / unchanged / error, with the old and new value of
every changed field, plus the operations that would apply it. Nothing is written while building.

The preview carries a digest of everything the user saw (each row's action and changes, and the
versions of the activities involved). Confirmation builds the preview again from the stored file
against the database as it is then; if the digest differs, something changed in between and the
import is refused as stale, nothing written. Otherwise the operations run in one transaction,
through the services (actions.progress.batch and .services for progress and measurements,
actions.plan.services for plan structure and companies): any error rolls the whole file back.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.spreadsheets.imports import reading
from actions.spreadsheets.imports.columns import headerless_cells, map_columns
from actions.spreadsheets.imports.errors import FileRefused, Issue
from actions.spreadsheets.layouts import EXAMPLE_MARK

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
# A template's example row: neither a change nor data that stays as it was.
SKIPPED = "skipped"
ACTION_LABELS = {
    CREATE: gettext_lazy("crear"),
    UPDATE: gettext_lazy("actualizar"),
    UNCHANGED: gettext_lazy("sin cambios"),
    ERROR: gettext_lazy("error"),
    SKIPPED: gettext_lazy("ejemplo, se ignora"),
}
# Shown in place of an empty old or new value.
EMPTY = "—"
# «cer» of the example rows of our templates: such a row is skipped, with a note.


def display(value):
    if value is None or value == "":
        return EMPTY
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y")
    return str(value)


@dataclass
class RowResult:
    number: int
    label: str = ""
    action: str = UNCHANGED
    changes: list = field(default_factory=list)  # [(column, old, new)] as display strings
    errors: list = field(default_factory=list)  # [Issue]
    notes: list = field(default_factory=list)  # [str]: what the user should know, not an error
    # What else must be unchanged at confirmation (e.g. the activity's version); not shown.
    token: str = ""

    def change(self, column, old, new):
        self.changes.append((str(column), display(old), display(new)))

    def error(self, message, *, column=None, value=None, show_value=True):
        self.errors.append(
            Issue(
                row=self.number, message=message, column=column, value=value, show_value=show_value
            )
        )

    @property
    def final_action(self):
        return ERROR if self.errors else self.action

    def as_dict(self):
        return {
            "number": self.number,
            "label": self.label,
            "action": self.final_action,
            "changes": [list(change) for change in self.changes],
            "errors": [str(issue) for issue in self.errors],
            "notes": list(self.notes),
            "token": self.token,
        }


@dataclass
class Preview:
    kind: str
    rows: list = field(default_factory=list)  # [RowResult]
    # Whole-file problems found after reading the rows (e.g. a CER named twice).
    errors: list = field(default_factory=list)  # [str]
    notices: list = field(default_factory=list)  # [str]
    # Callables run in order, in one transaction, by apply(); not stored.
    operations: list = field(default_factory=list)
    # The file as read (reading.Table), kept with the pending import so that the confirmation
    # checks the same cells again without parsing the file a second time; not in the digest.
    table: object = field(default=None, repr=False, compare=False)

    @property
    def has_errors(self):
        return bool(self.errors) or any(row.errors for row in self.rows)

    def counts(self):
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0, SKIPPED: 0}
        for row in self.rows:
            counts[row.final_action] += 1
        return counts

    def error_messages(self):
        messages = list(self.errors)
        for row in self.rows:
            messages.extend(str(issue) for issue in row.errors)
        return messages

    def digest(self):
        payload = json.dumps(
            {
                "kind": self.kind,
                "rows": [row.as_dict() for row in self.rows],
                "errors": self.errors,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def as_dict(self):
        return {
            "kind": self.kind,
            "rows": [row.as_dict() for row in self.rows],
            "errors": list(self.errors),
            "notices": list(self.notices),
            "counts": self.counts(),
            "digest": self.digest(),
        }


class ApplyFailed(Exception):
    """Confirmation refused; the transaction was rolled back. `messages` say why, row by row."""

    def __init__(self, messages, *, stale=False, preview=None):
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = messages
        self.stale = stale
        # The preview built at confirmation, when there is one: what the file would do now.
        self.preview = preview


class ImportKind:
    """One kind of import. Subclasses set the class attributes and implement build()."""

    key = ""
    title = ""
    description = ""
    columns = ()
    # Sheets looked for, by name, in a workbook; otherwise its first sheet is read.
    sheet_names = ()
    # Who may use it on the portal: "record" (staff of the CER and admins) or "admin".
    permission = "admin"

    def read(self, data):
        return self.checked(reading.read_table(data, preferred_sheets=self.sheet_names))

    def checked(self, table):
        """`table` with the index of its columns; FileRefused for a column problem."""
        index = map_columns(table.headers, self.columns)
        stray = headerless_cells(table.headers, table.rows)
        if stray:
            raise FileRefused(
                _(
                    "La fila %(row)s tiene datos en la columna %(column)s, que no tiene "
                    "encabezado: escriba su nombre en la fila 1 o borre esos datos."
                )
                % {"row": stray[0], "column": stray[1]}
            )
        return table, index

    def preview(self, data, *, user, cluster=None, table=None):
        """Read and validate `data` (bytes), or the `table` already read from it; FileRefused
        for a whole-file problem."""
        table, index = self.read(data) if table is None else self.checked(table)
        rows, examples = [], []
        for number, values in table.rows:
            cells = _Cells(values, index)
            if str(cells["cer"] or "").strip().casefold() == EXAMPLE_MARK:
                examples.append(number)
            else:
                rows.append((number, cells))
        preview = self.build(rows, user=user, cluster=cluster)
        if examples:
            for number in examples:
                preview.rows.append(
                    RowResult(
                        number=number,
                        label=_("fila de ejemplo"),
                        action=SKIPPED,
                        notes=[
                            _("Fila de ejemplo de la plantilla («ejemplo» en «cer»): se ignora.")
                        ],
                    )
                )
            preview.rows.sort(key=lambda row: row.number)
        preview.table = table
        return preview

    def build(self, rows, *, user, cluster):
        raise NotImplementedError

    def example_rows(self, cluster=None):
        """Rows of the downloadable template: lists in the order of `columns`."""
        return [[column.example for column in self.columns]]


class _Cells:
    """A row's values by column key; a column absent from the file reads as None."""

    __slots__ = ("_values", "_index")

    def __init__(self, values, index):
        self._values = values
        self._index = index

    def __contains__(self, key):
        return key in self._index

    def __getitem__(self, key):
        position = self._index.get(key)
        if position is None or position >= len(self._values):
            return None
        return self._values[position]


@dataclass
class Operation:
    """One write of a confirmed import: `run(user)` calls a service for row `row`.

    `columns` names the file column of each field a service's ValidationError may be keyed by,
    so its message points at the cell to fix. An operation that writes many rows at once with a
    batch service (actions.progress.batch.record_progress_many) lists them in `rows`, in the
    order of
    the service's entries, so each refused entry is reported at its row.
    """

    row: int
    run: object
    columns: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)


def run_operations(preview, *, user):
    """Apply every operation in one transaction; ApplyFailed (all rolled back) on any error.

    Each service call is itself atomic (a savepoint here), so after one refusal the others
    still run and every problem of the file is reported at once, then nothing is kept. A batch
    service checks all its entries before writing and reports every refused one at once.
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    from actions.progress.batch import BatchRefused
    from actions.versions import StaleVersion

    messages = []
    stale = False
    with transaction.atomic():
        for operation in preview.operations:
            try:
                operation.run(user)
            except BatchRefused as refusal:
                for index, error in refusal.errors.items():
                    found, was_stale = _refusal_messages(
                        error, row=operation.rows[index], columns=operation.columns
                    )
                    messages.extend(found)
                    stale = stale or was_stale
            except (StaleVersion, PermissionDenied, ValidationError) as error:
                found, was_stale = _refusal_messages(
                    error, row=operation.row, columns=operation.columns
                )
                messages.extend(found)
                stale = stale or was_stale
        if messages:
            raise ApplyFailed(messages, stale=stale)


def _refusal_messages(error, *, row, columns):
    """A service's refusal of row `row` (StaleVersion, PermissionDenied or ValidationError) as
    messages naming the row and cell: (messages, whether the row was stale)."""
    from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied

    from actions.versions import StaleVersion

    if isinstance(error, StaleVersion):
        message = _(
            "la actividad «%(code)s» cambió después de la vista previa "
            "(alguien registró un avance o la editó)."
        ) % {"code": error.activity.code}
        return [str(Issue(row=row, message=message))], True
    if isinstance(error, PermissionDenied):
        message = _("usted no puede hacer este cambio en este CER.")
        return [str(Issue(row=row, message=message))], False
    messages = []
    if hasattr(error, "error_dict"):
        for key, texts in error.message_dict.items():
            column = None if key == NON_FIELD_ERRORS else columns.get(key)
            for message in texts:
                messages.append(str(Issue(row=row, message=_lower_first(message), column=column)))
    else:
        for message in error.messages:
            messages.append(str(Issue(row=row, message=_lower_first(message))))
    return messages, False


def _lower_first(message):
    message = str(message)
    return message[:1].lower() + message[1:] if message[1:2].islower() else message
