"""What is recorded against the plan: goal measurements and the progress history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.models.plan import Activity, Goal, Status
from clusters.models import limited_text


class GoalMeasurement(models.Model):
    """A dated measured value of a goal's indicator."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("meta")
    )
    value = models.DecimalField(_("valor medido"), max_digits=12, decimal_places=2)
    measured_on = models.DateField(_("fecha de medición"))
    source = models.CharField(_("fuente del dato"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    recorded_at = models.DateTimeField(_("registrado el"), auto_now_add=True)

    class Meta:
        ordering = ["goal", "measured_on", "id"]
        verbose_name = _("medición de meta")
        verbose_name_plural = _("mediciones de metas")

    def __str__(self):
        return f"{self.value} ({self.measured_on})"


def evidence_upload_to(update, filename):
    # Files are grouped by CER and activity; the view that serves them checks permissions.
    return f"evidence/{update.activity.cluster_id}/{update.activity_id}/{filename}"


class ProgressUpdate(models.Model):
    """One entry of an activity's history: append-only.

    Written by the same service, in the same transaction, as the change it records. It is both
    what the activity page shows and the source of "the plan as it stood on date X".
    """

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("avance")
        REVISION = "revision", _("revisión de plazo")

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="updates", verbose_name=_("actividad")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        verbose_name=_("autor"),
    )
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    recorded_at = models.DateTimeField(_("registrado el"), auto_now_add=True)
    effective_on = models.DateField(
        _("fecha del avance"), help_text=_("El día en que ocurrió lo que se registra.")
    )
    old_status = models.CharField(_("estado anterior"), max_length=12, choices=Status.choices)
    new_status = models.CharField(_("estado nuevo"), max_length=12, choices=Status.choices)
    old_progress = models.PositiveSmallIntegerField(_("avance anterior (%)"))
    new_progress = models.PositiveSmallIntegerField(_("avance nuevo (%)"))
    old_revised_end = models.DateField(_("término revisado anterior"), null=True, blank=True)
    new_revised_end = models.DateField(_("término revisado nuevo"), null=True, blank=True)
    note = limited_text(_("nota"), blank=True)
    evidence = models.FileField(
        _("evidencia"), upload_to=evidence_upload_to, blank=True, max_length=300
    )
    evidence_name = models.CharField(_("nombre del archivo"), max_length=255, blank=True)

    class Meta:
        ordering = ["-effective_on", "-recorded_at", "-id"]
        get_latest_by = ["effective_on", "recorded_at", "id"]
        verbose_name = _("registro de avance")
        verbose_name_plural = _("registros de avance")
        constraints = [
            models.CheckConstraint(
                condition=Q(old_progress__lte=100) & Q(new_progress__lte=100),
                name="update_progress_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "effective_on"], name="update_activity_effective"),
        ]

    def __str__(self):
        return f"{self.activity.code}: {self.old_status}→{self.new_status} ({self.effective_on})"
