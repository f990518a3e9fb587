"""The progress file (import and export): its columns and its status words."""

from django.utils.translation import gettext_lazy

from actions.models import Status
from actions.spreadsheets.layouts import Column

# The words of the files, whatever the interface language.
STATUS_WORDS = {
    Status.PENDING: "pendiente",
    Status.IN_PROGRESS: "en curso",
    Status.DONE: "completada",
    Status.BLOCKED: "bloqueada",
    Status.CANCELLED: "cancelada",
}


def status_word(value):
    return STATUS_WORDS.get(value, value)


PROGRESS_COLUMNS = (
    Column("cer", "cer", example="metalmecanica", help=gettext_lazy("Identificador del CER.")),
    Column(
        "code",
        "código",
        aliases=("codigo actividad", "código de actividad", "actividad código"),
        example="4.2",
        text_format=True,
        help=gettext_lazy("Código de la actividad en su CER, p. ej. 4.2 (escríbalo como texto)."),
    ),
    Column(
        "title",
        "actividad",
        required=False,
        informative=True,
        example="Misión tecnológica a Alemania",
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "status",
        "estado",
        choices=tuple(STATUS_WORDS.values()),
        example="en curso",
        help=gettext_lazy("pendiente, en curso, completada, bloqueada o cancelada."),
    ),
    Column(
        "progress",
        "avance",
        aliases=("avance (%)", "avance %", "% avance", "porcentaje de avance"),
        example=40,
        help=gettext_lazy("Número entero de 0 a 100; «completada» es 100."),
    ),
    Column(
        "note",
        "nota",
        required=False,
        example="Se realizó la primera reunión con las empresas.",
        help=gettext_lazy(
            "Qué ocurrió. Obligatoria si el avance baja o si se reabre una actividad "
            "completada o cancelada."
        ),
    ),
    Column(
        "date",
        "fecha",
        required=False,
        aliases=("fecha del avance",),
        example="2024-03-15",
        help=gettext_lazy(
            "Día del avance (AAAA-MM-DD o DD-MM-AAAA); vacía, hoy. No puede ser futura ni "
            "anterior al último registro de la actividad."
        ),
    ),
    Column(
        "planned_start",
        "inicio planificado",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "planned_end",
        "término planificado",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "revised_end",
        "término revisado",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    # For people who read the export; an edited export imports back without them.
    Column(
        "latest_note",
        "última nota",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "latest_note_on",
        "fecha de la última nota",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "latest_note_author",
        "autor de la última nota",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
)
