"""The admin for CERs, obstacles, companies and roles, and the pieces the actions admin shares.

Only admins reach it (clusters.admin_site): every ModelAdmin and inline starts with
AdminOnlyMixin, so permissions come from clusters.permissions.is_admin, not per-model perms.

Two rules hold for every admin class here and in actions/admin.py:

- no list_editable: a changelist row saved from a stale page would silently overwrite a newer
  edit (a lost update);
- plan-structure models (those with django-simple-history) have no bulk "delete selected":
  a bulk delete skips the per-object confirmation and the history a person can follow.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from clusters.admin_accounts import UserAdmin
from clusters.admin_history import ReadableHistoryHelper
from clusters.admin_hooks import SPREADSHEETS
from clusters.admin_site import AdminOnlyMixin, DataVersionAdminMixin
from clusters.models import (
    Cluster,
    Company,
    CompanyOwnership,
    Measure,
    Obstacle,
    StaffAssignment,
)
from clusters.permissions import is_admin

# Shared pieces -------------------------------------------------------------------------------

SOURCE_FIELDSET = (
    _("Fuente y errata"),
    {
        "fields": ("source", "correction_note"),
        "description": _(
            "Dónde está en el informe de origen. La nota de corrección se muestra a los "
            "usuarios: explica cada errata del informe y cómo se corrigió, para que nada "
            "cambie en silencio."
        ),
    },
)


def truncated(text, length=80):
    return Truncator(text).chars(length)


class ErrataFilter(admin.SimpleListFilter):
    """Objects whose source text had an erratum corrected on the way in."""

    title = _("errata")
    parameter_name = "errata"

    def lookups(self, request, model_admin):
        return (("yes", _("con nota de corrección")), ("no", _("sin nota de corrección")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(correction_note="")
        if self.value() == "no":
            return queryset.filter(correction_note="")
        return queryset


class CerListFilter(admin.RelatedFieldListFilter):
    """A list's filter by CER: every CER as a choice while there are few of them.

    With more than MAX_CHOICES (a thousand at the national tier) a list of links is no way to
    find one and costs more than the rest of the page: only the chosen CER is shown, and a
    CER's rows are reached from the CER list (its activity count links there, with the same
    parameter).
    """

    MAX_CHOICES = 30

    def field_choices(self, field, request, model_admin):
        named = Cluster.objects.order_by("name").values_list("pk", "name")
        choices = list(named[: self.MAX_CHOICES + 1])
        if len(choices) <= self.MAX_CHOICES:
            return choices
        chosen = self.lookup_val[-1] if self.lookup_val else ""
        return list(named.filter(pk=chosen)) if str(chosen).isdigit() else []

    def has_output(self):
        return bool(self.lookup_choices)


class TracedToSourceAdminMixin:
    """Columns for models built on clusters.models.TracedToSource."""

    @admin.display(boolean=True, description=_("errata"), ordering="correction_note")
    def has_errata(self, obj):
        return bool(obj.correction_note)


class PlanHistoryMixin:
    """History rules of the plan-structure admins; listed before SimpleHistoryAdmin.

    History and "revert" follow the admin's own permissions (AdminOnlyMixin), whatever
    SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS says, and a model may refuse revert
    altogether (allow_revert = False) when a revert would rewrite fields the admin keeps read-only.
    """

    actions = None
    allow_revert = True

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return self.allow_revert and self.has_change_permission(request, obj)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_view_history_permission(request, obj)

    def get_historical_record_context_helper(self, request, historical_record):
        # Labels, dashes and day-month-year dates instead of stored values (admin_history).
        return ReadableHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# Spreadsheets ----------------------------------------------------------------------------------
# Imports have their own pages (actions/views/imports.py: preview, then confirm, through the
# services), mounted on the CER list by SpreadsheetHubMixin through clusters.admin_hooks, which
# actions fills in (clusters imports nothing of actions); the lists of activities, companies
# and measurements also export through django-import-export (SpreadsheetExportMixin). Both ask
# clusters.permissions.is_admin, not Django's per-model permissions
# (IMPORT_EXPORT_IMPORT_PERMISSION_CODE and _EXPORT_ in settings are a fallback that fails closed).

SPREADSHEET_CHANGE_LIST_TEMPLATE = "actions/import_admin_changelist.html"


class SpreadsheetLinksMixin:
    """Buttons above a changelist: `import_links` are import kinds of the CER list's hub."""

    import_links = ()  # ((kind, label), …)
    export_links = ()  # ((admin URL name, label), …)

    def has_import_permission(self, request):
        return is_admin(request.user)

    def has_export_permission(self, request):
        return is_admin(request.user)


