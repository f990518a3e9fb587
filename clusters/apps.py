from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    default = True
    name = "clusters"
    verbose_name = _("CER y empresas")

    def ready(self):
        from clusters import signals  # noqa: F401  (connects the security log)


class CerplanAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clusters.admin_site.CerplanAdminSite"
