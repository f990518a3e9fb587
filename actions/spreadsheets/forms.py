"""The upload form of the import pages. The file is checked for size here, before it is read;
everything else about it is checked by actions.spreadsheets.imports.reading."""

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.spreadsheets.imports import reading


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Planilla"),
        error_messages={
            "empty": _("El archivo está vacío."),
            "required": _("Elija el archivo que quiere importar."),
        },
        help_text=_("Un archivo .xlsx (Libro de Excel) o .csv, de hasta 5 MB y 20.000 filas."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet,text/csv"
            }
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > reading.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "El archivo pesa %(size)s MB y el máximo es %(limit)s MB: divídalo en "
                    "archivos más pequeños."
                ),
                code="too_big",
                params={
                    "size": reading.megabytes(uploaded.size),
                    "limit": reading.MAX_BYTES // (1024 * 1024),
                },
            )
        if uploaded.size == 0:
            raise forms.ValidationError(_("El archivo está vacío."), code="empty")
        return uploaded

    def read(self):
        uploaded = self.cleaned_data["file"]
        uploaded.seek(0)
        # Read one byte past the limit: a file that grew after the size check is still caught.
        return uploaded.read(reading.MAX_BYTES + 1)
