"""The pages people look at every week: CER dashboard, plan matrix and timeline (home: home.py).

Thin views: access through actions.permissions, figures from actions.reporting.plans (whose
query count does not grow with the plan), and ``?as_of=YYYY-MM-DD`` read the same way on the
three CER pages.
"""

import datetime
import re
import zlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from actions.models import ActivityKind, Status
from actions.permissions import get_readable_cluster, may_record_progress
from actions.reporting import cache as cerplan_cache
from actions.reporting import obstacles, plans, rollup, timeline
from actions.views.imports import import_links

AS_OF_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_as_of(request):
    """The ``as_of`` date of the request: ``(date or None, error message or None)``.

    Only YYYY-MM-DD is accepted; anything else, or a date after today, is refused with a message
    saying why, and the page falls back to today.
    """
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, None
    day = None
    if AS_OF_FORMAT.fullmatch(raw):
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            day = None
    if day is None:
        return None, _(
            "La fecha «%(value)s» no es válida: escríbala como AAAA-MM-DD (por ejemplo, "
            "2008-06-30). Se muestra el plan de hoy."
        ) % {"value": raw[:40]}
    today = timezone.localdate()
    if day > today:
        return None, _(
            "La fecha %(date)s es posterior a hoy y el historial no la alcanza. Se muestra el plan "
            "de hoy."
        ) % {"date": day.strftime("%d-%m-%Y")}
    return day, None


def page_context(request, cluster, page):
    as_of, as_of_error = read_as_of(request)
    today = timezone.localdate()
    return {
        "cluster": cluster,
        "page": page,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "day": as_of or today,
        "today": today,
        "generated_at": timezone.localtime(),
        "can_record": may_record_progress(request.user, cluster.id),
        # Filters and other parameters survive a change of date.
        "keep_params": [
            (key, value)
            for key, values in request.GET.lists()
            if key != "as_of"
            for value in values
        ],
        "due_soon_days": rollup.DUE_SOON_DAYS,
        "statuses": [(status.value, status.label) for status in plans.STATUS_ORDER],
    }


@login_required
def cluster_dashboard(request, slug):
    cluster = get_readable_cluster(request.user, slug)
    context = page_context(request, cluster, "dashboard")
    as_of, day, can_record = context["as_of"], context["day"], context["can_record"]
    body, header = _cached_parts(
        request,
        context,
        ("record" if can_record else "read",),
        lambda: _dashboard_body(cluster, as_of, day, can_record),
    )
    context.update(
        figures=body["figures"],
        page_header=header,
        # Outside the cached body, as it depends on the role, not only on can_record. No query:
        # the role was read for can_record and is kept on the user (clusters.permissions).
        import_links=import_links(request.user, cluster),
        dashboard_body=mark_safe(_decompressed(body["html"])),  # noqa: S308 (rendered by us)
    )
    return render(request, "actions/dashboard.html", context)


# The CER pages below their header are the same for everyone who gets the same figures in the
# same words: cached per CER data version (actions.reporting.cache) and what else changes them
# (the as-of date, today, the language, the rights they show). The rest of the page (the user's
# name, CSRF tokens) is rendered for each request, and so is the header when the request carries
# anything of its own (filters kept by the date form, a date it could not read).

#: The page titles the header names (as the pages' templates translate them).
PAGE_TITLES = {"dashboard": gettext_lazy("Resumen"), "timeline": gettext_lazy("Cronograma")}
#: Seconds a header is kept: it says the minute the page was generated, and only that minute.
HEADER_TIMEOUT = 120


def _cached_parts(request, context, parts, render_body):
    """The page's part below its header (``render_body()``, keyed also by ``parts``) and, when
    the request carries nothing of its own, its header (else None): one cache read for both."""
    as_of, page = context["as_of"], context["page"]
    # Today even for a past date: a date becomes "the past", replayed, the day after.
    common = (as_of.isoformat() if as_of else "-", context["today"].isoformat(), get_language())
    entries = {"body": cerplan_cache.Entry((page, *common, *parts), render_body)}
    if set(request.GET) <= {"as_of"} and not context["as_of_error"]:
        minute = context["generated_at"].strftime("%Y-%m-%dT%H:%M")
        entries["header"] = cerplan_cache.Entry(
            (f"{page}-header", *common, minute),
            lambda: render_to_string(
                "partials/plan_header.html",
                {**context, "page_title": PAGE_TITLES[page]},
                request,
            ),
            timeout=HEADER_TIMEOUT,
            secondary=True,
        )
    values = cerplan_cache.cached_entries(context["cluster"], entries)
    header = values.get("header")
    return values["body"], mark_safe(header) if header is not None else None  # noqa: S308


def _dashboard_body(cluster, as_of, day, can_record):
    """The dashboard below its header, and its headline figures: from nothing but the CER's
    data, the dates, the language (active) and ``can_record``, which is all its key names."""
    data = plans.dashboard(cluster, as_of)
    statuses = [(status.value, status.label) for status in plans.STATUS_ORDER]
    html = render_to_string(
        "actions/dashboard_body.html",
        {
            "cluster": cluster,
            "as_of": as_of,
            "day": day,
            "can_record": can_record,
            "due_soon_days": rollup.DUE_SOON_DAYS,
            "due_soon_until": day + datetime.timedelta(days=rollup.DUE_SOON_DAYS),
            "figures": data.figures,
            "status_counts": [
                (value, label, data.figures[f"status_{value}"]) for value, label in statuses
            ],
            "objectives": data.objectives,
            "attention": data.attention,
            "goals": data.goals,
            "updates": data.updates,
            "progress_chart": data.progress_chart,
        },
    )
    return {"figures": data.figures, "html": _compressed(html)}


