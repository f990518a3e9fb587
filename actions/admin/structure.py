"""The admin of a plan's skeleton: objectives, strategies and activities, with their inlines."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.admin.mixins import (
    ClusterScopedFormMixin,
    PlanWritesMixin,
    SameClusterParentMixin,
    SharedChoicesInlineFormSet,
    period_label,
)
from actions.models import (
    Activity,
    Funding,
    Goal,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from actions.spreadsheets.resources import ProgressResource
from actions.versions import StaleVersion, check_version
from clusters.admin import (
    SOURCE_FIELDSET,
    CerListFilter,
    ErrataFilter,
    PlanHistoryMixin,
    SpreadsheetExportMixin,
    TracedToSourceAdminMixin,
    truncated,
)
from clusters.admin_site import AdminOnlyMixin

ACTIVITY_PROGRESS_FIELDS = (
    "status",
    "progress",
    "completed_on",
    "revised_end",
    "revision_reason",
    "version",
)
PROGRESS_IS_RECORDED_ELSEWHERE = _(
    "Solo lectura. El estado, el avance, la fecha de término y las revisiones de plazo se "
    "registran en el formulario de avance del portal, que guarda cada cambio en el historial "
    "de la actividad (registros de avance)."
)


# Objectives ----------------------------------------------------------------------------------


class ObjectiveAdminForm(ClusterScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Objective
        fields = ("cluster", "numeral", "position", "title", "source", "correction_note")


class StrategyReadOnlyInline(AdminOnlyMixin, admin.TabularInline):
    """The objective's strategies, listed with a link; they are edited on their own page."""

    view_only = True

    model = Strategy
    fields = ("number", "title", "committed_period_text")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = _("estrategias (se editan en su propia página)")


@admin.register(Objective)
class ObjectiveAdmin(
    AdminOnlyMixin, PlanWritesMixin, TracedToSourceAdminMixin, PlanHistoryMixin, SimpleHistoryAdmin
):
    form = ObjectiveAdminForm
    list_display = ("numeral", "short_title", "cluster", "position", "has_errata")
    list_display_links = ("numeral", "short_title")
    list_filter = ("cluster", ErrataFilter)
    list_select_related = ("cluster",)
    search_fields = ("title", "numeral")
    fieldsets = (
        (None, {"fields": ("cluster", ("numeral", "position"), "title")}),
        SOURCE_FIELDSET,
    )
    inlines = [StrategyReadOnlyInline]

    def get_readonly_fields(self, request, obj=None):
        # Its strategies and activities belong to the same CER: an objective never moves.
        return ("cluster",) if obj is not None else ()

    @admin.display(description=_("objetivo estratégico"), ordering="title")
    def short_title(self, obj):
        return truncated(obj.title)


# Strategies ----------------------------------------------------------------------------------


