"""The admin for the action plans: objectives, strategies, activities, goals, funding, actors.

Progress is not edited here. An activity's status, progress, completion date and revised end are
recorded through the portal's progress form and services, which write the activity's history
(ProgressUpdate); the admin shows them read-only, and shows that history without letting anyone
change or delete it. See clusters/admin.py for the rules every admin class follows.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    GoalMeasurement,
    Instrument,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from actions.plan.periods import PeriodError, parse_period
from actions.spreadsheets.resources import GoalMeasurementResource, ProgressResource
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


def _date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else None


def _period(text, start, end):
    """A committed period as the report wrote it, with the dates read from it."""
    if not (text or start or end):
        return "—"
    dates = f"{_date(start) or '?'} – {_date(end) or _('en adelante')}"
    return f"«{text}» ({dates})" if text else dates


def _label_with_cluster(obj):
    # Objectives and strategies are numbered per CER: "I)" or "4." alone is ambiguous.
    return f"{obj.cluster} · {obj}"


class ParentPickerMixin:
    """A picker of the parent (`parent_field`: an objective or a strategy) whose labels name the
    CER, since objectives and strategies are numbered per CER."""

    parent_field = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.parent_field:
            kwargs["queryset"] = db_field.related_model.objects.select_related("cluster")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = _label_with_cluster
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SameClusterParentMixin(ParentPickerMixin):
    """On an existing object, offer only parents of its own CER: moving it to another CER is
    refused (its `cluster` is denormalised from the parent)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and self.parent_field in form.base_fields:
            field = form.base_fields[self.parent_field]
            field.queryset = field.queryset.filter(cluster_id=obj.cluster_id)
        return form


