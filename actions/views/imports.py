"""Spreadsheet import and export pages, on a CER's pages (staff and admins) and in the admin.

Import: upload → preview → confirm, never trusting the client between the steps.

1. The upload (POST) is read and checked at once; a refused file is shown with its reason and
   nothing is kept. Otherwise the file and its preview are stored server-side
   (actions.spreadsheets.imports.storage) under a random token tied to the session, and the browser
   is sent
   to the preview page (GET, paginated, filterable): nothing is written yet.
2. Confirm (POST with the token) reads the stored file again against the database as it is then,
   compares with what was previewed, and applies the whole file in one transaction through the
   services, or nothing (actions.spreadsheets.imports.apply). If the data changed meanwhile, the
   new preview is
   shown (409) and must be confirmed again.

Access: on a CER's pages, the progress and measurement imports are for those who record progress
there (staff of the CER, admins) and the plan and company imports for admins; a reader of the CER
without the right gets 403, anyone else 404 (actions.permissions). In the admin, only admins
(the admin site's own gate, and has_import_permission). Exports of a CER are for its readers.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actions.models import Activity
from actions.permissions import get_readable_cluster, may_import, readable_activities
from actions.reporting import cache as cerplan_cache
from actions.reporting.export_plan import export_plan
from actions.spreadsheets import exports, imports
from actions.spreadsheets.forms import ImportUploadForm
from actions.spreadsheets.imports import storage
from actions.spreadsheets.imports.base import ACTION_LABELS, CREATE, ERROR, UNCHANGED, UPDATE
from actions.spreadsheets.imports.errors import FileRefused

# The import audit trail: who imported what, where, and how it ended (never the file's content).
audit = logging.getLogger("cerplan.imports")

PREVIEW_PAGE_SIZE = 200


def expired_message():
    return _(
        "Esa vista previa ya no está disponible (expiró o ya se usó): suba el archivo otra vez."
    )


CONFLICT = 409
FILTERS = {
    "changes": (CREATE, UPDATE),
    "errors": (ERROR,),
    "unchanged": (UNCHANGED,),
}


def kind_or_404(key):
    kind = imports.KINDS.get(key)
    if kind is None:
        raise Http404
    return kind


def import_links(user, cluster):
    """The imports `user` may run on `cluster`'s pages, for the dashboard's links:
    [(kind, url)]."""
    return [
        (kind, reverse("cluster-import", kwargs={"slug": cluster.slug, "kind": kind.key}))
        for kind in imports.KINDS.values()
        if may_import(user, kind, cluster)
    ]


class Flow:
    """Where the pages of an import live: a CER's pages, or the admin (all CERs)."""

    def __init__(self, request, kind, cluster=None, admin_site=None):
        self.request = request
        self.kind = kind
        self.cluster = cluster
        self.admin_site = admin_site

    @property
    def in_admin(self):
        return self.admin_site is not None

    def url(self, step, token=None):
        names = {
            "upload": ("cluster-import", "admin:clusters_cluster_import"),
            "preview": ("cluster-import-preview", "admin:clusters_cluster_import_preview"),
            "confirm": ("cluster-import-confirm", "admin:clusters_cluster_import_confirm"),
            "template": ("cluster-import-template", "admin:clusters_cluster_import_template"),
        }
        name = names[step][1 if self.in_admin else 0]
        kwargs = {"kind": self.kind.key}
        if not self.in_admin:
            kwargs["slug"] = self.cluster.slug
        if token is not None:
            kwargs["token"] = token
        return reverse(name, kwargs=kwargs)

    def done_url(self):
        if self.in_admin:
            return reverse("admin:clusters_cluster_changelist")
        return reverse("cluster-dashboard", kwargs={"slug": self.cluster.slug})

    def render(self, template, context, status=200):
        context = {
            "kind": self.kind,
            "cluster": self.cluster,
            "upload_url": self.url("upload"),
            "template_url": self.url("template"),
            "done_url": self.done_url(),
            "in_admin": self.in_admin,
            **context,
        }
        if self.in_admin:
            context.update(self.admin_site.each_context(self.request))
            context["title"] = _("Importar: %(kind)s") % {"kind": self.kind.title}
            self.request.current_app = self.admin_site.name
            name = f"actions/import_admin_{template}.html"
        else:
            name = f"actions/import_{template}.html"
        return TemplateResponse(self.request, name, context, status=status)


# The steps, shared by the CER pages and the admin ----------------------------------------------


