"""What the admin of the CERs gets from the app that owns the spreadsheets.

clusters imports nothing of actions (an import-linter contract, see pyproject.toml): the import
pages, the plan exports, the escaped export formats and the companies' export resource belong to
actions.spreadsheets, which installs them here when the apps are ready
(actions.apps.ActionsConfig.ready → actions.views.admin_spreadsheets.install). The admin classes of
clusters read them when Django asks for their URLs, formats or resources, which is after that.
"""

from dataclasses import dataclass, field


@dataclass
class SpreadsheetHooks:
    # django-import-export format classes offered by every export page of the admin.
    export_formats: list = field(default_factory=list)
    # model_admin → URL patterns of the import pages and plan exports under the CER list.
    hub_urls: object = None
    # The django-import-export resource of the companies' list.
    company_resource: type | None = None


SPREADSHEETS = SpreadsheetHooks()
