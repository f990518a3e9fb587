"""/my-work/: what needs the user this week (actions.reporting.my_work), each activity one tap
from its progress form, which returns here after saving; ?kind= narrows it to one kind of
activity (the missions, fairs or seminars an owner follows)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from actions.models import ActivityKind
from actions.reporting import my_work as work


def section_titles():
    return {
        "overdue": _("Atrasadas"),
        "due_soon": _("Vencen en los próximos %(days)s días") % {"days": work.DUE_DAYS},
        "stale": _("Sin actualizar hace más de %(days)s días") % {"days": work.STALE_DAYS},
        "later": _("Más adelante"),
    }


@login_required
@require_safe
def my_work(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    data = work.my_work(request.user, kind=kind)
    titles = section_titles()
    return render(
        request,
        "actions/my_work.html",
        {
            "work": data,
            "sections": [(section, titles[section.key]) for section in data.sections],
            "stale_days": work.STALE_DAYS,
            "kinds": ActivityKind.choices,
        },
    )
