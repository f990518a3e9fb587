"""The activity page and the forms that record progress, revise a deadline and measure a goal.

Thin views: they fetch through actions.permissions (another CER's object is a 404; an owner's
attempt to change something is a 403), hand the work to actions.progress.services, and redirect
with a message to where the user came from (a safe ?next=) or to the activity page. A save
against a stale version is answered 409 with the form re-shown: what changed meanwhile on top,
the user's own input kept. A file attached to a form that comes back is held for the next
submission (actions.progress.held_evidence).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from actions.models import Activity
from actions.permissions import (
    get_readable_activity,
    may_record_progress,
    require_record_progress,
)
from actions.progress import held_evidence, responsible, services
from actions.progress.forms import GoalMeasurementForm, ProgressForm, ResponsibleForm, ReviseForm
from actions.progress.selectors import (
    activity_for_page,
    goal_for_page,
    history_page,
    status_view,
)

CONFLICT = 409


@login_required
@require_safe
def activity_detail(request, pk):
    activity = activity_for_page(request.user, pk)
    return render(
        request,
        "actions/activity_detail.html",
        {
            "activity": activity,
            "strategy": activity.strategy,
            "objective": activity.strategy.objective,
            "cluster": activity.cluster,
            "updates": history_page(activity, request.GET.get("page")),
            "may_record": may_record_progress(request.user, activity.cluster_id),
        },
    )


def _activity_to_change(request, pk):
    activity = get_readable_activity(
        request.user, pk, queryset=Activity.objects.select_related("cluster", "strategy")
    )
    require_record_progress(request.user, activity.cluster_id)
    activity.status_view = status_view(activity.status)
    return activity


def _stale_context(error):
    """What the conflict notice shows: who changed what since the form was read."""
    for update in error.updates:
        update.old_status_view = status_view(update.old_status)
        update.new_status_view = status_view(update.new_status)
    current = error.activity
    current.status_view = status_view(current.status)
    return {"stale": error, "current": current}


def _files_with_held_evidence(request, activity):
    """The request's files, with the evidence held from the previous submission put back in
    when no new file was chosen; and the token of that held file ("" when none)."""
    token = request.POST.get("held_evidence", "")
    files = request.FILES
    if request.FILES.get("evidence"):
        held_evidence.release(request, token)
        return files, ""
    held = held_evidence.open_held(request, activity.pk, token)
    if held is None:
        return files, ""
    files = files.copy()
    files["evidence"] = held
    return files, token


def _held_files(request, activity, form, token):
    """Keep the form's valid file for its next submission; what the template shows of it."""
    uploaded = form.valid_evidence()
    if uploaded is None:
        return []
    if not token:
        token = held_evidence.hold(request, activity.pk, uploaded)
    return [{"field": "evidence", "token": token, "name": uploaded.name}]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_update(request, pk):
    activity = _activity_to_change(request, pk)
    next_url = _safe_next(request)
    context = {"activity": activity, "next_url": next_url}
    status = 200
    if request.method != "POST":
        form = ProgressForm(initial=ProgressForm.initial_for(activity), activity=activity)
    else:
        files, held_token = _files_with_held_evidence(request, activity)
        form = ProgressForm(request.POST, files, activity=activity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_progress(
                    activity_id=activity.pk,
                    acting_user=request.user,
                    expected_version=data["version"],
                    status=data["status"],
                    progress=data["progress"],
                    note=data["note"],
                    evidence=data["evidence"],
                    effective_on=data["effective_on"],
                )
            except services.StaleVersion as error:
                context.update(_stale_context(error))
                context["held_files"] = _held_files(request, activity, form, held_token)
                # The user's input stays; the version becomes the current one, so saving again
                # is a deliberate choice made after seeing what changed.
                form = ProgressForm(
                    initial={
                        "status": data["status"],
                        "progress": data["progress"],
                        "note": data["note"],
                        "effective_on": data["effective_on"],
                        "version": error.current_version,
                    },
                    activity=error.activity,
                )
                status = CONFLICT
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if held_token:
                    files["evidence"].close()
                held_evidence.release(request, held_token)
                messages.success(
                    request,
                    _("Avance registrado en la actividad %(code)s.") % {"code": activity.code},
                )
                return redirect(next_url or activity.get_absolute_url())
        if form.errors:
            context["held_files"] = _held_files(request, activity, form, held_token)
            if form.offers_complete_at_full:
                context["offer"] = {
                    "name": ProgressForm.COMPLETE_AT_FULL,
                    "value": "1",
                    "label": _("Guardar como completada con 100 %"),
                }
    context["form"] = form
    return render(request, "actions/activity_update.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_revise(request, pk):
    activity = _activity_to_change(request, pk)
    next_url = _safe_next(request)
    context = {"activity": activity, "next_url": next_url}
    status = 200
    if request.method != "POST":
        form = ReviseForm(initial=ReviseForm.initial_for(activity), activity=activity)
    else:
        form = ReviseForm(request.POST, activity=activity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.revise_deadline(
                    activity_id=activity.pk,
                    acting_user=request.user,
                    expected_version=data["version"],
                    new_end=data["new_end"],
                    reason=data["reason"],
                )
            except services.StaleVersion as error:
                context.update(_stale_context(error))
                form = ReviseForm(
                    initial={
                        "new_end": data["new_end"],
                        "reason": data["reason"],
                        "version": error.current_version,
                    },
                    activity=error.activity,
                )
                status = CONFLICT
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Plazo de la actividad %(code)s revisado.") % {"code": activity.code},
                )
                return redirect(next_url or activity.get_absolute_url())
    context["form"] = form
    return render(request, "actions/activity_revise.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_responsible(request, pk):
    activity = _activity_to_change(request, pk)
    eligible = responsible.eligible_responsible_users(activity.cluster_id)
    if request.method != "POST":
        form = ResponsibleForm(
            initial={"responsible_users": list(activity.responsible_users.all())},
            eligible=eligible,
        )
    else:
        form = ResponsibleForm(request.POST, eligible=eligible)
        if form.is_valid():
            try:
                responsible.assign_responsible_users(
                    activity_id=activity.pk,
                    acting_user=request.user,
                    user_ids=[user.pk for user in form.cleaned_data["responsible_users"]],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Responsables de la actividad %(code)s guardados.") % {"code": activity.code},
                )
                return redirect(activity)
    return render(
        request,
        "actions/activity_responsible.html",
        {"activity": activity, "form": form, "has_eligible": eligible.exists()},
    )


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_measure(request, pk):
    goal = goal_for_page(request.user, pk)
    require_record_progress(request.user, goal.strategy.cluster_id)
    next_url = _safe_next(request)
    if request.method != "POST":
        form = GoalMeasurementForm()
    else:
        form = GoalMeasurementForm(request.POST)
        if form.is_valid():
            try:
                services.record_goal_measurement(
                    goal_id=goal.pk, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Medición de la meta registrada."))
                return redirect(next_url or reverse("goal-measure", kwargs={"pk": goal.pk}))
    return render(
        request,
        "actions/goal_measure.html",
        {
            "goal": goal,
            "strategy": goal.strategy,
            "cluster": goal.strategy.cluster,
            "measurements": goal.measurements.all(),
            "form": form,
            "next_url": next_url,
        },
    )
