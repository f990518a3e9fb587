import time

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.rut import validate_rut

# Free-text limits: well above the 2006 plan's longest texts (415 characters, an activity's
# title) and well below what makes a page heavy. Notes, reasons and descriptions may run to a
# few paragraphs; titles and one-line texts to one.
TEXT_MAX_LENGTH = 4000
TITLE_MAX_LENGTH = 1000


def limit_note(max_length):
    return format_lazy(_("Máximo {limit} caracteres."), limit=max_length)


def limited_text(verbose_name, *, max_length=TEXT_MAX_LENGTH, help_text="", **options):
    """A TextField of at most `max_length` characters: the form's textarea says so and refuses
    more (max_length), and so does the model's validation (the validator), which the services
    run before saving."""
    note = limit_note(max_length)
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        help_text=format_lazy("{} {}", help_text, note) if help_text else note,
        **options,
    )


class TracedToSource(models.Model):
    """Where an item of a plan comes from, and any erratum corrected on the way in.

    The source's wording is kept as written; a correction is recorded here, visible to users,
    instead of silently changing the text.
    """

    source = models.CharField(
        _("fuente"),
        max_length=120,
        blank=True,
        help_text=_("Dónde está en el informe de origen, p. ej. «Tabla N°3»."),
    )
    correction_note = limited_text(
        _("nota de corrección"),
        blank=True,
        help_text=_("Errata del informe de origen y cómo se corrigió aquí."),
    )

    class Meta:
        abstract = True


def initial_data_version():
    """A new CER's first data version: the clock in nanoseconds, not 1.

    Ids come back (``flush`` resets sequences; a fixture names its ids), and the cache keeps
    entries of a deleted CER until they expire: a CER made again under the same id starts far
    beyond any version its predecessor reached, so it never meets those entries.
    """
    return time.time_ns()


class Cluster(TracedToSource):
    """A regional export cluster (CER, Cluster Exportador Regional)."""

    name = models.CharField(_("nombre"), max_length=200, unique=True)
    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    region = models.CharField(_("región"), max_length=120, blank=True)
    description = limited_text(_("descripción"), blank=True)
    #: Incremented, in the writing transaction, by every write to the CER's data
    #: (clusters.versions.bump_data_version): cached pages of the CER are keyed on it.
    #: Not a field of the plan: no history, no form, and save() leaves it to the bumps.
    data_version = models.PositiveBigIntegerField(default=initial_data_version, editable=False)

    history = HistoricalRecords(excluded_fields=["data_version"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("CER")
        verbose_name_plural = _("CER")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # An edit of the CER writes every field but the version: the version this instance was
        # read with may be behind the stored one, and writing it back would make a page cached
        # meanwhile look current again. (Inserts write the default.)
        if (
            not (self._state.adding or kwargs.get("force_insert"))
            and kwargs.get("update_fields") is None
        ):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "data_version"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cluster-dashboard", kwargs={"slug": self.slug})


class Obstacle(TracedToSource):
    """A key obstacle (obstáculo clave) of a CER, Tables 1-2."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="obstacles", verbose_name=_("CER")
    )
    position = models.PositiveSmallIntegerField(_("orden"))
    title = limited_text(_("obstáculo"), max_length=TITLE_MAX_LENGTH)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "position"]
        verbose_name = _("obstáculo clave")
        verbose_name_plural = _("obstáculos claves")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "position"], name="obstacle_unique_position_per_cluster"
            )
        ]

    def __str__(self):
        return self.title


class Measure(TracedToSource):
    """A potential measure (medida potencial) to overcome an obstacle."""

    obstacle = models.ForeignKey(
        Obstacle, on_delete=models.CASCADE, related_name="measures", verbose_name=_("obstáculo")
    )
    position = models.PositiveSmallIntegerField(_("orden"))
    text = limited_text(_("medida"), max_length=TITLE_MAX_LENGTH)

    history = HistoricalRecords()

    class Meta:
        ordering = ["obstacle", "position"]
        verbose_name = _("medida potencial")
        verbose_name_plural = _("medidas potenciales")
        constraints = [
            models.UniqueConstraint(
                fields=["obstacle", "position"], name="measure_unique_position_per_obstacle"
            )
        ]

    def __str__(self):
        return self.text


class Company(models.Model):
    """A member company (empresa) of a CER."""

    class Size(models.TextChoices):
        MICRO = "micro", _("microempresa")
        SMALL = "small", _("pequeña")
        MEDIUM = "medium", _("mediana")
        LARGE = "large", _("grande")

    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="companies", verbose_name=_("CER")
    )
    name = models.CharField(_("nombre"), max_length=200)
    rut = models.CharField(
        _("RUT"),
        max_length=12,
        blank=True,
        validators=[validate_rut],
        help_text=_("Con dígito verificador, p. ej. 76.123.456-0."),
    )
    size = models.CharField(_("tamaño"), max_length=10, choices=Size.choices, blank=True)

    class Meta:
        ordering = ["cluster", "name"]
        verbose_name = _("empresa")
        verbose_name_plural = _("empresas")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "name"], name="company_unique_name_per_cluster"
            ),
            models.UniqueConstraint(
                fields=["rut"], condition=~Q(rut=""), name="company_unique_rut"
            ),
        ]

    def __str__(self):
        return self.name


class StaffAssignment(models.Model):
    """Agency staff coordinating a CER: they read it and record its progress."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_assignments",
        verbose_name=_("usuario"),
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="staff_assignments", verbose_name=_("CER")
    )

    class Meta:
        verbose_name = _("asignación de coordinador")
        verbose_name_plural = _("asignaciones de coordinadores")
        constraints = [
            models.UniqueConstraint(fields=["user", "cluster"], name="staff_unique_per_cluster")
        ]

    def __str__(self):
        return f"{self.user} → {self.cluster}"


class CompanyOwnership(models.Model):
    """A company owner (empresario): reads their company's CER, changes nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="company_ownership",
        verbose_name=_("usuario"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="owners", verbose_name=_("empresa")
    )

    class Meta:
        verbose_name = _("empresario")
        verbose_name_plural = _("empresarios")

    def __str__(self):
        return f"{self.user} → {self.company}"
