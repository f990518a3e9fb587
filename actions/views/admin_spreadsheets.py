"""The spreadsheet pages in the admin: plugged into the CER and company lists of clusters' admin.

clusters imports nothing of actions, so its admin offers hooks (clusters.admin_hooks) and this
module fills them in at start-up (actions.apps.ActionsConfig.ready): the import pages (every
kind, every CER: actions.views.imports.AdminImportViews) and the plan exports under the CER
list, the escaped CSV and XLSX formats of every admin export, and the companies' resource.
"""

from django.urls import path

from actions.spreadsheets.exports.cells import EXPORT_FORMATS
from actions.spreadsheets.resources import CompanyResource
from actions.views.imports import AdminImportViews
from clusters.admin_hooks import SPREADSHEETS


def hub_urls(model_admin):
    """The import pages and the plan exports, mounted under the CER list of the admin."""
    views = AdminImportViews(model_admin)
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/<slug:kind>/", wrap(views.upload), name="clusters_cluster_import"),
        path(
            "import/<slug:kind>/preview/<str:token>/",
            wrap(views.preview),
            name="clusters_cluster_import_preview",
        ),
        path(
            "import/<slug:kind>/confirm/<str:token>/",
            wrap(views.confirm),
            name="clusters_cluster_import_confirm",
        ),
        path(
            "import/<slug:kind>/template.xlsx",
            wrap(views.template),
            name="clusters_cluster_import_template",
        ),
        path(
            "export/plan.xlsx",
            wrap(views.export_plan_xlsx),
            name="clusters_cluster_export_plan_xlsx",
        ),
        path(
            "export/plan.json",
            wrap(views.export_plan_json),
            name="clusters_cluster_export_plan_json",
        ),
        path(
            "export/progress.csv",
            wrap(views.export_progress_csv),
            name="clusters_cluster_export_progress_csv",
        ),
        path(
            "export/progress.xlsx",
            wrap(views.export_progress_xlsx),
            name="clusters_cluster_export_progress_xlsx",
        ),
    ]


def install():
    SPREADSHEETS.export_formats = EXPORT_FORMATS
    SPREADSHEETS.hub_urls = hub_urls
    SPREADSHEETS.company_resource = CompanyResource
