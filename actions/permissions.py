"""Access to plan objects, built on the role rules of clusters.permissions.

Views fetch through these functions, so an object of a CER the user may not read is simply not
found (404), and an action the user may see but not do is refused (403).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from actions.models import Activity, ProgressUpdate
from clusters import permissions as roles
from clusters.models import Cluster


def readable_clusters(user):
    return roles.filter_readable(Cluster.objects.all(), user, cluster_field="id")


def get_readable_cluster(user, slug):
    """The CER ``slug`` if the user may read it, else 404; the user's roles on it come in the
    same query (clusters.permissions.find_readable_cluster)."""
    cluster = roles.find_readable_cluster(user, slug)
    if cluster is None:
        raise Http404
    return cluster


def readable_activities(user):
    return roles.filter_readable(Activity.objects.all(), user)


def get_readable_activity(user, pk, queryset=None):
    queryset = queryset if queryset is not None else Activity.objects.all()
    return get_object_or_404(roles.filter_readable(queryset, user), pk=pk)


def get_readable_evidence(user, pk):
    """A progress update with an evidence file, readable like its activity."""
    update = get_object_or_404(
        roles.filter_readable(
            ProgressUpdate.objects.select_related("activity"), user, "activity__cluster"
        ),
        pk=pk,
    )
    if not update.evidence:
        raise Http404
    return update


def require_record_progress(user, cluster_id):
    """Staff of the CER and admins record progress; anyone else who may read it gets 403."""
    if not roles.can_record_progress(user, cluster_id):
        raise PermissionDenied


def may_record_progress(user, cluster_id) -> bool:
    return roles.can_record_progress(user, cluster_id)


def may_import(user, kind, cluster=None) -> bool:
    """Whether ``user`` may run the import ``kind`` (an actions.spreadsheets.imports kind) on
    ``cluster``'s pages, or, with no CER, in the admin for every CER. Progress and goal
    measurements ("record"): staff of the CER and admins; plan structure and companies: admins.
    """
    if kind.permission == "record":
        return roles.can_import_progress(user, cluster.pk) if cluster else roles.is_admin(user)
    return roles.can_edit_plan_structure(user)
