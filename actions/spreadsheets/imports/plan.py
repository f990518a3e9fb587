"""Plan-structure import: a CER's whole plan, or a revised one, from one table.

The table («Estructura», one row per item) is the one the plan workbook export writes beside its
human-readable sheets, so exporting a plan and importing the file gives the same plan. Each row
says what it is in «elemento»:

    cer · obstáculo · medida · objetivo · estrategia · actividad · meta · recurso público ·
    recurso privado · actor involucrado · responsable

and is matched by CER and its code: objetivo by «objetivo» (I, II…), estrategia by «estrategia»
(its number), actividad by «código», meta / recurso by «estrategia» and «orden», actor by
«estrategia» and its name («texto»), obstáculo by «orden», medida by «obstáculo» and «orden».
A match is updated, anything else is created, and nothing is deleted: importing the same file
twice changes nothing the second time.

A column left out of the file leaves that field as it is; a column present is the value to have
(an empty cell empties the field). A strategy's committed period keeps the report's text
verbatim: its dates are «inicio» and «término» when given, otherwise read from the text
(actions.plan.periods), and text that cannot be read is an error. An activity without dates takes
its
strategy's period. Status, progress and revised end are set for new activities only (through
actions.progress.services, so their history starts there); an existing activity's progress is
recorded with
the progress import, and is left alone here.
"""

from collections import defaultdict

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    Instrument,
    Involvement,
    Objective,
    Status,
    Strategy,
)
from actions.plan.periods import PeriodError, parse_period
from actions.progress import services
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports import services as import_services
from actions.spreadsheets.imports.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportKind,
    Operation,
    Preview,
    RowResult,
)
from actions.spreadsheets.imports.columns import Column
from actions.spreadsheets.imports.errors import CellError
from actions.spreadsheets.imports.progress import read_status, status_word
from clusters.models import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Cluster, Measure, Obstacle

# «elemento»: the words accepted (normalised) and the one written.
ELEMENT_WORDS = {
    "cer": "cer",
    "obstacle": "obstáculo",
    "measure": "medida",
    "objective": "objetivo",
    "strategy": "estrategia",
    "activity": "actividad",
    "goal": "meta",
    "funding_public": "recurso público",
    "funding_private": "recurso privado",
    "involved": "actor involucrado",
    "responsible": "responsable",
}
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
# Several instruments of one funding line are separated by this in «instrumentos».
INSTRUMENT_SEPARATOR = ";"

MISSING = object()  # the column is not in the file: leave the field as it is

_help = gettext_lazy

PLAN_COLUMNS = (
    Column("cer", "cer", example="metalmecanica", help=_help("Identificador del CER.")),
    Column(
        "element",
        "elemento",
        choices=tuple(ELEMENT_WORDS.values()),
        example="actividad",
        help=_help("Qué es la fila (ver la lista)."),
    ),
    Column(
        "objective",
        "objetivo",
        example="I",
        text_format=True,
        help=_help("Numeral del objetivo (I, II…): su clave, y el objetivo de una estrategia."),
    ),
    Column(
        "strategy",
        "estrategia",
        example=4,
        help=_help("Número de la estrategia: su clave, y la de sus actividades, metas, recursos…"),
    ),
    Column(
        "code",
        "código",
        example="4.2",
        text_format=True,
        help=_help("Código de la actividad (escríbalo como texto)."),
    ),
    Column(
        "position",
        "orden",
        example=2,
        help=_help(
            "Posición: de un objetivo, una actividad o un actor en su lista; la clave de una "
            "meta, un recurso, un obstáculo o una medida."
        ),
    ),
    Column(
        "obstacle",
        "obstáculo",
        required=False,
        example="",
        help=_help("Para una medida: el «orden» de su obstáculo."),
    ),
    Column(
        "text",
        "texto",
        example="Misión tecnológica a Alemania",
        help=_help(
            "El nombre o texto del elemento, tal como lo escribe el plan (del CER, su nombre; "
            "de un actor, su nombre)."
        ),
    ),
    Column(
        "period",
        "plazo comprometido",
        required=False,
        example="",
        help=_help(
            "Estrategia: el plazo tal como lo escribe el plan, p. ej. «2007- 2011 (5 AÑOS)»."
        ),
    ),
    Column(
        "start",
        "inicio",
        required=False,
        example="2007-01-01",
        help=_help(
            "Estrategia o actividad: fecha de inicio. Vacías «inicio» y «término», una "
            "estrategia las lee de su plazo y una actividad toma las de su estrategia."
        ),
    ),
    Column(
        "end",
        "término",
        required=False,
        example="2011-12-31",
        help=_help("Fecha de término; vacía con «inicio» lleno: plazo abierto («en adelante»)."),
    ),
    Column(
        "status",
        "estado",
        required=False,
        choices=("pendiente", "en curso", "completada", "bloqueada", "cancelada"),
        example="pendiente",
        help=_help("Actividad nueva: estado inicial (vacío: pendiente)."),
    ),
    Column(
        "progress",
        "avance",
        required=False,
        example=0,
        help=_help("Actividad nueva: avance inicial, 0 a 100."),
    ),
    Column(
        "revised_end",
        "término revisado",
        required=False,
        example="",
        help=_help("Actividad nueva: término revisado, con su motivo."),
    ),
    Column(
        "revision_reason",
        "motivo de la revisión",
        required=False,
        example="",
        help=_help("Motivo del término revisado."),
    ),
    Column(
        "target_value",
        "valor objetivo",
        required=False,
        example="",
        help=_help("Meta con indicador: el valor a alcanzar (con su unidad)."),
    ),
    Column("unit", "unidad", required=False, example="", help=_help("Meta: unidad del valor.")),
    Column(
        "due",
        "fecha comprometida",
        required=False,
        example="",
        help=_help("Meta: fecha en que se debe alcanzar."),
    ),
    Column(
        "share",
        "porcentaje",
        required=False,
        example="",
        help=_help("Recurso: el porcentaje que cubre, como número de 0 a 100."),
    ),
    Column(
        "instruments",
        "instrumentos",
        required=False,
        example="",
        help=_help("Recurso: instrumentos de fomento, separados por «;» (p. ej. PROFO; PDP)."),
    ),
    Column(
        "source_code",
        "código en el informe",
        required=False,
        example="",
        text_format=True,
        help=_help("Actividad: el código del informe, si difiere del corregido."),
    ),
    Column(
        "schedule_title",
        "texto en la matriz de plazos",
        required=False,
        example="",
        help=_help("Actividad: cómo la nombra la matriz de plazos (Tablas 5-6)."),
    ),
    Column("sector", "sector", required=False, example="", help=_help("CER: sector.")),
    Column("region", "región", required=False, example="", help=_help("CER: región.")),
    Column(
        "description", "descripción", required=False, example="", help=_help("CER: descripción.")
    ),
    Column(
        "source",
        "fuente",
        required=False,
        example="Tabla N°3",
        help=_help("Dónde está en el informe de origen."),
    ),
    Column(
        "correction_note",
        "nota de corrección",
        required=False,
        example="",
        help=_help("Errata del informe y cómo se corrigió."),
    ),
)
HEADERS = {column.key: column.header for column in PLAN_COLUMNS}


