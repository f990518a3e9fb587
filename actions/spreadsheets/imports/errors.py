"""What an import says when it refuses something, in words a spreadsheet user can act on.

Two levels: a whole file refused before any row is read (FileRefused: not a spreadsheet,
corrupt, too big, missing columns…), and a problem in one cell or one row (Issue), reported as
"fila 14, columna «estado»: «terminado» no es un estado válido; use …". Row numbers are the ones
the spreadsheet program shows: the header is row 1, the first data row is row 2.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

# A long value is shortened in messages; the user recognises it from its beginning.
VALUE_SHOWN_CHARS = 60


class FileRefused(Exception):
    """The file as a whole cannot be imported; nothing was read from it and nothing written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CellError(ValueError):
    """A value that cannot be read: `problem` completes "«value» …" (or stands alone)."""

    def __init__(self, problem, *, show_value=True):
        super().__init__(problem)
        self.problem = problem
        self.show_value = show_value


def shown(value):
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    if len(text) > VALUE_SHOWN_CHARS:
        text = text[: VALUE_SHOWN_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class Issue:
    """One problem of one row, optionally in one column, optionally about the value found."""

    row: int
    message: str
    column: str | None = None
    value: object = None
    show_value: bool = True

    def __str__(self):
        params = {"row": self.row, "column": self.column, "problem": self.message}
        if self.column is None:
            return _("fila %(row)s: %(problem)s") % params
        if self.show_value and self.value not in (None, ""):
            return _("fila %(row)s, columna «%(column)s»: «%(value)s» %(problem)s") % {
                **params,
                "value": shown(self.value),
            }
        return _("fila %(row)s, columna «%(column)s»: %(problem)s") % params

    @classmethod
    def from_cell_error(cls, row, column, value, error):
        return cls(
            row=row,
            column=column,
            value=value,
            message=error.problem,
            show_value=error.show_value,
        )
