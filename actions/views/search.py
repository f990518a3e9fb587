"""/search/?q=: what the user may read that matches (actions.reporting.search)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from actions.reporting import search as finder


def kind_titles():
    return {
        "activities": _("Actividades"),
        "strategies": _("Estrategias"),
        "goals": _("Metas"),
        "actors": _("Actores"),
        "companies": _("Empresas"),
    }


@login_required
@require_safe
def search(request):
    query = " ".join(request.GET.get("q", "").split())[: finder.MAX_QUERY_LENGTH]
    results = finder.search(request.user, query) if query else None
    titles = kind_titles()
    return render(
        request,
        "actions/search.html",
        {
            "query": query,
            "results": results,
            "kinds": [(found, titles[found.key]) for found in results.kinds] if results else [],
            "limit": finder.LIMIT,
        },
    )