class StrategyAdminForm(ClusterScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Strategy
        fields = (
            "objective",
            "number",
            "title",
            "committed_period_text",
            "committed_start",
            "committed_end",
            "source",
            "correction_note",
        )
        help_texts = {
            "committed_period_text": _(
                "Tal como lo escribe el informe (Tablas 5-6). Si deja vacías las dos fechas, "
                "se leen de este texto."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        objective = cleaned.get("objective")
        if objective is not None:
            if self.instance.pk is not None and objective.cluster_id != self.instance.cluster_id:
                self.add_error(
                    "objective",
                    _("Elija un objetivo del mismo CER: una estrategia no cambia de CER."),
                )
            else:
                # The strategy's CER is its objective's (Strategy.cluster is denormalised).
                self.instance.cluster = objective.cluster
        # The committed period's text is read into its dates by Strategy.clean(), the one
        # place that parses periods (full_clean, run by the form and again by the service).
        return cleaned


class ActivityAdminForm(ClusterScopedFormMixin, forms.ModelForm):
    """Plan fields of an activity, refused when the activity changed since the form was read.

    Activity.version is the activity's optimistic lock: the portal's progress service and this
    form both move it on, so whichever saves second against a stale page gets a message
    instead of silently overwriting what the other recorded.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        # Not the progress fields: they are recorded through the portal (ACTIVITY_PROGRESS_FIELDS).
        fields = (
            "strategy",
            "code",
            "source_code",
            "position",
            "title",
            "schedule_title",
            "kind",
            "planned_start",
            "planned_end",
            "source",
            "correction_note",
        )
        help_texts = {
            "planned_start": _("Vacías las dos fechas, se toman del plazo de la estrategia."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        strategy = cleaned.get("strategy")
        if strategy is not None:
            if self.instance.pk is not None and strategy.cluster_id != self.instance.cluster_id:
                self.add_error(
                    "strategy",
                    _("Elija una estrategia del mismo CER: una actividad no cambia de CER."),
                )
            else:
                self.instance.cluster_id = strategy.cluster_id
            if (
                self.instance.pk is None
                and {"planned_start", "planned_end"} <= cleaned.keys()
                and cleaned["planned_start"] is None
                and cleaned["planned_end"] is None
            ):
                cleaned["planned_start"] = strategy.committed_start
                cleaned["planned_end"] = strategy.committed_end
        self._refuse_stale_edit(cleaned)
        return cleaned

    def _refuse_stale_edit(self, cleaned):
        """Refused beside the form when the activity changed since the form was read (the one
        version check, actions.versions); the service checks again, under the row lock, as it
        saves."""
        if self.instance.pk is None or not self.has_changed():
            return
        current = Activity.objects.filter(pk=self.instance.pk).first()
        try:
            if current is None:
                raise StaleVersion(activity=self.instance, expected_version=None, updates=[])
            check_version(current, cleaned.get("loaded_version"), missed_updates=_none)
        except (StaleVersion, ValidationError):
            raise ValidationError(
                _(
                    "La actividad %(code)s cambió después de que abrió este formulario (por "
                    "ejemplo, alguien registró un avance). No se guardó nada: vuelva a abrirla "
                    "para ver los cambios."
                ),
                code="stale",
                params={"code": self.instance.code},
            ) from None


def _none(_activity, _count):
    return []  # the admin's refusal lists no updates: it asks to open the activity again


class FundingInlineFormSet(SharedChoicesInlineFormSet):
    shared_choice_fields = ("instruments",)


class InvolvementInlineFormSet(SharedChoicesInlineFormSet):
    shared_choice_fields = ("actor",)


class ActivityInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # An activity's CER is its strategy's (Activity.cluster is denormalised).
        if form.instance.cluster_id is None:
            form.instance.cluster_id = self.instance.cluster_id


class ActivityInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Activity
    form = ActivityAdminForm
    formset = ActivityInlineFormSet
    fields = (
        "code",
        "position",
        "title",
        "planned_start",
        "planned_end",
        "status",
        "progress",
        "has_errata",
        "loaded_version",
    )
    readonly_fields = ("status", "progress", "has_errata")
    extra = 0
    show_change_link = True
    # Deleting an activity is done on its own page, where the confirmation lists what goes.
    can_delete = False


class GoalInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Goal
    fields = ("position", "text", "target_value", "unit", "due", "has_errata")
    readonly_fields = ("has_errata",)
    extra = 0
    show_change_link = True


class FundingInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Funding
    formset = FundingInlineFormSet
    fields = ("kind", "position", "text", "instruments", "share_percent", "has_errata")
    readonly_fields = ("has_errata",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("instruments")


class InvolvementInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Involvement
    formset = InvolvementInlineFormSet
    fields = ("role", "actor", "position", "has_errata")
    readonly_fields = ("has_errata",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Strategy)
class StrategyAdmin(
    AdminOnlyMixin,
    PlanWritesMixin,
    SameClusterParentMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    parent_field = "objective"
    form = StrategyAdminForm
    list_display = (
        "number",
        "short_title",
        "cluster",
        "objective_numeral",
        "committed_period_text",
        "committed_start",
        "committed_end",
        "has_errata",
    )
    list_display_links = ("number", "short_title")
    list_filter = ("cluster", "objective", ErrataFilter)
    list_select_related = ("cluster", "objective")
    search_fields = ("title",)
    readonly_fields = ("cluster",)
    fieldsets = (
        (None, {"fields": ("cluster", "objective", "number", "title")}),
        (
            _("Plazo comprometido"),
            {
                "fields": (("committed_period_text", "committed_start", "committed_end"),),
                "description": _(
                    "El texto se guarda tal como lo escribe el informe; las fechas son su "
                    "lectura y rigen los plazos de las actividades."
                ),
            },
        ),
        SOURCE_FIELDSET,
    )
    inlines = [ActivityInline, GoalInline, FundingInline, InvolvementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cluster", "objective")

    @admin.display(description=_("estrategia"), ordering="title")
    def short_title(self, obj):
        return truncated(obj.title)

    @admin.display(description=_("objetivo"), ordering="objective__position")
    def objective_numeral(self, obj):
        return obj.objective.numeral


# Activities ----------------------------------------------------------------------------------


class ProgressUpdateInline(AdminOnlyMixin, admin.TabularInline):
    """The activity's history, newest first; read-only like the ProgressUpdate admin."""

    view_only = True

    model = ProgressUpdate
    fields = (
        "effective_on",
        "kind",
        "author",
        "old_status",
        "new_status",
        "old_progress",
        "new_progress",
        "new_revised_end",
        "note",
    )
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = _("historial de avance (solo lectura)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Activity)
class ActivityAdmin(
    AdminOnlyMixin,
    PlanWritesMixin,
    SameClusterParentMixin,
    SpreadsheetExportMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    parent_field = "strategy"
    # Export: the progress import's columns, so the file can be edited and imported back.
    resource_classes = [ProgressResource]
    import_links = (("progress", _("Importar avances")), ("plan", _("Importar plan")))
    form = ActivityAdminForm
    list_display = (
        "code",
        "short_title",
        "cluster",
        "strategy_number",
        "status",
        "progress",
        "planned_end",
        "revised_end",
        "has_errata",
    )
    list_display_links = ("code", "short_title")
    list_filter = (("cluster", CerListFilter), "status", ErrataFilter)
    list_select_related = ("cluster", "strategy")
    search_fields = ("code", "title")
    # At the national tier (100,000 activities) each count is a scan of the table: one per
    # page, not a second for "N in all".
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ("cluster", *ACTIVITY_PROGRESS_FIELDS, "strategy_period")
    fieldsets = (
        (
            _("Actividad del plan"),
            {
                "fields": (
                    "cluster",
                    "strategy",
                    ("code", "source_code", "position"),
                    "title",
                    "schedule_title",
                    "kind",
                    "loaded_version",
                )
            },
        ),
        (
            _("Fechas"),
            {
                "fields": (
                    ("planned_start", "planned_end", "strategy_period"),
                    ("revised_end", "revision_reason"),
                ),
                "description": _(
                    "Las fechas planificadas parten del plazo comprometido de la estrategia "
                    "(a la derecha, tal como lo escribe el informe). Un término revisado no "
                    "reemplaza al planificado: se registra con su motivo desde el portal."
                ),
            },
        ),
        (
            _("Avance"),
            {
                "fields": (("status", "progress", "completed_on"), "version"),
                "description": PROGRESS_IS_RECORDED_ELSEWHERE,
            },
        ),
        SOURCE_FIELDSET,
    )
    inlines = [ProgressUpdateInline]
    # A revert would write back status and progress without a ProgressUpdate to say so.
    allow_revert = False

    @admin.display(description=_("actividad"), ordering="title")
    def short_title(self, obj):
        return truncated(obj.title, 70)

    @admin.display(description=_("estrategia"), ordering="strategy__number")
    def strategy_number(self, obj):
        return obj.strategy.number

    @admin.display(description=_("plazo comprometido de la estrategia"))
    def strategy_period(self, obj):
        if obj is None or obj.strategy_id is None:
            return "—"
        strategy = obj.strategy
        return period_label(
            strategy.committed_period_text, strategy.committed_start, strategy.committed_end
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cluster", "strategy")
