"""The plan-structure file (import, and the «Estructura» sheet of the plan workbook): its
columns and its «elemento» words."""

from django.utils.translation import gettext_lazy

from actions.spreadsheets.layouts import Column

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

# Several instruments of one funding line are separated by this in «instrumentos».
INSTRUMENT_SEPARATOR = ";"

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
