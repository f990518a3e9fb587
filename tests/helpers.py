"""Helpers shared by several test modules (test modules never import each other)."""

import io
import re

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

# The columns of a progress import, in the order the export writes them.
PROGRESS_HEADER = ["cer", "código", "estado", "avance", "nota", "fecha"]


def xlsx(rows, sheet=None):
    """An .xlsx file (bytes) whose first sheet holds `rows`."""
    workbook = Workbook()
    if sheet:
        workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def token_of(response):
    """The preview token an accepted upload redirects to."""
    assert response.status_code == 302, getattr(response, "context", None) and response.context.get(
        "refused"
    )
    match = re.search(r"/preview/([^/]+)/$", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# History (django-simple-history) ------------------------------------------------------------


def historical_models():
    return [model for model in apps.get_models() if model.__name__.startswith("Historical")]


def history_rows():
    """How many historical rows each tracked model has."""
    return {model.__name__: model.objects.count() for model in historical_models()}


def added_rows(before):
    """The historical rows added since `before` (a history_rows()), by model."""
    after = history_rows()
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


# The admin ----------------------------------------------------------------------------------


def post_data_of(response):
    """What the change form in `response` posts when saved as shown (like a browser would)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            widget = form.fields[name].widget
            if isinstance(widget, MultiWidget):
                for suffix, part in zip(
                    widget.widgets_names, widget.decompress(value), strict=True
                ):
                    data[f"{key}{suffix}"] = str(part)
            elif value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data


def admin_edit(client, obj, changes):
    """Open obj's admin change page and save it with `changes`, as a person would."""
    opts = obj._meta
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    data = {**post_data_of(page), **changes, "_save": "Guardar"}
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")


# Signed-in clients and the progress form ----------------------------------------------------


def signed_in(user):
    """A fresh test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def progress_form_data(activity, **data):
    """What the activity page's progress form posts, at the activity's current version."""
    from actions.models import Activity

    return {
        "status": "in_progress",
        "progress": "30",
        "note": "",
        "version": str(Activity.objects.get(pk=activity.pk).version),
        **data,
    }


# Imports --------------------------------------------------------------------------------------


def upload_progress(client, rows, slug="cer-a", name="avances.xlsx"):
    """Upload `rows` as a progress import of CER `slug`."""
    return client.post(
        f"/clusters/{slug}/import/progress/",
        {"file": SimpleUploadedFile(name, xlsx(rows))},
    )


def progress_preview_rows(client, token, slug="cer-a"):
    """The preview's rows by row number, and the preview page itself."""
    response = client.get(f"/clusters/{slug}/import/progress/preview/{token}/")
    assert response.status_code == 200
    return {row["number"]: row for row in response.context["preview"]["rows"]}, response


def progress_state():
    """What a progress import may change: the plan, the updates, each activity's version and
    its history."""
    from actions.models import Activity, ProgressUpdate
    from actions.reporting.export_plan import export_plan

    return (
        export_plan(),
        ProgressUpdate.objects.count(),
        list(Activity.objects.order_by("pk").values_list("version", flat=True)),
        Activity.history.count(),
    )


def import_state():
    """What any import may change: the plan, progress, measurements, companies, versions."""
    from actions.models import Activity, GoalMeasurement, ProgressUpdate
    from actions.reporting.export_plan import export_plan
    from clusters.models import Company

    return (
        export_plan(),
        ProgressUpdate.objects.count(),
        GoalMeasurement.objects.count(),
        list(Company.objects.values_list("name", "rut", "size")),
        list(Activity.objects.order_by("pk").values_list("version", flat=True)),
    )


def plan_workbook(*rows):
    """A plan-structure workbook: rows are dicts of header → value."""
    from actions.spreadsheets.imports.plan import PLAN_COLUMNS

    headers = [column.header for column in PLAN_COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Estructura"
    sheet.append(headers)
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, unknown
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_state():
    """What a plan import may change: the plan, every plan model's history, progress."""
    from actions.models import (
        Activity,
        Actor,
        Funding,
        Goal,
        Involvement,
        Objective,
        ProgressUpdate,
        Strategy,
    )
    from actions.reporting.export_plan import export_plan
    from clusters.models import Cluster

    history = sum(
        model.history.count()
        for model in (Cluster, Objective, Strategy, Activity, Goal, Funding, Involvement, Actor)
    )
    return (export_plan(), history, ProgressUpdate.objects.count())


def admin_plan_import(client, data, name="plan.xlsx"):
    """Upload a plan workbook in the admin; the preview's token and page."""
    response = client.post(
        "/admin/clusters/cluster/import/plan/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.context and response.context.get("refused")
    preview = client.get(response["Location"])
    token = re.search(r"/preview/([^/]+)/$", response["Location"]).group(1)
    return token, preview