class ClusterScopedFormMixin:
    """For forms of models with a `cluster` the form does not edit (read-only, or set from the
    parent): validate the CER-scoped unique constraints anyway.

    Django leaves out of model validation every field that is not on the form, and with it
    each constraint naming such a field, so a duplicate "4.2" in the same CER would reach the
    database as an IntegrityError (a server error) instead of a message beside the field.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.cluster_id is not None:
            exclude.discard("cluster")
        return exclude


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
    AdminOnlyMixin, TracedToSourceAdminMixin, PlanHistoryMixin, SimpleHistoryAdmin
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
        self._read_dates_from_text(cleaned)
        return cleaned

    def _read_dates_from_text(self, cleaned):
        text = cleaned.get("committed_period_text")
        if not text or not {"committed_start", "committed_end"} <= cleaned.keys():
            return
        if cleaned["committed_start"] is not None or cleaned["committed_end"] is not None:
            return  # dates given by hand win: they may correct an erratum of the text
        try:
            period = parse_period(text)
        except PeriodError as error:
            self.add_error(
                "committed_period_text",
                ValidationError(
                    _(
                        "%(error)s Escriba las fechas a mano (y la errata en la nota de "
                        "corrección)."
                    ),
                    code="period_unreadable",
                    params={"error": error},
                ),
            )
        else:
            cleaned["committed_start"] = period.start
            cleaned["committed_end"] = period.end


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
        if self.instance.pk is None or not self.has_changed():
            return
        current = Activity.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            # The admin's change view runs in a transaction: hold the row until it is saved.
            current = current.select_for_update()
        current_version = current.values_list("version", flat=True).first()
        if current_version is None or current_version != cleaned.get("loaded_version"):
            raise ValidationError(
                _(
                    "La actividad %(code)s cambió después de que abrió este formulario (por "
                    "ejemplo, alguien registró un avance). No se guardó nada: vuelva a abrirla "
                    "para ver los cambios."
                ),
                code="stale",
                params={"code": self.instance.code},
            )
        self._current_version = current_version

    def save(self, commit=True):
        if self.instance.pk is not None and hasattr(self, "_current_version"):
            self.instance.version = self._current_version + 1
        return super().save(commit)


class SharedChoicesInlineFormSet(BaseInlineFormSet):
    """Reads the choices of `shared_choice_fields` once for all the rows of an inline.

    Each row's <select> would otherwise query the same table again: one query per row.
    """

    shared_choice_fields = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        cache = self.__dict__.setdefault("_shared_choices", {})
        for name in self.shared_choice_fields:
            field = form.fields.get(name)
            if field is None:
                continue
            if name not in cache:
                cache[name] = list(field.choices)
            field.choices = cache[name]
            # The admin wraps the widget (the "+" and pencil links); the inner one renders.
            inner = getattr(field.widget, "widget", None)
            if inner is not None:
                inner.choices = cache[name]


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
        return _period(
            strategy.committed_period_text, strategy.committed_start, strategy.committed_end
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cluster", "strategy")


# Goals ---------------------------------------------------------------------------------------


class StrategyLabelMixin(ParentPickerMixin):
    """A strategy picker whose labels name the CER (strategies are numbered per CER)."""

    parent_field = "strategy"

    @admin.display(description=_("CER"), ordering="strategy__cluster__name")
    def cluster(self, obj):
        return obj.strategy.cluster


class GoalMeasurementInline(AdminOnlyMixin, admin.TabularInline):
    model = GoalMeasurement
    fields = ("measured_on", "value", "source", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Goal)
class GoalAdmin(
    AdminOnlyMixin,
    StrategyLabelMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = (
        "short_text",
        "strategy",
        "cluster",
        "target_value",
        "unit",
        "due",
        "has_errata",
    )
    list_filter = (("strategy__cluster", admin.RelatedOnlyFieldListFilter), ErrataFilter)
    list_select_related = ("strategy__cluster",)
    search_fields = ("text",)
    fieldsets = (
        (None, {"fields": ("strategy", "position", "text")}),
        (_("Indicador"), {"fields": (("target_value", "unit", "due"),)}),
        SOURCE_FIELDSET,
    )
    inlines = [GoalMeasurementInline]

    @admin.display(description=_("meta"), ordering="text")
    def short_text(self, obj):
        return truncated(obj.text)

    def save_formset(self, request, form, formset, change):
        if formset.model is not GoalMeasurement:
            return super().save_formset(request, form, formset, change)
        measurements = formset.save(commit=False)
        for measurement in formset.deleted_objects:
            measurement.delete()
        for measurement in measurements:
            if measurement.pk is None:
                measurement.recorded_by = request.user
            measurement.save()
        formset.save_m2m()


@admin.register(GoalMeasurement)
class GoalMeasurementAdmin(AdminOnlyMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    resource_classes = [GoalMeasurementResource]
    import_links = (("measurements", _("Importar mediciones")),)
    list_display = ("goal", "value", "measured_on", "source", "recorded_by", "recorded_at")
    list_filter = (("goal__strategy__cluster", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("goal", "recorded_by")
    search_fields = ("goal__text", "source")
    date_hierarchy = "measured_on"
    autocomplete_fields = ("goal",)
    fields = ("goal", ("value", "measured_on"), "source", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


# Funding, instruments, actors ----------------------------------------------------------------


@admin.register(Instrument)
class InstrumentAdmin(AdminOnlyMixin, PlanHistoryMixin, SimpleHistoryAdmin):
    list_display = ("name", "short_description", "funding_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(funding_total=Count("funding"))

    @admin.display(description=_("descripción"))
    def short_description(self, obj):
        return truncated(obj.description)

    @admin.display(description=_("líneas de financiamiento"), ordering="funding_total")
    def funding_count(self, obj):
        return obj.funding_total


@admin.register(Funding)
class FundingAdmin(
    AdminOnlyMixin,
    StrategyLabelMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = (
        "text",
        "strategy",
        "cluster",
        "kind",
        "share_percent",
        "instrument_names",
        "has_errata",
    )
    list_filter = (
        "kind",
        "instruments",
        ("strategy__cluster", admin.RelatedOnlyFieldListFilter),
        ErrataFilter,
    )
    list_select_related = ("strategy__cluster",)
    search_fields = ("text",)
    filter_horizontal = ("instruments",)
    fieldsets = (
        (None, {"fields": ("strategy", ("kind", "position"), "text")}),
        (_("Instrumentos y porcentaje"), {"fields": ("instruments", "share_percent")}),
        SOURCE_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("instruments")

    def save_model(self, request, obj, form, change):
        # simple-history writes a row per save and per change of the instruments; write one,
        # after the instruments are saved, so an edit is one entry with its whole after-state.
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        del form.instance.skip_history_when_saving
        form.instance.save()

    @admin.display(description=_("instrumentos"))
    def instrument_names(self, obj):
        return ", ".join(instrument.name for instrument in obj.instruments.all())


@admin.register(Actor)
class ActorAdmin(AdminOnlyMixin, PlanHistoryMixin, SimpleHistoryAdmin):
    list_display = ("name", "involvement_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(involvement_total=Count("involvements"))

    @admin.display(description=_("participaciones"), ordering="involvement_total")
    def involvement_count(self, obj):
        return obj.involvement_total


@admin.register(Involvement)
class InvolvementAdmin(
    AdminOnlyMixin,
    StrategyLabelMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = ("actor", "role", "strategy", "cluster", "position", "has_errata")
    list_filter = ("role", ("strategy__cluster", admin.RelatedOnlyFieldListFilter), ErrataFilter)
    list_select_related = ("actor", "strategy__cluster")
    search_fields = ("actor__name", "strategy__title")
    autocomplete_fields = ("actor",)
    fieldsets = (
        (None, {"fields": ("strategy", "actor", ("role", "position"))}),
        SOURCE_FIELDSET,
    )


# Progress history ----------------------------------------------------------------------------


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(AdminOnlyMixin, admin.ModelAdmin):
    """Append-only history: shown, never added, changed or deleted here, not even by admins."""

    view_only = True

    list_display = (
        "effective_on",
        "activity_code",
        "cluster",
        "kind",
        "old_status",
        "new_status",
        "new_progress",
        "author",
        "recorded_at",
    )
    list_display_links = ("effective_on", "activity_code")
    list_filter = (
        ("activity__cluster", admin.RelatedOnlyFieldListFilter),
        "kind",
        "new_status",
    )
    list_select_related = ("activity__cluster", "author")
    search_fields = ("activity__code", "activity__title", "note")
    date_hierarchy = "effective_on"
    actions = None
    fieldsets = (
        (
            None,
            {
                "fields": ("activity", "kind", "effective_on", "recorded_at", "author"),
                "description": _(
                    "Historial de avance: se escribe desde el formulario de avance del portal y "
                    "no se modifica ni se borra."
                ),
            },
        ),
        (
            _("Cambio registrado"),
            {
                "fields": (
                    ("old_status", "new_status"),
                    ("old_progress", "new_progress"),
                    ("old_revised_end", "new_revised_end"),
                    "note",
                )
            },
        ),
        (_("Evidencia"), {"fields": ("evidence_file", "evidence_name")}),
    )
    readonly_fields = (
        "activity",
        "kind",
        "effective_on",
        "recorded_at",
        "author",
        "old_status",
        "new_status",
        "old_progress",
        "new_progress",
        "old_revised_end",
        "new_revised_end",
        "note",
        "evidence_file",
        "evidence_name",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity__cluster", "author")

    @admin.display(description=_("actividad"), ordering="activity__code")
    def activity_code(self, obj):
        return obj.activity.code

    @admin.display(description=_("CER"), ordering="activity__cluster__name")
    def cluster(self, obj):
        return obj.activity.cluster

    @admin.display(description=_("archivo de evidencia"))
    def evidence_file(self, obj):
        # The stored name only: evidence is served by the portal's permission-checking view,
        # never from a public media URL.
        return obj.evidence.name if obj.evidence else "—"
