"""The audit of spreadsheet imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster, limited_text


class ImportRun(models.Model):
    """One confirmed spreadsheet import, applied or refused: who, what, where and how it ended.

    Written by the import service (actions.spreadsheets.imports.apply): an applied run in the
    import's own transaction, with the data; a refused one right after the data's transaction
    rolled back, in a transaction of its own, so the refusal stays on record. Never the cells'
    content: the file is named by its name and the SHA-256 of its bytes.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("aplicada")
        REFUSED = "refused", _("rechazada")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("usuario"),
    )
    kind = models.CharField(_("tipo"), max_length=20)
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CER"),
        help_text=_("Vacío cuando se importó desde la administración, para todos los CER."),
    )
    file_name = models.CharField(_("archivo"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("SHA-256 del archivo"), max_length=64)
    created = models.PositiveIntegerField(_("filas creadas"), default=0)
    updated = models.PositiveIntegerField(_("filas actualizadas"), default=0)
    unchanged = models.PositiveIntegerField(_("filas sin cambios"), default=0)
    refused = models.PositiveIntegerField(_("filas con error"), default=0)
    outcome = models.CharField(_("resultado"), max_length=8, choices=Outcome.choices)
    reason = limited_text(_("motivo del rechazo"), blank=True)
    started_at = models.DateTimeField(_("inicio"))
    finished_at = models.DateTimeField(_("término"))

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        indexes = [models.Index(fields=["kind", "outcome"], name="importrun_kind_outcome")]

    def __str__(self):
        return f"{self.kind} {self.file_name} ({self.get_outcome_display()})"
