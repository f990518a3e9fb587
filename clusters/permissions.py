"""Who may see and do what, for every view, command and the admin.

The roles (DESIGN.md, "Who uses it"):

- admin: a superuser, or a member of the group ADMIN_GROUP. Does everything; the only role
  that reaches /admin/ and imports plan structure.
- staff: assigned to CERs by StaffAssignment. Reads those CERs and records their progress;
  sees nothing of the others.
- owner: tied to one company by CompanyOwnership, and so to its CER. Reads that CER only and
  changes nothing.
- visitor: not signed in; sent to sign-in.

A CER the user may not read is answered as if it did not exist (404), so its existence is not
revealed; an action on a CER the user may read but not change answers 403.
"""

from django.db.models import Q

ADMIN_GROUP = "administradores"


def _cached(user, attribute, compute):
    # The answer cannot change within a request; keep it on the user object for the request.
    if not hasattr(user, attribute):
        setattr(user, attribute, compute())
    return getattr(user, attribute)


def is_admin(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return _cached(user, "_cerplan_is_admin", lambda: user.groups.filter(name=ADMIN_GROUP).exists())


def readable_cluster_ids(user) -> frozenset | None:
    """The ids of the CERs the user may read; None means every CER (admins)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    if is_admin(user):
        return None

    def compute():
        from clusters.models import Cluster

        return frozenset(
            Cluster.objects.filter(
                Q(staff_assignments__user=user) | Q(companies__owners__user=user)
            ).values_list("id", flat=True)
        )

    return _cached(user, "_cerplan_readable_cluster_ids", compute)


def recordable_cluster_ids(user) -> frozenset | None:
    """The ids of the CERs whose progress the user may record; None means every CER."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    if is_admin(user):
        return None

    def compute():
        return frozenset(user.staff_assignments.values_list("cluster_id", flat=True))

    return _cached(user, "_cerplan_recordable_cluster_ids", compute)


def _allowed(ids, cluster_id) -> bool:
    return ids is None or cluster_id in ids


def can_read_cluster(user, cluster_id) -> bool:
    return _allowed(readable_cluster_ids(user), cluster_id)


def can_record_progress(user, cluster_id) -> bool:
    """Record progress, revise a deadline, record a goal measurement, attach evidence."""
    return _allowed(recordable_cluster_ids(user), cluster_id)


def can_import_progress(user, cluster_id) -> bool:
    return can_record_progress(user, cluster_id)


def can_edit_plan_structure(user) -> bool:
    """Objectives, strategies, goals, funding, actors; the admin and plan imports."""
    return is_admin(user)


def filter_readable(queryset, user, cluster_field="cluster"):
    """Narrow a queryset of objects belonging to a CER to those the user may read."""
    ids = readable_cluster_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{cluster_field}__in": ids})


def role_label(user) -> str:
    """A short name of the user's role, for the page header."""
    if is_admin(user):
        return "admin"
    if recordable_cluster_ids(user):
        return "staff"
    if readable_cluster_ids(user):
        return "owner"
    return "none"
