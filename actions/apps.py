from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Planes de acción")

    def ready(self):
        from django.db.backends.signals import connection_created

        from actions.reporting.search import register_sqlite_functions
        from actions.views import admin_spreadsheets

        # SQLite's search folds accents with a function of ours (actions.reporting.search).
        connection_created.connect(register_sqlite_functions)

        # clusters' admin gets its import pages and export formats from here (clusters.admin_hooks).
        admin_spreadsheets.install()
