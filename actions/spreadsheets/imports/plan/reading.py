"""Reading the plan table: its columns, how each cell is read, and the rows as items."""

from collections import defaultdict

from django.utils.translation import gettext as _

from actions.models import (
    Funding,
    Instrument,
    Involvement,
)
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.base import (
    RowResult,
)
from actions.spreadsheets.imports.errors import CellError
from actions.spreadsheets.layouts.plan import ELEMENT_WORDS, INSTRUMENT_SEPARATOR, PLAN_COLUMNS
from clusters.models import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

_ELEMENT_OPTIONS = {cells.normalize(word): key for key, word in ELEMENT_WORDS.items()}
_ELEMENT_OPTIONS.update(
    {
        "obstaculo clave": "obstacle",
        "medida potencial": "measure",
        "objetivo estrategico": "objective",
        "actividad estrategica": "activity",
        "recurso": "funding_public",
        "actor": "involved",
    }
)
FUNDING_KINDS = {"funding_public": Funding.Kind.PUBLIC, "funding_private": Funding.Kind.PRIVATE}
INVOLVEMENT_ROLES = {
    "involved": Involvement.Role.INVOLVED,
    "responsible": Involvement.Role.RESPONSIBLE,
}

MISSING = object()  # the column is not in the file: leave the field as it is

HEADERS = {column.key: column.header for column in PLAN_COLUMNS}

# "text" is a title or a one-paragraph text (objective, strategy, activity, goal, obstacle,
# measure) wherever no narrower limit is given; notes and descriptions get the longer limit.
FREE_TEXT_LIMITS = {"text": TITLE_MAX_LENGTH, "schedule_title": TITLE_MAX_LENGTH}


def max_length_of(model, name):
    return model._meta.get_field(name).max_length


def numeral(value):
    return cells.text(value).upper()


def read_element(value):
    return cells.choice(
        value, _ELEMENT_OPTIONS, labels=list(ELEMENT_WORDS.values()), what=_("un elemento")
    )


def read_instruments(value):
    names = []
    for part in cells.text(value).split(INSTRUMENT_SEPARATOR):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(cells.limited(name, max_length_of(Instrument, "name")))
    return names


def name_key(name):
    return " ".join(str(name).split())


def limited_text(value, *, max_length=None):
    return cells.limited(cells.text(value), max_length)


def lower_first(message):
    return message[:1].lower() + message[1:]


def shown(value):
    if isinstance(value, list):
        return "; ".join(value)
    return value


FIELD_LABELS = {
    "name": "texto",
    "title": "texto",
    "text": "texto",
    "numeral": HEADERS["objective"],
    "number": HEADERS["strategy"],
    "code": HEADERS["code"],
    "position": HEADERS["position"],
    "committed_period_text": HEADERS["period"],
    "committed_start": HEADERS["start"],
    "committed_end": HEADERS["end"],
    "planned_start": HEADERS["start"],
    "planned_end": HEADERS["end"],
    "target_value": HEADERS["target_value"],
    "unit": HEADERS["unit"],
    "due": HEADERS["due"],
    "share_percent": HEADERS["share"],
    "source_code": HEADERS["source_code"],
    "schedule_title": HEADERS["schedule_title"],
    "sector": HEADERS["sector"],
    "region": HEADERS["region"],
    "description": HEADERS["description"],
    "source": HEADERS["source"],
    "correction_note": HEADERS["correction_note"],
    "slug": HEADERS["cer"],
    "kind": HEADERS["element"],
    "role": HEADERS["element"],
}


def field_label(model, name):
    return FIELD_LABELS.get(name, name)


class Item:
    """One row of the file being read: its result, its cells and its CER."""

    __slots__ = ("result", "row", "slug", "element")

    def __init__(self, result, row, slug, element):
        self.result = result
        self.row = row
        self.slug = slug
        self.element = element


class Target:
    """What a row will leave in the database: enough for its children to find their parent."""

    def __init__(self, key, instance=None, **final):
        self.key = key
        self.instance = instance  # the existing object, None when the row creates it
        self.final = final


class ReadingMixin:
    """Rows into items, and cells into values (MISSING when the column is absent)."""

    def _read_rows(self, rows):
        items = defaultdict(list)
        for number, row in rows:
            result = RowResult(number=number)
            self.preview.rows.append(result)
            slug = cells.text(row["cer"])
            if not slug:
                result.error(
                    _("está vacía; indique el identificador del CER."),
                    column="cer",
                    show_value=False,
                )
            try:
                element = read_element(row["element"])
            except CellError as error:
                result.error(
                    error.problem,
                    column="elemento",
                    value=row["element"],
                    show_value=error.show_value,
                )
                continue
            if slug:
                items[element].append(Item(result, row, slug, element))
        return items

    def _get(self, item, key, reader=cells.text, *, required=False, **options):
        """The cell's value read by `reader`; MISSING when the column is absent; None on error."""
        column = HEADERS[key]
        word = ELEMENT_WORDS[item.element]
        if key not in item.row:
            if required:
                item.result.error(
                    _(
                        "falta esta columna en el archivo; es obligatoria para las filas "
                        "«%(element)s»."
                    )
                    % {"element": word},
                    column=column,
                    show_value=False,
                )
                return None
            return MISSING
        raw = item.row[key]
        if cells.text(raw) == "":
            if required:
                item.result.error(
                    _("está vacía; es obligatoria para las filas «%(element)s».")
                    % {"element": word},
                    column=column,
                    show_value=False,
                )
                return None
            return "" if reader in (cells.text, limited_text) else None
        if reader in (cells.text, limited_text) and "max_length" not in options:
            # Free text without a narrower limit of its own: the models' (clusters.models).
            reader, options = (
                limited_text,
                {"max_length": FREE_TEXT_LIMITS.get(key, TEXT_MAX_LENGTH)},
            )
        try:
            return reader(raw, **options)
        except CellError as error:
            item.result.error(error.problem, column=column, value=raw, show_value=error.show_value)
            return None

    def _position(self, item, parent, current):
        """«orden»: given, else the current one, else after the last of its parent."""
        value = self._get(item, "position", cells.integer, minimum=1, maximum=32767)
        if value is None and item.result.errors:
            return None
        if value in (MISSING, None):
            if current is not None:
                return current
            value = self.next_position[parent] + 1
        self._taken(parent, value)
        return value

    def _common(self, item, model, values):
        """«fuente» and «nota de corrección» of models traced to the source."""
        source = self._get(item, "source", limited_text, max_length=max_length_of(model, "source"))
        note = self._get(item, "correction_note")
        if source is not MISSING and source is not None:
            values["source"] = source
        if note is not MISSING and note is not None:
            values["correction_note"] = note
