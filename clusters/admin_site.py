from django.contrib import admin
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

from clusters.permissions import is_admin


class CerplanAdminSite(admin.AdminSite):
    """The admin, open to admins only (clusters.permissions.is_admin), never to staff or owners."""

    site_header = _("cerplan: administración")
    site_title = _("cerplan")
    index_title = _("Planes de acción de los CER")

    def has_permission(self, request):
        return is_admin(request.user)


class AdminOnlyMixin:
    """ModelAdmin permissions from clusters.permissions instead of per-model Django perms.

    view_only: shown to admins, never added, changed or deleted here (append-only history,
    or objects edited on their own page).
    """

    view_only = False

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request, *args):
        return not self.view_only and is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return not self.view_only and is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return not self.view_only and is_admin(request.user)


class DataVersionAdminMixin:
    """Every save and delete made here gives the CERs it touches a new data version, in the
    admin's own transaction (clusters.versions): the cached pages show an admin edit at once.

    Listed right after AdminOnlyMixin among a ModelAdmin's bases. The bump comes after every
    write of the request (save_related runs after the inlines), as clusters.versions asks; the
    CERs an object belonged to before the edit are bumped as well, in case it moved.
    """

    def save_model(self, request, obj, form, change):
        from clusters.versions import cluster_ids_of

        before = cluster_ids_of(self.model, [obj.pk]) if change else set()
        super().save_model(request, obj, form, change)
        request.cerplan_saved = (obj, change, before)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._bump_saved(request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to a historical version saves through save_model alone, outside any
        # transaction of the admin's: bump in one with the save.
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().history_form_view(request, object_id, version_id, extra_context)
            self._bump_saved(request)
        return response

    def _bump_saved(self, request):
        from clusters.versions import cluster_ids_of

        saved = getattr(request, "cerplan_saved", None)
        if saved is None:
            return
        del request.cerplan_saved
        obj, change, before = saved
        after = cluster_ids_of(self.model, [obj.pk])
        if after is None and not change:
            return  # a new actor, instrument or user is in no page yet
        _bump(None if before is None or after is None else before | after)

    def delete_model(self, request, obj):
        from clusters.versions import cluster_ids_of

        ids = cluster_ids_of(self.model, [obj.pk])
        super().delete_model(request, obj)
        _bump(ids)

    def delete_queryset(self, request, queryset):
        from clusters.versions import cluster_ids_of

        with transaction.atomic(using=router.db_for_write(self.model)):
            ids = cluster_ids_of(self.model, queryset.values_list("pk", flat=True))
            super().delete_queryset(request, queryset)
            _bump(ids)


def _bump(cluster_ids):
    """Bump ``cluster_ids``; None: every CER."""
    from clusters.versions import bump_data_version, bump_every_data_version

    if cluster_ids is None:
        bump_every_data_version()
    else:
        bump_data_version(cluster_ids)
