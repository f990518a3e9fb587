"""The admin of goals and their measurements: measurements through the progress services, so
the admin's follow the same rules as the portal's and the import's (no future date, a source)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.admin.mixins import PlanWritesMixin, StrategyLabelMixin
from actions.models import Goal, GoalMeasurement
from actions.progress import services as progress_services
from actions.spreadsheets.resources import GoalMeasurementResource
from clusters.admin import (
    SOURCE_FIELDSET,
    ErrataFilter,
    PlanHistoryMixin,
    SpreadsheetExportMixin,
    TracedToSourceAdminMixin,
    truncated,
)
from clusters.admin_site import AdminOnlyMixin


class GoalMeasurementForm(forms.ModelForm):
    """The measurement's rules shown beside their fields; the service applies them again."""

    def clean(self):
        cleaned = super().clean()
        errors = progress_services.measurement_rule_errors(
            measured_on=cleaned.get("measured_on"), source=cleaned.get("source", "-")
        )
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        return cleaned


def save_measurement(request, measurement, goal_id):
    """Record a new measurement or correct a stored one, through the service."""
    values = {
        "acting_user": request.user,
        "goal_id": goal_id,
        "value": measurement.value,
        "measured_on": measurement.measured_on,
        "source": measurement.source,
    }
    if measurement.pk is None:
        saved = progress_services.record_goal_measurement(**values)
    else:
        saved = progress_services.correct_goal_measurement(measurement_id=measurement.pk, **values)
    measurement.pk, measurement.recorded_by = saved.pk, saved.recorded_by
    return saved


class GoalMeasurementInline(AdminOnlyMixin, admin.TabularInline):
    model = GoalMeasurement
    form = GoalMeasurementForm
    fields = ("measured_on", "value", "source", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Goal)
class GoalAdmin(
    AdminOnlyMixin,
    PlanWritesMixin,
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
            progress_services.delete_goal_measurement(
                measurement_id=measurement.pk, acting_user=request.user
            )
        for measurement in measurements:
            save_measurement(request, measurement, form.instance.pk)


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

    form = GoalMeasurementForm

    def save_model(self, request, obj, form, change):
        save_measurement(request, obj, obj.goal_id)

    def delete_model(self, request, obj):
        progress_services.delete_goal_measurement(measurement_id=obj.pk, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for measurement in queryset:
            self.delete_model(request, measurement)
