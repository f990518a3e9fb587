"""The action plan of a CER: objectives, strategies, activities, goals, funding, actors.

Tables 3-4 of the 2006 report give objectives, strategies, activities and goals; Tables 5-6 give
each strategy's resources (funding), actors, responsible people and committed period.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.plan.periods import PeriodError, parse_period
from clusters.models import TITLE_MAX_LENGTH, Cluster, TracedToSource, limited_text


class Status(models.TextChoices):
    PENDING = "pending", _("pendiente")
    IN_PROGRESS = "in_progress", _("en curso")
    DONE = "done", _("completada")
    BLOCKED = "blocked", _("bloqueada")
    CANCELLED = "cancelled", _("cancelada")


def end_before_start(obj, start_name, end_name):
    """ValidationError keyed by the end field when it is before the start (both given)."""
    start, end = getattr(obj, start_name), getattr(obj, end_name)
    if start and end and end < start:
        raise ValidationError(
            {
                end_name: ValidationError(
                    _("El término es anterior al inicio (%(start)s)."),
                    code="end_before_start",
                    params={"start": start.strftime("%d-%m-%Y")},
                )
            }
        )


class Objective(TracedToSource):
    """A strategic objective (objetivo estratégico, I-IV)."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("CER")
    )
    numeral = models.CharField(_("numeral"), max_length=8, help_text=_("I, II, III…"))
    position = models.PositiveSmallIntegerField(_("orden"))
    title = limited_text(_("objetivo estratégico"), max_length=TITLE_MAX_LENGTH)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "position"]
        verbose_name = _("objetivo estratégico")
        verbose_name_plural = _("objetivos estratégicos")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "numeral"], name="objective_unique_numeral_per_cluster"
            ),
            models.UniqueConstraint(
                fields=["cluster", "position"], name="objective_unique_position_per_cluster"
            ),
        ]

    def __str__(self):
        return f"{self.numeral}) {self.title}"