class SpreadsheetExportMixin(SpreadsheetLinksMixin, ExportMixin):
    """django-import-export's export page, with the escaped CSV and XLSX that actions installs
    (actions.spreadsheets.exports.cells, through clusters.admin_hooks)."""

    import_export_change_list_template = SPREADSHEET_CHANGE_LIST_TEMPLATE

    @property
    def export_formats(self):
        return SPREADSHEETS.export_formats


class SpreadsheetHubMixin(SpreadsheetLinksMixin):
    """The import pages (every kind, every CER) and the plan exports, under the CER list."""

    change_list_template = SPREADSHEET_CHANGE_LIST_TEMPLATE

    import_links = (
        ("plan", _("Importar plan")),
        ("progress", _("Importar avances")),
        ("companies", _("Importar empresas")),
        ("measurements", _("Importar mediciones")),
    )
    export_links = (
        ("admin:clusters_cluster_export_plan_xlsx", _("Exportar plan (XLSX)")),
        ("admin:clusters_cluster_export_plan_json", _("Exportar plan (JSON)")),
        ("admin:clusters_cluster_export_progress_csv", _("Exportar avances (CSV)")),
        ("admin:clusters_cluster_export_progress_xlsx", _("Exportar avances (XLSX)")),
    )

    def get_urls(self):
        # The pages themselves are actions' (installed in clusters.admin_hooks).
        hub = SPREADSHEETS.hub_urls(self) if SPREADSHEETS.hub_urls else []
        return [*hub, *super().get_urls()]


# CERs, obstacles, measures -------------------------------------------------------------------


class ObstacleInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Obstacle
    fields = ("position", "title", "has_errata")
    readonly_fields = ("has_errata",)
    extra = 0
    show_change_link = True


class ClusterChangeList(ChangeList):
    """The CER list, with how many objectives and activities each CER of the page has.

    Counted for the page's rows only, in one query after the page's: annotations on the list's
    queryset would be computed for every row an OFFSET skips, or join objectives × activities
    for every CER.
    """

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        counts = {
            pk: (objectives, activities)
            for pk, objectives, activities in Cluster.objects.filter(pk__in=[c.pk for c in rows])
            .annotate(
                objectives_total=Count("objectives", distinct=True),
                activities_total=Count("activities", distinct=True),
            )
            .values_list("pk", "objectives_total", "activities_total")
        }
        for cluster in rows:
            cluster.objectives_total, cluster.activities_total = counts.get(cluster.pk, (0, 0))


@admin.register(Cluster)
class ClusterAdmin(
    AdminOnlyMixin,
    DataVersionAdminMixin,
    SpreadsheetHubMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = (
        "name",
        "slug",
        "sector",
        "region",
        "objectives_count",
        "activities_count",
        "has_errata",
    )
    list_filter = ("region", ErrataFilter)
    search_fields = ("name", "slug", "sector", "region")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "sector", "region", "description")}),
        SOURCE_FIELDSET,
    )
    inlines = [ObstacleInline]

    # A page of 50 and a search box: at the national tier there are a thousand CERs.
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return ClusterChangeList

    @admin.display(description=_("objetivos"))
    def objectives_count(self, obj):
        return obj.objectives_total

    @admin.display(description=_("actividades"))
    def activities_count(self, obj):
        # The way to a CER's activities when there are too many CERs to list as a filter.
        url = reverse("admin:actions_activity_changelist")
        return format_html(
            '<a href="{}?cluster__id__exact={}">{}</a>', url, obj.pk, obj.activities_total
        )


class MeasureInline(AdminOnlyMixin, TracedToSourceAdminMixin, admin.TabularInline):
    model = Measure
    fields = ("position", "text", "has_errata")
    readonly_fields = ("has_errata",)
    extra = 0
    show_change_link = True


