from django.contrib import admin
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