def upload_step(flow):
    request = flow.request
    form = ImportUploadForm()
    refused = None
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.read()
            try:
                preview = flow.kind.preview(data, user=request.user, cluster=flow.cluster)
            except FileRefused as error:
                refused = error.message
                _log(flow, "refused", file=form.cleaned_data["file"].name, reason=refused)
            else:
                token = storage.save(
                    request,
                    kind=flow.kind,
                    cluster=flow.cluster,
                    filename=form.cleaned_data["file"].name[:200],
                    data=data,
                    preview=preview,
                )
                _log(flow, "previewed", file=form.cleaned_data["file"].name, **preview.counts())
                return redirect(flow.url("preview", token))
    return flow.render(
        "upload",
        {"form": form, "refused": refused, "columns": flow.kind.columns},
        status=200,
    )


def _log(flow, outcome, **details):
    audit.info(
        "import %s: kind=%s cluster=%s user=%s %s",
        outcome,
        flow.kind.key,
        flow.cluster.slug if flow.cluster else "*",
        flow.request.user.get_username(),
        " ".join(f"{key}={value!r}" for key, value in details.items()),
    )


def _preview_context(flow, pending_preview, token, *, filter_key=None, page=None, problems=()):
    rows = pending_preview["rows"]
    counts = pending_preview["counts"]
    shown = rows
    if filter_key in FILTERS:
        shown = [row for row in rows if row["action"] in FILTERS[filter_key]]
    paginator = Paginator(shown, PREVIEW_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    has_errors = counts.get(ERROR, 0) > 0 or bool(pending_preview["errors"])
    return {
        "token": token,
        "preview": pending_preview,
        "counts": counts,
        "action_labels": ACTION_LABELS,
        "page_obj": page_obj,
        "rows": page_obj.object_list,
        "filter_key": filter_key if filter_key in FILTERS else "",
        "has_errors": has_errors,
        "nothing_to_do": not has_errors and not counts.get(CREATE) and not counts.get(UPDATE),
        "confirm_url": flow.url("confirm", token) if token else None,
        "preview_url": flow.url("preview", token) if token else None,
        "problems": problems,
    }


def preview_step(flow, token):
    request = flow.request
    pending = storage.load(request, token, kind=flow.kind, cluster=flow.cluster)
    if pending is None:
        messages.warning(request, expired_message())
        return redirect(flow.url("upload"))
    context = _preview_context(
        flow,
        pending.preview,
        token,
        filter_key=request.GET.get("filter"),
        page=request.GET.get("page"),
    )
    context["filename"] = pending.filename
    return flow.render("preview", context)


def confirm_step(flow, token):
    request = flow.request
    pending = storage.load(request, token, kind=flow.kind, cluster=flow.cluster)
    if pending is None:
        messages.warning(request, expired_message())
        return redirect(flow.url("upload"))
    if "cancel" in request.POST:
        storage.discard(request, token)
        messages.info(request, _("Importación cancelada: no se guardó nada."))
        return redirect(flow.url("upload"))
    data = pending.data()
    try:
        applied = imports.apply(
            flow.kind,
            data,
            user=request.user,
            cluster=flow.cluster,
            digest=pending.preview["digest"],
            previous_rows=pending.preview["rows"],
            file_name=pending.filename,
            table=pending.table(),
        )
    except FileRefused as error:
        storage.discard(request, token)
        _log(flow, "refused at confirmation", file=pending.filename, reason=error.message)
        messages.error(request, error.message)
        return redirect(flow.url("upload"))
    except imports.ApplyFailed as failure:
        storage.discard(request, token)
        _log(flow, "refused at confirmation", file=pending.filename, stale=failure.stale)
        new_token = None
        if failure.preview is not None and not failure.preview.has_errors:
            # What the file would do now: shown to be confirmed again, under a new token.
            new_token = storage.save(
                request,
                kind=flow.kind,
                cluster=flow.cluster,
                filename=pending.filename,
                data=data,
                preview=failure.preview,
            )
        shown = failure.preview.as_dict() if failure.preview is not None else pending.preview
        context = _preview_context(flow, shown, new_token, problems=failure.messages)
        context.update(
            {"filename": pending.filename, "stale": failure.stale, "refused_on_confirm": True}
        )
        if new_token is None:
            context["has_errors"] = True
        return flow.render("preview", context, status=CONFLICT)
    storage.discard(request, token)
    counts = applied.counts()
    _log(flow, "applied", file=pending.filename, **counts)
    messages.success(
        request,
        _(
            "Importación de «%(file)s» guardada: %(created)s filas creadas, %(updated)s "
            "actualizadas, %(unchanged)s sin cambios."
        )
        % {
            "file": pending.filename,
            "created": counts[CREATE],
            "updated": counts[UPDATE],
            "unchanged": counts[UNCHANGED],
        },
    )
    return redirect(flow.done_url())


def template_step(flow):
    cluster = flow.cluster
    if cluster is not None:
        slugs = [cluster.slug]
    else:
        from clusters.models import Cluster

        slugs = list(Cluster.objects.order_by("slug").values_list("slug", flat=True)[:40])
    content = exports.import_template(flow.kind, cluster=cluster, cluster_slugs=slugs)
    return attachment(content, exports.template_filename(flow.kind), exports.XLSX_CONTENT_TYPE)


def attachment(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# A CER's pages ---------------------------------------------------------------------------------


def _cluster_flow(request, slug, kind_key):
    kind = kind_or_404(kind_key)
    cluster = get_readable_cluster(request.user, slug)
    if not may_import(request.user, kind, cluster):
        raise PermissionDenied
    return Flow(request, kind, cluster)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cluster_import(request, slug, kind):
    return upload_step(_cluster_flow(request, slug, kind))


@login_required
@never_cache
@require_safe
def cluster_import_preview(request, slug, kind, token):
    return preview_step(_cluster_flow(request, slug, kind), token)


@login_required
@never_cache
@require_POST
def cluster_import_confirm(request, slug, kind, token):
    return confirm_step(_cluster_flow(request, slug, kind), token)


@login_required
@require_safe
def cluster_import_template(request, slug, kind):
    return template_step(_cluster_flow(request, slug, kind))


@login_required
@require_safe
def cluster_export_plan(request, slug):
    cluster = get_readable_cluster(request.user, slug)
    # Building the workbook is most of its cost (openpyxl writes every cell in Python): it is
    # kept under the CER's data version, like its pages, and rebuilt after the next write.
    content = cerplan_cache.cached(
        cluster,
        ("plan.xlsx", get_language()),
        lambda: exports.plan_workbook(cluster.slug),
    )
    return attachment(
        content,
        exports.plan_filename(cluster.slug),
        exports.XLSX_CONTENT_TYPE,
    )


# The progress exports of a CER: (build, extension, content type) by format.
PROGRESS_FORMATS = {
    "csv": (exports.progress_csv, exports.CSV_CONTENT_TYPE),
    "xlsx": (exports.progress_xlsx, exports.XLSX_CONTENT_TYPE),
}


def _cluster_progress_export(request, slug, extension):
    cluster = get_readable_cluster(request.user, slug)
    build, content_type = PROGRESS_FORMATS[extension]
    activities = readable_activities(request.user).filter(cluster=cluster)
    return attachment(
        build(_progress_order(activities)),
        f"avances-{cluster.slug}-{timezone.localdate().isoformat()}.{extension}",
        content_type,
    )


@login_required
@require_safe
def cluster_export_progress(request, slug):
    return _cluster_progress_export(request, slug, "csv")


@login_required
@require_safe
def cluster_export_progress_xlsx(request, slug):
    return _cluster_progress_export(request, slug, "xlsx")


def _progress_order(activities):
    return activities.select_related("cluster").order_by(
        "cluster__name", "strategy__number", "position", "code"
    )


# The admin (all CERs) --------------------------------------------------------------------------


class AdminImportViews:
    """The import and export pages of the admin, mounted by ClusterAdmin.get_urls()."""

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def _flow(self, request, kind_key):
        kind = kind_or_404(kind_key)
        if not self.model_admin.has_import_permission(request):
            raise PermissionDenied
        return Flow(request, kind, None, admin_site=self.model_admin.admin_site)

    def upload(self, request, kind):
        if request.method not in ("GET", "HEAD", "POST"):
            raise PermissionDenied
        return upload_step(self._flow(request, kind))

    def preview(self, request, kind, token):
        return preview_step(self._flow(request, kind), token)

    def confirm(self, request, kind, token):
        if request.method != "POST":
            return redirect(self._flow(request, kind).url("preview", token))
        return confirm_step(self._flow(request, kind), token)

    def template(self, request, kind):
        return template_step(self._flow(request, kind))

    def _export_allowed(self, request):
        if not self.model_admin.has_export_permission(request):
            raise PermissionDenied

    def export_plan_xlsx(self, request):
        self._export_allowed(request)
        return attachment(
            exports.plan_workbook(), exports.plan_filename(), exports.XLSX_CONTENT_TYPE
        )

    def export_plan_json(self, request):
        self._export_allowed(request)
        content = json.dumps(export_plan(), ensure_ascii=False, indent=2) + "\n"
        return attachment(
            content.encode("utf-8"),
            exports.plan_filename(extension="json"),
            "application/json; charset=utf-8",
        )

    def export_progress_csv(self, request):
        self._export_allowed(request)
        return attachment(
            exports.progress_csv(_progress_order(Activity.objects.all())),
            f"avances-{timezone.localdate().isoformat()}.csv",
            exports.CSV_CONTENT_TYPE,
        )

    def export_progress_xlsx(self, request):
        self._export_allowed(request)
        return attachment(
            exports.progress_xlsx(_progress_order(Activity.objects.all())),
            f"avances-{timezone.localdate().isoformat()}.xlsx",
            exports.XLSX_CONTENT_TYPE,
        )