class Strategy(TracedToSource):
    """A strategy (estrategia), numbered per CER, with its committed period (plazo comprometido).

    The period is kept as the report wrote it and, beside it, as parsed dates; an empty
    committed_end means open-ended ("Desde el año 2008 en adelante").
    """

    # Denormalised from the objective so that "number is unique within a CER" is a database rule.
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("CER")
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("objetivo")
    )
    number = models.PositiveSmallIntegerField(_("número"))
    title = limited_text(_("estrategia"), max_length=TITLE_MAX_LENGTH)
    committed_period_text = models.CharField(
        _("plazo comprometido (texto del informe)"), max_length=200, blank=True
    )
    committed_start = models.DateField(_("inicio comprometido"), null=True, blank=True)
    committed_end = models.DateField(
        _("término comprometido"),
        null=True,
        blank=True,
        help_text=_("Vacío cuando el plazo es abierto («en adelante»)."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "number"]
        verbose_name = _("estrategia")
        verbose_name_plural = _("estrategias")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "number"], name="strategy_unique_number_per_cluster"
            ),
            models.CheckConstraint(
                condition=Q(committed_end__isnull=True)
                | Q(committed_start__isnull=True)
                | Q(committed_end__gte=F("committed_start")),
                name="strategy_committed_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def _read_period(self):
        # A period given as text alone is read into its dates, by the one parser of periods;
        # dates given by hand win: they may correct an erratum of the text.
        text = self.committed_period_text
        if not text or self.committed_start is not None or self.committed_end is not None:
            return
        try:
            period = parse_period(text)
        except PeriodError as error:
            raise ValidationError(
                {
                    "committed_period_text": ValidationError(
                        _(
                            "%(error)s Escriba las fechas a mano (y la errata en la nota de "
                            "corrección)."
                        ),
                        code="period_unreadable",
                        params={"error": error},
                    )
                }
            ) from None
        self.committed_start, self.committed_end = period.start, period.end

    def clean(self):
        self._read_period()
        # The rule of strategy_committed_end_after_start, said beside the field.
        end_before_start(self, "committed_start", "committed_end")

    @property
    def is_open_ended(self):
        return self.committed_start is not None and self.committed_end is None


class ActivityKind(models.TextChoices):
    """What an activity is, in the words people look for (actions.plan.kinds derives it)."""

    MISSION = "mission", _("misión")
    FAIR = "fair", _("feria")
    SEMINAR = "seminar", _("seminario o charla")
    TRAINING = "training", _("capacitación")
    STUDY = "study", _("estudio o consultoría")
    APPLICATION = "application", _("postulación a un instrumento")
    DISSEMINATION = "dissemination", _("difusión")
    CERTIFICATION = "certification", _("certificación o norma")
    INVESTMENT = "investment", _("inversión")
    COMMERCIAL = "commercial", _("comercial o exportación")
    HIRING = "hiring", _("contratación de personas")
    MANAGEMENT = "management", _("gestión y coordinación")


class Activity(TracedToSource):
    """A strategic activity (actividad estratégica), coded like "4.2" within its CER.

    Planned dates default to the strategy's committed period. A revised end, with its reason,
    sits beside the planned end and never overwrites it.
    """

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="activities", verbose_name=_("CER")
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="activities", verbose_name=_("estrategia")
    )
    code = models.CharField(_("código"), max_length=12)
    source_code = models.CharField(
        _("código en el informe"),
        max_length=12,
        blank=True,
        help_text=_("Como lo numera el informe, cuando difiere del código corregido."),
    )
    position = models.PositiveSmallIntegerField(_("orden"))
    title = limited_text(_("actividad"), max_length=TITLE_MAX_LENGTH)
    schedule_title = limited_text(
        _("texto en la matriz de plazos"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        help_text=_("Cómo la nombran las Tablas 5-6, cuando lo hacen."),
    )
    # The phrase of the report that dates this activity itself («(I semestre del 2012)»), kept
    # verbatim beside the planned dates it gave; empty when they are the strategy's period.
    date_phrase = models.CharField(_("plazo según el informe"), max_length=200, blank=True)
    planned_start = models.DateField(_("inicio planificado"), null=True, blank=True)
    planned_end = models.DateField(
        _("término planificado"),
        null=True,
        blank=True,
        help_text=_("Vacío cuando la actividad es permanente («en adelante»)."),
    )
    revised_end = models.DateField(_("término revisado"), null=True, blank=True)
    revision_reason = limited_text(_("motivo de la revisión"), blank=True)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    kind = models.CharField(
        _("tipo"),
        max_length=16,
        choices=ActivityKind.choices,
        default=ActivityKind.MANAGEMENT,
        help_text=_("Derivado de las palabras del informe al crear la actividad; corregible."),
    )
    completed_on = models.DateField(_("completada el"), null=True, blank=True)
    # Optimistic locking: a form carries the version it was read at; a save against a
    # newer version is refused instead of overwriting what someone else recorded.
    version = models.PositiveIntegerField(_("versión"), default=1)
    # People of the portal who answer for the activity, beside the report's responsible roles
    # (the strategy's involvements, kept verbatim): "my work" lists theirs first. Changed only
    # by actions.progress.responsible.assign_responsible_users, which writes the history row
    # (with the names in its reason; the historical table does not keep many-to-many rows).
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="responsible_activities",
        verbose_name=_("responsables en el portal"),
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["cluster", "strategy__number", "position"]
        verbose_name = _("actividad")
        verbose_name_plural = _("actividades")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "code"], name="activity_unique_code_per_cluster"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="activity_progress_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100), name="activity_done_is_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in Status]),
                name="activity_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(revised_end__isnull=True) | ~Q(revision_reason=""),
                name="activity_revision_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="activity_planned_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["cluster", "status"], name="activity_cluster_status")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("activity-detail", kwargs={"pk": self.pk})

    def clean(self):
        # The rule of activity_planned_end_after_start, said beside the field.
        end_before_start(self, "planned_start", "planned_end")

    @property
    def effective_end(self):
        """The end that counts: the revised one where there is one, else the planned one."""
        return self.revised_end or self.planned_end

    @property
    def is_open_ended(self):
        return self.effective_end is None


