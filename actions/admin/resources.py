"""The admin of a strategy's resources and actors: funding lines, instruments, actors and
involvements."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.admin.mixins import PlanWritesMixin, StrategyLabelMixin, change_reason
from actions.models import Actor, Funding, Instrument, Involvement
from actions.plan import services as plan_services
from clusters.admin import (
    SOURCE_FIELDSET,
    ErrataFilter,
    PlanHistoryMixin,
    TracedToSourceAdminMixin,
    truncated,
)
from clusters.admin_site import AdminOnlyMixin


@admin.register(Instrument)
class InstrumentAdmin(AdminOnlyMixin, PlanWritesMixin, PlanHistoryMixin, SimpleHistoryAdmin):
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
    PlanWritesMixin,
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
        # The service saves the line and its instruments as one history entry.
        plan_services.save_plan_object(
            acting_user=request.user,
            instance=obj,
            reason=change_reason(change),
            instruments=form.cleaned_data.get("instruments"),
        )

    def save_related(self, request, form, formsets, change):
        # The instruments were set by save_model's service; a funding line has no inlines.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("instrumentos"))
    def instrument_names(self, obj):
        return ", ".join(instrument.name for instrument in obj.instruments.all())


@admin.register(Actor)
class ActorAdmin(AdminOnlyMixin, PlanWritesMixin, PlanHistoryMixin, SimpleHistoryAdmin):
    list_display = ("name", "organisation", "involvement_count")
    list_select_related = ("organisation",)
    search_fields = ("name", "organisation__name")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("organisation")
            .annotate(involvement_total=Count("involvements"))
        )

    @admin.display(description=_("participaciones"), ordering="involvement_total")
    def involvement_count(self, obj):
        return obj.involvement_total


@admin.register(Involvement)
class InvolvementAdmin(
    AdminOnlyMixin,
    PlanWritesMixin,
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
