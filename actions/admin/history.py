"""Read-only admin pages of what the portal writes: the progress history and the import runs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from actions.models import ImportRun, ProgressUpdate
from clusters.admin_site import AdminOnlyMixin


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


@admin.register(ImportRun)
class ImportRunAdmin(AdminOnlyMixin, admin.ModelAdmin):
    """Every confirmed import, applied or refused: written by the import service, only read here."""

    view_only = True

    list_display = (
        "started_at",
        "kind",
        "cluster",
        "file_name",
        "outcome",
        "created",
        "updated",
        "unchanged",
        "refused",
        "user",
    )
    list_filter = ("kind", ("cluster", admin.RelatedOnlyFieldListFilter), "outcome")
    list_select_related = ("cluster", "user")
    search_fields = ("file_name", "file_sha256", "user__username")
    date_hierarchy = "started_at"
    actions = None
    fields = (
        ("kind", "cluster", "user"),
        ("file_name", "file_sha256"),
        ("created", "updated", "unchanged", "refused"),
        ("outcome", "reason"),
        ("started_at", "finished_at"),
    )
    readonly_fields = tuple(name for line in fields for name in line)