class Goal(TracedToSource):
    """A goal (meta) of a strategy: its sentence and, where it states one, an indicator."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="goals", verbose_name=_("estrategia")
    )
    position = models.PositiveSmallIntegerField(_("orden"))
    text = limited_text(_("meta"), max_length=TITLE_MAX_LENGTH)
    target_value = models.DecimalField(
        _("valor objetivo"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unidad"), max_length=120, blank=True)
    due = models.DateField(_("fecha comprometida"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "position"]
        verbose_name = _("meta")
        verbose_name_plural = _("metas")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "position"], name="goal_unique_position_per_strategy"
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | ~Q(unit=""),
                name="goal_target_has_unit",
            ),
        ]

    def __str__(self):
        return self.text

    def clean(self):
        # The rule of goal_target_has_unit, said beside the field.
        if self.target_value is not None and not self.unit:
            raise ValidationError(
                {
                    "unit": ValidationError(
                        _("Una meta con valor objetivo indica su unidad."), code="unit_missing"
                    )
                }
            )

    @property
    def has_indicator(self):
        return self.target_value is not None


class Instrument(models.Model):
    """A public support instrument or resource (instrumento de fomento): PROFO, PDP, INNOVA…"""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    description = limited_text(_("descripción"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("instrumento de fomento")
        verbose_name_plural = _("instrumentos de fomento")

    def __str__(self):
        return self.name


class Funding(TracedToSource):
    """One resource line of a strategy (Tables 5-6, column «Recursos»): public or private."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("público")
        PRIVATE = "private", _("privado")

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="funding", verbose_name=_("estrategia")
    )
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("orden"))
    text = models.CharField(_("recurso (texto del informe)"), max_length=300)
    # A line may name alternatives ("Instrumento PROFO O PDP"), so it links to each of them.
    instruments = models.ManyToManyField(
        Instrument, blank=True, related_name="funding", verbose_name=_("instrumentos")
    )
    share_percent = models.DecimalField(
        _("porcentaje"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("El porcentaje del texto como número, cuando el texto da uno."),
    )

    history = HistoricalRecords(m2m_fields=[instruments])

    class Meta:
        ordering = ["strategy", "kind", "position"]
        verbose_name = _("financiamiento")
        verbose_name_plural = _("financiamiento")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "kind", "position"], name="funding_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | (Q(share_percent__gte=0) & Q(share_percent__lte=100)),
                name="funding_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["public", "private"]), name="funding_kind_valid"
            ),
        ]

    def __str__(self):
        return self.text


class Actor(models.Model):
    """An organisation or a role taking part in the plan ("CORFO", "Director Pro Chile").

    The report spells some of them several ways ("PROCHILE", "Pro Chile", "PRO CHILE"): each
    spelling is an actor, so the pages quote the report as written, and ``organisation`` names
    the one actor they all stand for. Filters and counts go by the organisation
    (``organisation_id or id``); an actor without one is its own.
    """

    name = models.CharField(_("nombre"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        "self",
        # Deleting an organisation leaves its spellings as actors of their own.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spellings",
        limit_choices_to={"organisation__isnull": True},
        verbose_name=_("organización o rol"),
        help_text=_(
            "Si este nombre es otra forma de escribir un actor, ese actor: los filtros y los "
            "conteos los reúnen, y cada página cita el nombre tal como lo escribe el informe."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actores")

    def __str__(self):
        return self.name

    def clean(self):
        # One level: a spelling points to an organisation, which points to nothing.
        organisation = self.organisation
        if organisation is None:
            return
        if organisation.pk == self.pk or organisation.organisation_id is not None:
            raise ValidationError(
                {
                    "organisation": _(
                        "Elija un actor que no sea a su vez otra forma de escribir otro."
                    )
                }
            )
        if self.pk and self.spellings.exists():
            raise ValidationError(
                {
                    "organisation": _(
                        "Otros nombres ya apuntan a este actor: no puede apuntar a otro."
                    )
                }
            )


class Involvement(TracedToSource):
    """An actor's part in a strategy: involved (actor involucrado) or responsible (responsable)."""

    class Role(models.TextChoices):
        INVOLVED = "involved", _("involucrado")
        RESPONSIBLE = "responsible", _("responsable")

    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.CASCADE,
        related_name="involvements",
        verbose_name=_("estrategia"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="involvements", verbose_name=_("actor")
    )
    role = models.CharField(_("papel"), max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("orden"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "role", "position"]
        verbose_name = _("participación")
        verbose_name_plural = _("participaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "actor", "role"], name="involvement_unique_actor_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["involved", "responsible"]), name="involvement_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()})"
