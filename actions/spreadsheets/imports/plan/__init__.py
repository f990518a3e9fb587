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
from django.utils.translation import gettext_lazy

from actions.spreadsheets.imports.base import ImportKind, Preview
from actions.spreadsheets.imports.plan.applying import ApplyingMixin
from actions.spreadsheets.imports.plan.building import BuildingMixin
from actions.spreadsheets.imports.plan.matching import MatchingMixin
from actions.spreadsheets.imports.plan.parts import PartsMixin
from actions.spreadsheets.imports.plan.reading import (
    ELEMENT_WORDS,
    INSTRUMENT_SEPARATOR,
    PLAN_COLUMNS,
    ReadingMixin,
)


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
        return PlanBuilder(page_cluster=cluster).build(rows)

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


class PlanBuilder(ReadingMixin, MatchingMixin, BuildingMixin, PartsMixin, ApplyingMixin):
    """Reads the rows (reading), matches them with the database (matching), builds each row's
    preview (building, parts) and its operations (applying)."""

    def __init__(self, *, page_cluster):
        self.page_cluster = page_cluster
        self.preview = Preview(kind=PlanImport.key)
        self.today = timezone.localdate()
        # (element, key) → Target, for the rows of the file
        self.targets = {}
        self.first_row = {}
        self.next_position = defaultdict(int)
        self._pending = []
        # Ids by key of everything an operation may need as a parent: filled with the database's
        # objects here, and with the objects the import creates as its operations run.
        self.registry = {}

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


__all__ = ["ELEMENT_WORDS", "INSTRUMENT_SEPARATOR", "PLAN_COLUMNS", "PlanImport"]