class PlanFilterForm(forms.Form):
    """The plan matrix filters, read from the URL; choices are what the CER's plan contains."""

    status = forms.ChoiceField(label=gettext_lazy("Estado"), required=False)
    actor = forms.TypedChoiceField(
        label=gettext_lazy("Responsable"), required=False, coerce=int, empty_value=None
    )
    instrument = forms.TypedChoiceField(
        label=gettext_lazy("Instrumento"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=gettext_lazy("Tipo"), required=False)
    # Any plausible year is accepted; the select offers the years the plan spans.
    year = forms.IntegerField(
        label=gettext_lazy("Año"),
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.Select,
    )
    overdue = forms.BooleanField(label=gettext_lazy("Solo atrasadas"), required=False)
    due_soon = forms.BooleanField(required=False)

    def __init__(self, data, *, actors, instruments, due_soon_days):
        super().__init__(data)
        anything = [("", _("Todos"))]
        self.fields["status"].choices = anything + [
            (status.value, status.label) for status in plans.STATUS_ORDER
        ]
        self.fields["actor"].choices = anything + list(actors)
        self.fields["instrument"].choices = anything + list(instruments)
        self.fields["kind"].choices = anything + list(ActivityKind.choices)
        self.fields["due_soon"].label = _("Vencen en %(days)s días") % {"days": due_soon_days}
        for name in ("status", "actor", "instrument", "kind", "year"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("overdue", "due_soon"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def filters(self):
        """The valid filters; an invalid one is dropped (and named by ``ignored``)."""
        self.is_valid()
        data = self.cleaned_data
        return plans.PlanFilters(
            status=data.get("status") or "",
            actor=data.get("actor"),
            instrument=data.get("instrument"),
            kind=data.get("kind") or "",
            year=data.get("year"),
            overdue=bool(data.get("overdue")),
            due_soon=bool(data.get("due_soon")),
        )

    def offer_years(self, years):
        """List the years the plan spans (and the one asked for, if outside them)."""
        years = list(years)
        asked = self.cleaned_data.get("year")
        if asked and asked not in years:
            years = sorted([*years, asked])
        self.fields["year"].widget.choices = [("", _("Todos"))] + [(y, str(y)) for y in years]

    def ignored(self):
        return [str(self.fields[name].label) for name in self.errors]


@login_required
def cluster_plan(request, slug):
    cluster = get_readable_cluster(request.user, slug)
    context = page_context(request, cluster, "plan")
    as_of = context["as_of"]
    options = plans.filter_options(cluster)
    form = PlanFilterForm(
        request.GET,
        actors=options["actor"],
        instruments=options["instrument"],
        due_soon_days=rollup.DUE_SOON_DAYS,
    )
    filters = form.filters()
    matrix = plans.plan_matrix(cluster, as_of, filters)
    form.offer_years(matrix.years)
    context.update(
        form=form,
        filters=filters,
        ignored_filters=form.ignored(),
        matrix=matrix,
        active_filters=_active_filters(request, form, filters),
        status_choices=Status,
        # As on the dashboard: no query, the role is kept on the user (clusters.permissions).
        import_links=import_links(request.user, cluster),
    )
    return render(request, "actions/plan.html", context)


def _active_filters(request, form, filters):
    """(label, value shown, URL without it) of each filter in use, for removable chips."""
    shown = []
    for name in ("status", "actor", "instrument", "kind", "year"):
        value = getattr(filters, name)
        if value not in (None, ""):
            choices = dict(form.fields[name].widget.choices)
            shown.append((name, form.fields[name].label, choices.get(value, value)))
    if filters.overdue:
        shown.append(("overdue", _("Solo"), _("atrasadas")))
    if filters.due_soon:
        shown.append(("due_soon", _("Solo"), form.fields["due_soon"].label))
    active = []
    for name, label, value in shown:
        query = request.GET.copy()
        query.pop(name, None)
        active.append((label, value, f"?{query.urlencode()}" if query else request.path))
    return active


@login_required
def cluster_timeline(request, slug):
    cluster = get_readable_cluster(request.user, slug)
    context = page_context(request, cluster, "timeline")
    as_of, today = context["as_of"], context["today"]
    body, header = _cached_parts(
        request,
        context,
        (),
        lambda: _compressed(
            render_to_string(
                "actions/timeline_body.html",
                {
                    "cluster": cluster,
                    "as_of": as_of,
                    "today": today,
                    "charts": timeline.timeline_charts(
                        plans.timeline_strategies(cluster, as_of), cluster, as_of, today
                    ),
                },
            )
        ),
    )
    context.update(
        page_header=header,
        timeline_body=mark_safe(_decompressed(body)),  # noqa: S308 (rendered by us)
    )
    return render(request, "actions/timeline.html", context)


def _compressed(html):
    # The rendered HTML, compressed: the 2006 dashboard's 42 KB become 4.4 KB, and with the
    # database cache (base64 of a pickle in a text column) reading and decompressing the small
    # entry took 0.5-1.5 ms less than reading the large one, on PostgreSQL on this machine.
    return zlib.compress(html.encode())


def _decompressed(data):
    return zlib.decompress(data).decode()


@login_required
@require_safe
def cluster_obstacles(request, slug):
    """Tables 1-2: the CER's key obstacles and the potential measures, for every reader."""
    cluster = get_readable_cluster(request.user, slug)
    context = page_context(request, cluster, "obstacles")
    context["obstacles"] = obstacles.obstacles_with_measures(cluster)
    return render(request, "actions/obstacles.html", context)