# "text" is a title or a one-paragraph text (objective, strategy, activity, goal, obstacle,
# measure) wherever no narrower limit is given; notes and descriptions get the longer limit.
FREE_TEXT_LIMITS = {"text": TITLE_MAX_LENGTH, "schedule_title": TITLE_MAX_LENGTH}


def _max_length(model, name):
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
            names.append(cells.limited(name, _max_length(Instrument, "name")))
    return names


class _Item:
    """One row of the file being read: its result, its cells and its CER."""

    __slots__ = ("result", "row", "slug", "element")

    def __init__(self, result, row, slug, element):
        self.result = result
        self.row = row
        self.slug = slug
        self.element = element


class _Target:
    """What a row will leave in the database: enough for its children to find their parent."""

    def __init__(self, key, instance=None, **final):
        self.key = key
        self.instance = instance  # the existing object, None when the row creates it
        self.final = final


class PlanImport(ImportKind):
    key = "plan"
    title = gettext_lazy("Estructura del plan")
    description = gettext_lazy(
        "El plan de uno o más CER, una fila por elemento: CER, obstáculos y medidas, objetivos, "
        "estrategias con su plazo comprometido, actividades, metas con indicadores, recursos "
        "públicos y privados, actores involucrados y responsables. Es la hoja «Estructura» del "
        "libro que exporta el plan: exportar e importar da el mismo plan."
    )
    columns = PLAN_COLUMNS
    sheet_names = ("Estructura",)
    permission = "admin"

    def build(self, rows, *, user, cluster):
        return _PlanBuilder(page_cluster=cluster).build(rows)

    def example_rows(self, cluster=None):
        slug = cluster.slug if cluster is not None else "metalmecanica"
        examples = [
            {"element": "cer", "text": cluster.name if cluster else "CER Metalmecánica"},
            {"element": "objetivo", "objective": "I", "position": 1, "text": "Desarrollar …"},
            {
                "element": "estrategia",
                "objective": "I",
                "strategy": 4,
                "text": "Misiones tecnológicas",
                "period": "2007- 2011 (5 AÑOS)",
                "source": "Tabla N°3; Tabla N°5",
            },
            {
                "element": "actividad",
                "strategy": 4,
                "code": "4.2",
                "position": 2,
                "text": "Misión tecnológica a Alemania",
                "status": "pendiente",
                "progress": 0,
            },
            {
                "element": "meta",
                "strategy": 4,
                "position": 1,
                "text": "10 empresas participan en misiones",
                "target_value": 10,
                "unit": "empresas",
                "due": "2011-12-31",
            },
            {
                "element": "recurso público",
                "strategy": 4,
                "position": 1,
                "text": "Instrumento PROFO (50% del costo)",
                "share": 50,
                "instruments": "PROFO",
            },
            {"element": "recurso privado", "strategy": 4, "position": 1, "text": "Empresas"},
            {"element": "actor involucrado", "strategy": 4, "position": 1, "text": "CORFO"},
            {"element": "responsable", "strategy": 4, "position": 1, "text": "Director CER"},
        ]
        return [
            [({"cer": slug} | example).get(column.key, "") for column in PLAN_COLUMNS]
            for example in examples
        ]


