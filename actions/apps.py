from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Planes de acción")

    def ready(self):
        from actions.views import admin_spreadsheets

        # clusters' admin gets its import pages and export formats from here (clusters.admin_hooks).
        admin_spreadsheets.install()
