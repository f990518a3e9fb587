"""The tables of the spreadsheets: the columns and the words of each kind of file, shared by the
imports (which read them) and the exports (which write them), so neither depends on the other.
Nothing here reads a file or the database.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext

# Characters a spreadsheet program may read as the start of a formula (see
# actions.spreadsheets.exports).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# In the «cer» column of a template's example rows: the import skips those rows.
EXAMPLE_MARK = "ejemplo"


def normalize(text):
    """Lower case, no accents, single spaces: the form in which headers and words are compared."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("_", " ").strip().rstrip("*:").strip()
    return " ".join(plain.split())


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str
    header: str
    required: bool = True
    aliases: tuple = ()
    # The fixed set of values offered as a dropdown in the downloadable template.
    choices: tuple = ()
    example: object = ""
    help: str = ""
    # Written by our exports for the reader's benefit and ignored on import.
    informative: bool = False
    # Written as text in templates and exports, so "1.10" does not become the number 1.1.
    text_format: bool = False
    # A required column whose cells may be left empty (the column must be there, the value
    # need not).
    blank: bool = False

    def requirement(self):
        """What the column help says of it: must it be in the file, may its cells be empty."""
        if self.informative:
            return gettext("informativa")
        if not self.required:
            return gettext("no")
        if self.blank:
            return gettext("sí, la columna; la celda puede quedar vacía")
        return gettext("sí")

    def names(self):
        return {normalize(self.header), *(normalize(alias) for alias in self.aliases)}
