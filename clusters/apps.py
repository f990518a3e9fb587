from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    default = True
    name = "clusters"
    verbose_name = _("CER y empresas")


class CerplanAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clusters.admin_site.CerplanAdminSite"