class _PlanBuilder:
    def __init__(self, *, page_cluster):
        self.page_cluster = page_cluster
        self.preview = Preview(kind=PlanImport.key)
        self.today = timezone.localdate()
        # (element, key) → _Target, for the rows of the file
        self.targets = {}
        self.first_row = {}
        self.next_position = defaultdict(int)
        self._pending = []
        # Ids by key of everything an operation may need as a parent: filled with the database's
        # objects here, and with the objects the import creates as its operations run.
        self.registry = {}

    # Reading -----------------------------------------------------------------------------------

    def build(self, rows):
        items = self._read_rows(rows)
        self._load(items)
        for element, method in (
            ("cer", self._cluster),
            ("objective", self._objective),
            ("strategy", self._strategy),
            ("activity", self._activity),
            ("goal", self._goal),
            ("funding_public", self._funding),
            ("funding_private", self._funding),
            ("involved", self._involvement),
            ("responsible", self._involvement),
            ("obstacle", self._obstacle),
            ("measure", self._measure),
        ):
            for item in items[element]:
                if not item.result.errors:
                    method(item)
        self._check_objective_positions()
        self._kept_notices()
        self._order_operations()
        return self.preview

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
                items[element].append(_Item(result, row, slug, element))
        return items

    def _load(self, items):
        """Everything the file may match, in a fixed number of queries."""
        file_slugs = {item.slug for group in items.values() for item in group}
        if self.page_cluster is not None:
            in_scope = [self.page_cluster]
        else:
            in_scope = list(Cluster.objects.filter(slug__in=file_slugs))
        self.clusters = {cluster.slug: cluster for cluster in in_scope}
        self.cluster_names = {
            cells.normalize(name): slug
            for slug, name in Cluster.objects.values_list("slug", "name")
        }
        self.all_slugs = set(self.cluster_names.values())
        ids = {cluster.id: cluster.slug for cluster in in_scope}
        self.cer_rows = {item.slug for item in items["cer"]}

        def slug_of(instance):
            return ids[instance.cluster_id]

        self.db_objectives = {
            (slug_of(o), o.numeral.strip().upper()): o
            for o in Objective.objects.filter(cluster_id__in=ids)
        }
        self.db_strategies = {
            (slug_of(s), s.number): s
            for s in Strategy.objects.filter(cluster_id__in=ids).select_related("objective")
        }
        self.db_activities = {
            (slug_of(a), a.code): a
            for a in Activity.objects.filter(cluster_id__in=ids).select_related("strategy")
        }
        self.db_goals = {
            (ids[g.strategy.cluster_id], g.strategy.number, g.position): g
            for g in Goal.objects.filter(strategy__cluster_id__in=ids).select_related("strategy")
        }
        self.db_funding = {
            (ids[f.strategy.cluster_id], f.strategy.number, f.kind, f.position): f
            for f in Funding.objects.filter(strategy__cluster_id__in=ids)
            .select_related("strategy")
            .prefetch_related("instruments")
        }
        self.db_involvements = {
            (
                ids[i.strategy.cluster_id],
                i.strategy.number,
                i.role,
                _name_key(i.actor.name),
            ): i
            for i in Involvement.objects.filter(strategy__cluster_id__in=ids).select_related(
                "strategy", "actor"
            )
        }
        self.db_obstacles = {
            (slug_of(o), o.position): o for o in Obstacle.objects.filter(cluster_id__in=ids)
        }
        self.db_measures = {
            (ids[m.obstacle.cluster_id], m.obstacle.position, m.position): m
            for m in Measure.objects.filter(obstacle__cluster_id__in=ids).select_related("obstacle")
        }
        for cluster in in_scope:
            self.registry[("cer", cluster.slug)] = cluster.pk
        for element, objects in (
            ("objective", self.db_objectives),
            ("strategy", self.db_strategies),
            ("obstacle", self.db_obstacles),
            ("activity", self.db_activities),
        ):
            for key, instance in objects.items():
                self.registry[(element, *key)] = instance.pk
        # Names are matched exactly (spacing aside): the plan has both «PRO CHILE» and «Pro Chile».
        self.actors = {_name_key(a.name): a for a in Actor.objects.all()}
        self.instruments = {_name_key(i.name): i for i in Instrument.objects.all()}
        # Positions already taken, per parent, so a new item without «orden» goes last.
        for (slug, _numeral), objective in self.db_objectives.items():
            self._taken(("objective", slug), objective.position)
        for (slug, _code), activity in self.db_activities.items():
            self._taken(("activity", slug, activity.strategy.number), activity.position)
        for (slug, number, role, _name), involvement in self.db_involvements.items():
            self._taken(("involvement", slug, number, role), involvement.position)

    def _taken(self, parent, position):
        self.next_position[parent] = max(self.next_position[parent], position)

    # Cell helpers ------------------------------------------------------------------------------

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
            return "" if reader in (cells.text, _text) else None
        if reader in (cells.text, _text) and "max_length" not in options:
            # Free text without a narrower limit of its own: the models' (clusters.models).
            reader, options = _text, {"max_length": FREE_TEXT_LIMITS.get(key, TEXT_MAX_LENGTH)}
        try:
            return reader(raw, **options)
        except CellError as error:
            item.result.error(error.problem, column=column, value=raw, show_value=error.show_value)
            return None

    def _cluster_of(self, item):
        """The CER of a non-«cer» row: in the database (in scope) or created by the file."""
        known = item.slug in self.clusters or item.slug in self.cer_rows
        if known and (self.page_cluster is None or item.slug == self.page_cluster.slug):
            return item.slug
        if self.page_cluster is not None:
            message = _(
                "no es el CER de esta página: aquí solo se importan filas de «%(name)s» (%(slug)s)."
            ) % {"name": self.page_cluster.name, "slug": self.page_cluster.slug}
        else:
            message = _(
                "no es un CER conocido; agregue al archivo una fila de elemento «cer» con este "
                "identificador para crearlo, o use uno de: %(slugs)s."
            ) % {"slugs": ", ".join(sorted(self.all_slugs)[:12]) or "—"}
        item.result.error(message, column="cer", value=item.slug)
        return None

    def _unique(self, item, element, key, label):
        first = self.first_row.setdefault((element, key), item.result.number)
        if first != item.result.number:
            item.result.error(
                _("%(what)s ya aparece en la fila %(row)s: deje una sola fila para cada uno.")
                % {"what": label, "row": first}
            )
            return False
        return True

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
        source = self._get(item, "source", _text, max_length=_max_length(model, "source"))
        note = self._get(item, "correction_note")
        if source is not MISSING and source is not None:
            values["source"] = source
        if note is not MISSING and note is not None:
            values["correction_note"] = note

    def _record(self, item, model, instance, values, *, label, extra_changes=(), **operation):
        """The row's action and changes, and the operation that writes it."""
        result = item.result
        result.label = label
        if instance is None:
            result.action = CREATE
            for name, value in values.items():
                if value not in ("", None) and name not in ("kind", "role"):
                    result.change(_field_label(model, name), "", _shown(value))
        else:
            for name, value in values.items():
                old = getattr(instance, name)
                if old != value:
                    result.change(_field_label(model, name), _shown(old), _shown(value))
            result.action = UPDATE if result.changes else UNCHANGED
        for column, old, new in extra_changes:
            result.change(column, old, new)
            if result.action == UNCHANGED:
                result.action = UPDATE
        if result.errors:
            return
        operation.setdefault("element", item.element)
        operation.update(model=model, instance=instance, values=values, row=result.number)
        operation["write"] = result.action != UNCHANGED
        self._pending.append(operation)

    # Elements ----------------------------------------------------------------------------------

    def _cluster(self, item):
        result = item.result
        if self.page_cluster is not None and item.slug != self.page_cluster.slug:
            self._cluster_of(item)
            return
        if item.slug != slugify(item.slug) or len(item.slug) > _max_length(Cluster, "slug"):
            result.error(
                _(
                    "no sirve como identificador de CER: use solo minúsculas sin tildes, números "
                    "y guiones (p. ej. «metalmecanica»)."
                ),
                column="cer",
                value=item.slug,
            )
            return
        if not self._unique(item, "cer", item.slug, _("El CER «%s»") % item.slug):
            return
        instance = self.clusters.get(item.slug)
        if instance is None and item.slug in self.all_slugs:
            # It exists but is outside this page's scope (admin import pages have every CER).
            self._cluster_of(item)
            return
        values = {"slug": item.slug}
        name = self._get(
            item, "text", _text, required=True, max_length=_max_length(Cluster, "name")
        )
        if name is None:
            return
        values["name"] = name
        holder = self.cluster_names.get(cells.normalize(name))
        if holder is not None and holder != item.slug:
            result.error(
                _("ya es el nombre del CER «%(slug)s»: cada CER tiene un nombre distinto.")
                % {"slug": holder},
                column="texto",
                value=name,
            )
            return
        self.cluster_names[cells.normalize(name)] = item.slug  # two new CERs, one name: refused
        for key, field_name in (("sector", "sector"), ("region", "region")):
            value = self._get(item, key, _text, max_length=_max_length(Cluster, field_name))
            if value is not MISSING and value is not None:
                values[field_name] = value
        description = self._get(item, "description")
        if description is not MISSING and description is not None:
            values["description"] = description
        self._common(item, Cluster, values)
        if instance is None:
            values = {"sector": "", "region": "", "description": "", **values}
        else:
            values.pop("slug")
        self._record(
            item, Cluster, instance, values, label=_("CER «%s»") % item.slug, key=("cer", item.slug)
        )

    def _objective(self, item):
        slug = self._cluster_of(item)
        key_numeral = self._get(item, "objective", numeral, required=True)
        if slug is None or not key_numeral:
            return
        if len(key_numeral) > _max_length(Objective, "numeral"):
            item.result.error(
                _("es demasiado largo para un numeral."), column="objetivo", value=key_numeral
            )
            return
        label = _("objetivo %(numeral)s de %(cer)s") % {"numeral": key_numeral, "cer": slug}
        if not self._unique(item, "objective", (slug, key_numeral), label.capitalize()):
            return
        instance = self.db_objectives.get((slug, key_numeral))
        position = self._position(item, ("objective", slug), instance and instance.position)
        title = self._get(item, "text", required=True)
        if position is None or title is None:
            return
        values = {"numeral": key_numeral, "position": position, "title": title}
        self._common(item, Objective, values)
        if instance is not None:
            values.pop("numeral")
        self.targets[("objective", (slug, key_numeral))] = _Target(
            (slug, key_numeral), instance, position=position
        )
        self._record(
            item,
            Objective,
            instance,
            values,
            label=label,
            key=("objective", slug, key_numeral),
            cluster=slug,
        )

    def _strategy(self, item):
        slug = self._cluster_of(item)
        number = self._get(item, "strategy", cells.integer, required=True, minimum=1, maximum=32767)
        parent_numeral = self._get(item, "objective", numeral, required=True)
        if slug is None or number is None or not parent_numeral:
            return
        label = _("estrategia %(number)s de %(cer)s") % {"number": number, "cer": slug}
        if not self._unique(item, "strategy", (slug, number), label.capitalize()):
            return
        if not self._exists("objective", (slug, parent_numeral)):
            item.result.error(
                _("no es un objetivo del CER «%(cer)s» (ni está en el archivo).") % {"cer": slug},
                column="objetivo",
                value=parent_numeral,
            )
            return
        instance = self.db_strategies.get((slug, number))
        title = self._get(item, "text", required=True)
        if title is None:
            return
        values = {"number": number, "title": title}
        period = self._period(item, instance)
        if period is None:
            return
        values.update(period)
        self._common(item, Strategy, values)
        objective_changes = ()
        if instance is not None:
            values.pop("number")
            old_numeral = instance.objective.numeral.strip().upper()
            if old_numeral != parent_numeral:
                objective_changes = ((HEADERS["objective"], old_numeral, parent_numeral),)
        final = {
            name: values.get(name, getattr(instance, name, None))
            for name in ("committed_start", "committed_end")
        }
        self.targets[("strategy", (slug, number))] = _Target((slug, number), instance, **final)
        self._record(
            item,
            Strategy,
            instance,
            values,
            label=label,
            extra_changes=objective_changes,
            key=("strategy", slug, number),
            parents={"objective": ("objective", slug, parent_numeral)},
            cluster=slug,
        )

    def _period(self, item, instance):
        text = self._get(
            item, "period", _text, max_length=_max_length(Strategy, "committed_period_text")
        )
        start = self._get(item, "start", cells.date)
        end = self._get(item, "end", cells.date)
        if item.result.errors:
            return None
        values = {}
        if text is not MISSING:
            values["committed_period_text"] = text
        dates_given = start not in (MISSING, None) or end not in (MISSING, None)
        if dates_given:
            values["committed_start"] = None if start is MISSING else start
            values["committed_end"] = None if end is MISSING else end
        elif text not in (MISSING, ""):
            try:
                period = parse_period(text)
            except PeriodError as error:
                item.result.error(
                    _("%(error)s O escriba las fechas en «inicio» y «término».")
                    % {"error": _lower(str(error))},
                    column=HEADERS["period"],
                    show_value=False,
                )
                return None
            values["committed_start"], values["committed_end"] = period.start, period.end
        elif instance is None or start is not MISSING or end is not MISSING or text is not MISSING:
            values["committed_start"] = values["committed_end"] = None
        start, end = values.get("committed_start"), values.get("committed_end")
        if start and end and end < start:
            item.result.error(
                _("es anterior al inicio (%(start)s).") % {"start": start.strftime("%d-%m-%Y")},
                column=HEADERS["end"],
                value=end.strftime("%d-%m-%Y"),
            )
            return None
        return values

    def _exists(self, element, key):
        databases = {
            "objective": self.db_objectives,
            "strategy": self.db_strategies,
            "obstacle": self.db_obstacles,
        }
        return (element, key) in self.targets or key in databases[element]

    def _strategy_dates(self, slug, number):
        target = self.targets.get(("strategy", (slug, number)))
        if target is not None:
            return target.final["committed_start"], target.final["committed_end"]
        strategy = self.db_strategies[(slug, number)]
        return strategy.committed_start, strategy.committed_end

    def _strategy_parent(self, item, slug):
        number = self._get(item, "strategy", cells.integer, required=True, minimum=1, maximum=32767)
        if number is None or slug is None:
            return None
        if not self._exists("strategy", (slug, number)):
            item.result.error(
                _("no es una estrategia del CER «%(cer)s» (ni está en el archivo).")
                % {"cer": slug},
                column="estrategia",
                value=number,
            )
            return None
        return number

    def _activity(self, item):
        slug = self._cluster_of(item)
        code = self._get(
            item, "code", _text, required=True, max_length=_max_length(Activity, "code")
        )
        number = self._strategy_parent(item, slug)
        if slug is None or not code or number is None:
            return
        label = _("actividad %(code)s de %(cer)s") % {"code": code, "cer": slug}
        if not self._unique(item, "activity", (slug, code), label.capitalize()):
            return
        instance = self.db_activities.get((slug, code))
        position = self._position(
            item, ("activity", slug, number), instance.position if instance else None
        )
        title = self._get(item, "text", required=True)
        if position is None or title is None:
            return
        values = {"code": code, "position": position, "title": title}
        for key, field_name in (
            ("source_code", "source_code"),
            ("schedule_title", "schedule_title"),
        ):
            reader_options = (
                {"max_length": _max_length(Activity, field_name)}
                if field_name == "source_code"
                else {}
            )
            value = self._get(item, key, _text, **reader_options)
            if value is not MISSING and value is not None:
                values[field_name] = value
        start = self._get(item, "start", cells.date)
        end = self._get(item, "end", cells.date)
        if item.result.errors:
            return
        if start not in (MISSING, None) or end not in (MISSING, None):
            values["planned_start"] = None if start is MISSING else start
            values["planned_end"] = None if end is MISSING else end
        elif instance is None or start is not MISSING or end is not MISSING:
            values["planned_start"], values["planned_end"] = self._strategy_dates(slug, number)
        planned_start, planned_end = values.get("planned_start"), values.get("planned_end")
        if planned_start and planned_end and planned_end < planned_start:
            item.result.error(
                _("es anterior al inicio (%(start)s).")
                % {"start": planned_start.strftime("%d-%m-%Y")},
                column=HEADERS["end"],
                value=planned_end.strftime("%d-%m-%Y"),
            )
            return
        self._common(item, Activity, values)
        progress = self._initial_progress(item, instance, values)
        if progress is None:
            return
        strategy_changes = ()
        if instance is not None:
            values.pop("code")
            item.result.token = str(instance.version)
            if instance.strategy.number != number:
                strategy_changes = ((HEADERS["strategy"], instance.strategy.number, number),)
        self._record(
            item,
            Activity,
            instance,
            values,
            label=label,
            extra_changes=strategy_changes + progress["changes"],
            key=("activity", slug, code),
            parents={"strategy": ("strategy", slug, number)},
            cluster=slug,
            progress=progress if instance is None else None,
            expected_version=instance.version if instance is not None else None,
        )

    def _initial_progress(self, item, instance, values):
        """Status, progress and revised end of a new activity; a note for an existing one."""
        status = self._get(item, "status", read_status)
        progress = self._get(item, "progress", cells.integer, minimum=0, maximum=100)
        revised_end = self._get(item, "revised_end", cells.date)
        reason = self._get(item, "revision_reason")
        if item.result.errors:
            return None
        status = None if status is MISSING else status
        progress = None if progress is MISSING else progress
        revised_end = None if revised_end is MISSING else revised_end
        reason = "" if reason in (MISSING, None) else reason
        if instance is not None:
            differs = (
                (status is not None and status != instance.status)
                or (progress is not None and progress != instance.progress)
                or (revised_end is not None and revised_end != instance.revised_end)
            )
            if differs:
                item.result.notes.append(
                    _(
                        "El estado, el avance y el término revisado de una actividad que ya "
                        "existe no se cambian con el plan (se ignoran aquí): regístrelos con la "
                        "importación de avances o el formulario de la actividad."
                    )
                )
            return {"changes": ()}
        status = status or (Status.DONE if progress == 100 else Status.PENDING)
        if progress is None:
            progress = 100 if status == Status.DONE else 0
        note = _("Estado inicial, cargado con el plan desde una planilla.")
        errors = services.progress_rule_errors(
            services.ProgressChange(
                old_status=Status.PENDING,
                new_status=status,
                old_progress=0,
                new_progress=progress,
                note=note,
                has_evidence=False,
            )
        )
        columns = {"status": HEADERS["status"], "progress": HEADERS["progress"]}
        for key, messages in errors.items():
            if key in columns:
                for message in messages:
                    item.result.error(_lower(str(message)), column=columns[key], show_value=False)
        if revised_end is not None:
            if not reason:
                item.result.error(
                    _("está vacía; un término revisado lleva su motivo."),
                    column=HEADERS["revision_reason"],
                    show_value=False,
                )
            start = values.get("planned_start")
            if start and revised_end < start:
                item.result.error(
                    _("es anterior al inicio planificado (%(start)s).")
                    % {"start": start.strftime("%d-%m-%Y")},
                    column=HEADERS["revised_end"],
                    value=revised_end.strftime("%d-%m-%Y"),
                )
        if item.result.errors:
            return None
        changes = []
        if status != Status.PENDING:
            changes.append((HEADERS["status"], "", status_word(status)))
        if progress:
            changes.append((HEADERS["progress"], "", f"{progress} %"))
        if revised_end is not None:
            changes.append((HEADERS["revised_end"], "", revised_end))
        return {
            "changes": tuple(changes),
            "status": status,
            "progress": progress,
            "revised_end": revised_end,
            "reason": reason,
            "note": note,
        }

    def _goal(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or number is None or position is None:
            return
        label = _("meta %(position)s de la estrategia %(number)s de %(cer)s") % {
            "position": position,
            "number": number,
            "cer": slug,
        }
        if not self._unique(item, "goal", (slug, number, position), label.capitalize()):
            return
        instance = self.db_goals.get((slug, number, position))
        text = self._get(item, "text", required=True)
        target = self._get(item, "target_value", cells.decimal)
        unit = self._get(item, "unit", _text, max_length=_max_length(Goal, "unit"))
        due = self._get(item, "due", cells.date)
        if text is None or item.result.errors:
            return
        values = {"position": position, "text": text}
        for name, value in (("target_value", target), ("unit", unit), ("due", due)):
            if value is not MISSING:
                values[name] = value
        final_target = values.get("target_value", getattr(instance, "target_value", None))
        final_unit = values.get("unit", getattr(instance, "unit", ""))
        if final_target is not None and not final_unit:
            item.result.error(
                _("está vacía; una meta con valor objetivo indica su unidad."),
                column=HEADERS["unit"],
                show_value=False,
            )
            return
        self._common(item, Goal, values)
        if instance is None:
            values = {"target_value": None, "unit": "", "due": None, **values}
        self._record(
            item,
            Goal,
            instance,
            values,
            label=label,
            parents={"strategy": ("strategy", slug, number)},
        )

    def _funding(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or number is None or position is None:
            return
        kind = FUNDING_KINDS[item.element]
        label = _("%(element)s %(position)s de la estrategia %(number)s de %(cer)s") % {
            "element": ELEMENT_WORDS[item.element],
            "position": position,
            "number": number,
            "cer": slug,
        }
        if not self._unique(item, "funding", (slug, number, kind, position), label.capitalize()):
            return
        instance = self.db_funding.get((slug, number, kind, position))
        text = self._get(
            item, "text", _text, required=True, max_length=_max_length(Funding, "text")
        )
        share = self._get(item, "share", cells.decimal, max_digits=5, minimum=0, maximum=100)
        names = self._get(item, "instruments", read_instruments)
        if text is None or item.result.errors:
            return
        values = {"kind": kind, "position": position, "text": text}
        if share is not MISSING:
            values["share_percent"] = share
        self._common(item, Funding, values)
        if instance is None:
            values = {"share_percent": None, **values}
        extra = ()
        instruments = None
        if names is not MISSING:
            names = names or []
            instruments = names
            old = [i.name for i in instance.instruments.all()] if instance is not None else []
            if sorted(map(_name_key, old)) != sorted(map(_name_key, names)):
                extra = ((HEADERS["instruments"], "; ".join(old), "; ".join(names)),)
        self._record(
            item,
            Funding,
            instance,
            values,
            label=label,
            extra_changes=extra,
            parents={"strategy": ("strategy", slug, number)},
            instruments=instruments,
        )

    def _involvement(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        name = self._get(item, "text", _text, required=True, max_length=_max_length(Actor, "name"))
        if slug is None or number is None or not name:
            return
        role = INVOLVEMENT_ROLES[item.element]
        name = " ".join(name.split())
        label = _("%(element)s «%(name)s» de la estrategia %(number)s de %(cer)s") % {
            "element": ELEMENT_WORDS[item.element],
            "name": name,
            "number": number,
            "cer": slug,
        }
        key = (slug, number, role, _name_key(name))
        if not self._unique(item, "involvement", key, label.capitalize()):
            return
        instance = self.db_involvements.get(key)
        position = self._position(
            item, ("involvement", slug, number, role), instance.position if instance else None
        )
        if position is None:
            return
        values = {"role": role, "position": position}
        self._common(item, Involvement, values)
        if instance is not None:
            values.pop("role")
        self._record(
            item,
            Involvement,
            instance,
            values,
            label=label,
            parents={"strategy": ("strategy", slug, number)},
            actor=name,
        )

    def _obstacle(self, item):
        slug = self._cluster_of(item)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or position is None:
            return
        label = _("obstáculo %(position)s de %(cer)s") % {"position": position, "cer": slug}
        if not self._unique(item, "obstacle", (slug, position), label.capitalize()):
            return
        instance = self.db_obstacles.get((slug, position))
        title = self._get(item, "text", required=True)
        if title is None:
            return
        values = {"position": position, "title": title}
        self._common(item, Obstacle, values)
        self.targets[("obstacle", (slug, position))] = _Target((slug, position), instance)
        self._record(
            item,
            Obstacle,
            instance,
            values,
            label=label,
            key=("obstacle", slug, position),
            cluster=slug,
        )

    def _measure(self, item):
        slug = self._cluster_of(item)
        obstacle = self._get(
            item, "obstacle", cells.integer, required=True, minimum=1, maximum=32767
        )
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or obstacle is None or position is None:
            return
        if not self._exists("obstacle", (slug, obstacle)):
            item.result.error(
                _("no es un obstáculo del CER «%(cer)s» (ni está en el archivo).") % {"cer": slug},
                column=HEADERS["obstacle"],
                value=obstacle,
            )
            return
        label = _("medida %(position)s del obstáculo %(obstacle)s de %(cer)s") % {
            "position": position,
            "obstacle": obstacle,
            "cer": slug,
        }
        if not self._unique(item, "measure", (slug, obstacle, position), label.capitalize()):
            return
        instance = self.db_measures.get((slug, obstacle, position))
        text = self._get(item, "text", required=True)
        if text is None:
            return
        values = {"position": position, "text": text}
        self._common(item, Measure, values)
        self._record(
            item,
            Measure,
            instance,
            values,
            label=label,
            parents={"obstacle": ("obstacle", slug, obstacle)},
        )

    # Whole-file checks and operations ----------------------------------------------------------

    def _check_objective_positions(self):
        """Two objectives of a CER may not end up at the same «orden»."""
        final = defaultdict(dict)  # slug → {position: numeral}
        in_file = {key for element, key in self.targets if element == "objective"}
        for (slug, number), objective in self.db_objectives.items():
            if (slug, number) not in in_file:
                final[slug][objective.position] = number
        for operation in self._pending:
            if operation["model"] is not Objective:
                continue
            _element, slug, number = operation["key"]
            position = operation["values"].get("position")
            holder = final[slug].get(position)
            if holder is not None and holder != number:
                row = self._row(operation["row"])
                row.error(
                    _("ya es el orden del objetivo %(numeral)s de este CER.") % {"numeral": holder},
                    column=HEADERS["position"],
                    value=position,
                )
            final[slug][position] = number

    def _kept_notices(self):
        """What a CER already has, of a kind the file lists, that the file does not name: kept."""
        named = defaultdict(set)
        for element, key in self.first_row:
            named[element].add(key)
        in_database = (
            ("objective", self.db_objectives, "objetivo", "objetivos"),
            ("strategy", self.db_strategies, "estrategia", "estrategias"),
            ("activity", self.db_activities, "actividad", "actividades"),
            ("goal", self.db_goals, "meta", "metas"),
            ("funding", self.db_funding, "recurso", "recursos"),
            ("involvement", self.db_involvements, "actor", "actores"),
            ("obstacle", self.db_obstacles, "obstáculo", "obstáculos"),
            ("measure", self.db_measures, "medida", "medidas"),
        )
        kept = defaultdict(list)
        for element, objects, singular, plural in in_database:
            slugs = {key[0] for key in named[element]}
            counts = defaultdict(int)
            for key in objects:
                if key[0] in slugs and key not in named[element]:
                    counts[key[0]] += 1
            for slug, count in counts.items():
                kept[slug].append(f"{count} {singular if count == 1 else plural}")
        for slug, parts in sorted(kept.items()):
            self.preview.notices.append(
                _(
                    "«%(cer)s» tiene en el sistema elementos que el archivo no nombra (%(items)s): "
                    "se conservan sin cambios; la importación no borra nada."
                )
                % {"cer": slug, "items": ", ".join(parts)}
            )

    def _row(self, number):
        for row in self.preview.rows:
            if row.number == number:
                return row
        raise KeyError(number)

    def _order_operations(self):
        """Turn the rows' writes into operations, parents before children."""
        if any(row.errors for row in self.preview.rows):
            return
        writes = [operation for operation in self._pending if operation["write"]]
        context = _ApplyContext(self.registry, self.actors, self.instruments)
        # Objectives that trade places pass through a free «orden» first (a unique constraint).
        for objective, position, row in self._parked_objectives(writes):
            self.preview.operations.append(
                Operation(row=row, run=_parker(objective, position), columns={})
            )
        for operation in writes:
            self.preview.operations.append(
                Operation(
                    row=operation["row"],
                    run=_writer(operation, context),
                    columns=_FIELD_LABELS,
                )
            )
        for operation in writes:
            if operation.get("progress"):
                self.preview.operations.append(
                    Operation(
                        row=operation["row"],
                        run=_progress_writer(operation, context),
                        columns={
                            "status": HEADERS["status"],
                            "progress": HEADERS["progress"],
                            "new_end": HEADERS["revised_end"],
                            "reason": HEADERS["revision_reason"],
                        },
                    )
                )

    def _parked_objectives(self, writes):
        """Existing objectives to move out of the way: each holds the «orden» another takes."""
        holders = {
            (slug, objective.position): objective
            for (slug, _numeral), objective in self.db_objectives.items()
        }
        top = defaultdict(int)
        for (slug, _numeral), objective in self.db_objectives.items():
            top[slug] = max(top[slug], objective.position)
        for operation in self._pending:
            if operation["model"] is Objective:
                slug = operation["key"][1]
                top[slug] = max(top[slug], operation["values"].get("position", 0))
        parked = []
        for operation in writes:
            if operation["model"] is not Objective or "position" not in operation["values"]:
                continue
            slug = operation["key"][1]
            holder = holders.get((slug, operation["values"]["position"]))
            if holder is None or holder is operation["instance"]:
                continue
            if any(holder is already for already, _slug, _row in parked):
                continue
            parked.append((holder, slug, operation["row"]))
        result = []
        for holder, slug, row in parked:
            top[slug] += 1
            result.append((holder, top[slug], row))
        return result


def _name_key(name):
    return " ".join(str(name).split())


def _text(value, *, max_length=None):
    return cells.limited(cells.text(value), max_length)


def _lower(message):
    return message[:1].lower() + message[1:]


def _shown(value):
    if isinstance(value, list):
        return "; ".join(value)
    return value


_FIELD_LABELS = {
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


def _field_label(model, name):
    return _FIELD_LABELS.get(name, name)


# Applying. Operations run in order in one transaction; a parent created by an earlier operation
# is found through the context's registry, filled as objects are saved.


class _ApplyContext:
    def __init__(self, registry, actors, instruments):
        self.registry = dict(registry)
        self.actors = dict(actors)
        self.instruments = dict(instruments)

    def actor(self, name, user):
        key = _name_key(name)
        if key not in self.actors:
            self.actors[key] = import_services.save_plan_item(
                acting_user=user, model=Actor, values={"name": name}, reason=_reason()
            )
        return self.actors[key]

    def instrument(self, name, user):
        key = _name_key(name)
        if key not in self.instruments:
            self.instruments[key] = import_services.save_plan_item(
                acting_user=user, model=Instrument, values={"name": name}, reason=_reason()
            )
        return self.instruments[key]


def _reason():
    return _("importación de la estructura del plan")


# Models whose rows carry their CER; the others hang from a strategy or an obstacle.
_CLUSTER_MODELS = (Objective, Strategy, Activity, Obstacle)


def _writer(operation, context):
    model = operation["model"]
    instance = operation["instance"]

    def run(user):
        values = dict(operation["values"])
        if instance is None and model in _CLUSTER_MODELS:
            values["cluster_id"] = context.registry[("cer", operation["cluster"])]
        for name, key in operation.get("parents", {}).items():
            values[f"{name}_id"] = context.registry[key]
        if model is Involvement:
            values["actor_id"] = context.actor(operation["actor"], user).pk
        instruments = None
        if operation.get("instruments") is not None:
            instruments = [context.instrument(name, user) for name in operation["instruments"]]
        saved = import_services.save_plan_item(
            acting_user=user,
            model=model,
            pk=instance.pk if instance is not None else None,
            values=values,
            reason=_reason(),
            instruments=instruments,
            expected_version=operation.get("expected_version"),
        )
        if operation.get("key"):
            context.registry[operation["key"]] = saved.pk

    return run


def _parker(objective, position):
    def run(user):
        import_services.save_plan_item(
            acting_user=user,
            model=Objective,
            pk=objective.pk,
            values={"position": position},
            reason=_reason(),
        )

    return run


def _progress_writer(operation, context):
    progress = operation["progress"]
    key = operation["key"]

    def run(user):
        activity_id = context.registry[key]
        version = 1
        if progress["revised_end"] is not None:
            services.revise_deadline(
                activity_id=activity_id,
                acting_user=user,
                expected_version=version,
                new_end=progress["revised_end"],
                reason=progress["reason"],
            )
            version += 1
        if progress["status"] != Status.PENDING or progress["progress"] != 0:
            services.record_progress(
                activity_id=activity_id,
                acting_user=user,
                expected_version=version,
                status=progress["status"],
                progress=progress["progress"],
                note=progress["note"],
            )

    return run
