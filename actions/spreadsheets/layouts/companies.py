"""The companies file (import and export): its columns and its size words."""

from django.utils.translation import gettext_lazy

from actions.spreadsheets.layouts import Column
from clusters.models import Company

# The words of the files, whatever the interface language.
SIZE_WORDS = {
    Company.Size.MICRO: "microempresa",
    Company.Size.SMALL: "pequeña",
    Company.Size.MEDIUM: "mediana",
    Company.Size.LARGE: "grande",
}

COMPANY_COLUMNS = (
    Column("cer", "cer", example="metalmecanica", help=gettext_lazy("Identificador del CER.")),
    Column(
        "name",
        "nombre",
        aliases=("empresa", "nombre de la empresa", "razón social"),
        example="Maestranza Norte Ltda.",
        help=gettext_lazy("Nombre de la empresa; identifica la fila dentro del CER."),
    ),
    Column(
        "rut",
        "rut",
        example="76.123.456-0",
        text_format=True,
        blank=True,
        help=gettext_lazy("Con dígito verificador, p. ej. 76.123.456-0."),
    ),
    Column(
        "size",
        "tamaño",
        aliases=("tamano",),
        choices=tuple(SIZE_WORDS.values()),
        example="pequeña",
        blank=True,
        help=gettext_lazy("microempresa, pequeña, mediana o grande."),
    ),
)
