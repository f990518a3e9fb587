"""Helpers shared by several test modules (test modules never import each other)."""

import io
import re

from django.apps import apps
from django.forms import MultiWidget
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