@admin.register(Obstacle)
class ObstacleAdmin(
    AdminOnlyMixin,
    DataVersionAdminMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = ("position", "short_title", "cluster", "has_errata")
    list_display_links = ("position", "short_title")
    list_filter = ("cluster", ErrataFilter)
    list_select_related = ("cluster",)
    search_fields = ("title",)
    fieldsets = ((None, {"fields": ("cluster", "position", "title")}), SOURCE_FIELDSET)
    inlines = [MeasureInline]

    @admin.display(description=_("obstáculo"), ordering="title")
    def short_title(self, obj):
        return truncated(obj.title)


@admin.register(Measure)
class MeasureAdmin(
    AdminOnlyMixin,
    DataVersionAdminMixin,
    TracedToSourceAdminMixin,
    PlanHistoryMixin,
    SimpleHistoryAdmin,
):
    list_display = ("position", "short_text", "short_obstacle", "cluster", "has_errata")
    list_display_links = ("position", "short_text")
    list_filter = (("obstacle__cluster", admin.RelatedOnlyFieldListFilter), ErrataFilter)
    list_select_related = ("obstacle__cluster",)
    search_fields = ("text", "obstacle__title")
    autocomplete_fields = ("obstacle",)
    fieldsets = ((None, {"fields": ("obstacle", "position", "text")}), SOURCE_FIELDSET)

    @admin.display(description=_("medida"), ordering="text")
    def short_text(self, obj):
        return truncated(obj.text)

    @admin.display(description=_("obstáculo"), ordering="obstacle__position")
    def short_obstacle(self, obj):
        return truncated(obj.obstacle.title, 60)

    @admin.display(description=_("CER"), ordering="obstacle__cluster__name")
    def cluster(self, obj):
        return obj.obstacle.cluster


# Companies and roles -------------------------------------------------------------------------


@admin.register(Company)
class CompanyAdmin(AdminOnlyMixin, DataVersionAdminMixin, SpreadsheetExportMixin, admin.ModelAdmin):
    import_links = (("companies", _("Importar empresas")),)
    list_display = ("name", "rut", "size", "cluster")
    list_filter = ("cluster", "size")
    list_select_related = ("cluster",)
    search_fields = ("name", "rut")
    fields = ("cluster", "name", "rut", "size")

    def get_resource_classes(self, request):
        # The companies file's columns are the companies import's (installed by actions).
        return [SPREADSHEETS.company_resource] if SPREADSHEETS.company_resource else []


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "cluster")
    list_filter = ("cluster",)
    list_select_related = ("user", "cluster")
    search_fields = ("user__username", "user__first_name", "user__last_name", "cluster__name")
    autocomplete_fields = ("user", "cluster")


@admin.register(CompanyOwnership)
class CompanyOwnershipAdmin(AdminOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "company", "cluster")
    list_filter = (("company__cluster", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("user", "company__cluster")
    search_fields = ("user__username", "user__first_name", "user__last_name", "company__name")
    # The CER follows from the company; an owner has no CER of their own to pick.
    autocomplete_fields = ("user", "company")

    @admin.display(description=_("CER"), ordering="company__cluster__name")
    def cluster(self, obj):
        return obj.company.cluster


# Accounts ------------------------------------------------------------------------------------
# django.contrib.auth and django-axes register their own ModelAdmins, which ask for Django's
# per-model permissions. Re-registered with AdminOnlyMixin, a member of the admin group manages
# accounts, roles and sign-in lock-outs like a superuser does, and the user autocomplete of the
# role forms above answers them.


def _reregister(model, admin_class):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


class GroupAdmin(AdminOnlyMixin, auth_admin.GroupAdmin):
    pass


def _refuse_add(self, request, *args):
    # django-axes writes these rows itself; nobody adds them by hand.
    return False


class AccessAttemptAdmin(AdminOnlyMixin, axes_admin.AccessAttemptAdmin):
    has_add_permission = _refuse_add


class AccessLogAdmin(AdminOnlyMixin, axes_admin.AccessLogAdmin):
    has_add_permission = _refuse_add


class AccessFailureLogAdmin(AdminOnlyMixin, axes_admin.AccessFailureLogAdmin):
    has_add_permission = _refuse_add


# Accounts: clusters.admin_accounts (the add form creates them through clusters.services).
_reregister(get_user_model(), UserAdmin)
_reregister(Group, GroupAdmin)
for _model, _admin_class in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    # Only where django-axes itself offers them (AXES_ENABLE_ADMIN).
    if admin.site.is_registered(_model):
        _reregister(_model, _admin_class)
