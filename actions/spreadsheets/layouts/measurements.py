"""The goal-measurement file (import and export): its columns."""

from django.utils.translation import gettext_lazy

from actions.spreadsheets.layouts import Column

MEASUREMENT_COLUMNS = (
    Column("cer", "cer", example="metalmecanica", help=gettext_lazy("Identificador del CER.")),
    Column(
        "strategy",
        "estrategia",
        example=4,
        help=gettext_lazy("Número de la estrategia de la meta."),
    ),
    Column(
        "goal",
        "meta",
        aliases=("n.° de meta", "n° de meta", "numero de meta", "n meta"),
        example=1,
        help=gettext_lazy("Número de la meta dentro de su estrategia (1, 2…)."),
    ),
    Column(
        "goal_text",
        "texto de la meta",
        required=False,
        informative=True,
        example="Aumentar las exportaciones del CER",
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "value",
        "valor",
        example=12.5,
        help=gettext_lazy("Valor medido: un número (12 o 12,5)."),
    ),
    Column(
        "date",
        "fecha",
        aliases=("fecha de medición", "fecha de medicion"),
        example="2024-03-31",
        help=gettext_lazy("Fecha de la medición (AAAA-MM-DD o DD-MM-AAAA); no puede ser futura."),
    ),
    Column(
        "source",
        "fuente",
        aliases=("fuente del dato",),
        example="Encuesta anual a las empresas del CER",
        help=gettext_lazy("De dónde sale el dato."),
    ),
    Column(
        "unit",
        "unidad",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "target",
        "valor objetivo",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
    Column(
        "due",
        "fecha comprometida",
        required=False,
        informative=True,
        help=gettext_lazy("Informativa: se ignora al importar."),
    ),
)
