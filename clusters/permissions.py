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

import functools

from django.contrib.auth import get_user_model
from django.db import connection

ADMIN_GROUP = "administradores"


def _cached(user, attribute, compute):
    # The answer cannot change within a request; keep it on the user object for the request.
    if not hasattr(user, attribute):
        setattr(user, attribute, compute())
    return getattr(user, attribute)


def _roles(user):
    """(member of ADMIN_GROUP, ids of CERs as staff, ids of CERs as owner): one query.

    Every page asks all three (the header names the role, the views check reading and
    recording), so they come from one query and are kept on the user for the request.
    """

    def compute():
        with connection.cursor() as cursor:
            cursor.execute(_roles_sql(), [user.pk, user.pk, user.pk, ADMIN_GROUP])
            rows = cursor.fetchall()
        return (
            any(role == "admin" for role, _id in rows),
            frozenset(cluster_id for role, cluster_id in rows if role == "staff"),
            frozenset(cluster_id for role, cluster_id in rows if role == "owner"),
        )

    return _cached(user, "_cerplan_roles", compute)


# A user's staff assignments, company ownership and membership of the admin group.
_ROLES_SQL = """
    SELECT 'staff', {assignment_cluster} FROM {assignment} WHERE {assignment_user} = %s
    UNION ALL
    SELECT 'owner', company.{company_cluster}
    FROM {ownership} ownership JOIN {company} company
        ON company.{company_id} = ownership.{ownership_company}
    WHERE ownership.{ownership_user} = %s
    UNION ALL
    SELECT 'admin', grp.{group_id}
    FROM {membership} membership JOIN {group} grp ON grp.{group_id} = membership.{membership_group}
    WHERE membership.{membership_user} = %s AND grp.{group_name} = %s
"""


@functools.cache
def _roles_sql():
    """The roles query, its table and column names taken from the models once per process.

    Plain SQL rather than built by the ORM on every request: it runs on every page, and
    building a three-part union took longer than running it.
    """
    return _ROLES_SQL.format(**_role_tables())  # noqa: S608 (names from the models)


def _role_tables():
    """The quoted table and column names the roles queries name."""
    from django.contrib.auth.models import Group

    from clusters.models import Company, CompanyOwnership, StaffAssignment

    quote = connection.ops.quote_name

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    groups = get_user_model()._meta.get_field("groups")
    return {
        "assignment": quote(StaffAssignment._meta.db_table),
        "assignment_cluster": column(StaffAssignment, "cluster"),
        "assignment_user": column(StaffAssignment, "user"),
        "ownership": quote(CompanyOwnership._meta.db_table),
        "ownership_company": column(CompanyOwnership, "company"),
        "ownership_user": column(CompanyOwnership, "user"),
        "company": quote(Company._meta.db_table),
        "company_id": column(Company, "id"),
        "company_cluster": column(Company, "cluster"),
        "membership": quote(groups.remote_field.through._meta.db_table),
        "membership_user": quote(groups.m2m_column_name()),
        "membership_group": quote(groups.m2m_reverse_name()),
        "group": quote(Group._meta.db_table),
        "group_id": column(Group, "id"),
        "group_name": column(Group, "name"),
    }


def is_admin(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return _cached(user, "_cerplan_is_admin", lambda: _roles(user)[0])


def readable_cluster_ids(user) -> frozenset | None:
    """The ids of the CERs the user may read; None means every CER (admins)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    if is_admin(user):
        return None

    def compute():
        _admin, staff, owner = _roles(user)
        return staff | owner

    return _cached(user, "_cerplan_readable_cluster_ids", compute)


def recordable_cluster_ids(user) -> frozenset | None:
    """The ids of the CERs whose progress the user may record; None means every CER."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    if is_admin(user):
        return None
    return _cached(user, "_cerplan_recordable_cluster_ids", lambda: _roles(user)[1])


def _allowed(ids, cluster_id) -> bool:
    return ids is None or cluster_id in ids


def _roles_on(user, cluster_id):
    """(staff of the CER, owner in it) when :func:`find_readable_cluster` read them for this
    request along with the CER, else None (then the user's roles query answers)."""
    return getattr(user, "_cerplan_cluster_roles", {}).get(cluster_id)


def can_read_cluster(user, cluster_id) -> bool:
    known = _roles_on(user, cluster_id)
    if known is not None and user.is_active:
        return is_admin(user) or any(known)
    return _allowed(readable_cluster_ids(user), cluster_id)


def can_record_progress(user, cluster_id) -> bool:
    """Record progress, revise a deadline, record a goal measurement, attach evidence."""
    known = _roles_on(user, cluster_id)
    if known is not None and user.is_active:
        return is_admin(user) or known[0]
    return _allowed(recordable_cluster_ids(user), cluster_id)


def can_import_progress(user, cluster_id) -> bool:
    return can_record_progress(user, cluster_id)


def can_edit_plan_structure(user) -> bool:
    """Objectives, strategies, goals, funding, actors; the admin and plan imports."""
    return is_admin(user)


def find_readable_cluster(user, slug):
    """The CER ``slug`` if ``user`` may read it, else None.

    A CER's pages start here, and each needs the user's role on that CER (reading, recording,
    the import links) and whether they are an admin (the menu): both come in the same query as
    the CER, as EXISTS columns, and are kept on the user for the request, so such a page runs
    no roles query of its own. Plain SQL, like the roles query, for the same reason.
    """
    if not (user.is_authenticated and user.is_active):
        return None
    from clusters.models import Cluster

    found = list(
        Cluster.objects.raw(
            _cluster_with_roles_sql(), [user.pk, ADMIN_GROUP, user.pk, user.pk, slug]
        )
    )
    if len(found) != 1:
        return None
    cluster = found[0]
    if not hasattr(user, "_cerplan_is_admin"):
        user._cerplan_is_admin = bool(cluster._cerplan_admin)
    known = getattr(user, "_cerplan_cluster_roles", {})
    known[cluster.pk] = (bool(cluster._cerplan_staff), bool(cluster._cerplan_owner))
    user._cerplan_cluster_roles = known
    return cluster if can_read_cluster(user, cluster.pk) else None


_CLUSTER_WITH_ROLES_SQL = """
    SELECT cer.*,
        EXISTS (
            SELECT 1 FROM {membership} membership JOIN {group} grp
                ON grp.{group_id} = membership.{membership_group}
            WHERE membership.{membership_user} = %s AND grp.{group_name} = %s
        ) AS _cerplan_admin,
        EXISTS (
            SELECT 1 FROM {assignment} assignment
            WHERE assignment.{assignment_user} = %s
                AND assignment.{assignment_cluster} = cer.{cluster_id}
        ) AS _cerplan_staff,
        EXISTS (
            SELECT 1 FROM {ownership} ownership JOIN {company} company
                ON company.{company_id} = ownership.{ownership_company}
            WHERE ownership.{ownership_user} = %s AND company.{company_cluster} = cer.{cluster_id}
        ) AS _cerplan_owner
    FROM {cluster} cer
    WHERE cer.{cluster_slug} = %s
"""


@functools.cache
def _cluster_with_roles_sql():
    from clusters.models import Cluster

    quote = connection.ops.quote_name
    return _CLUSTER_WITH_ROLES_SQL.format(  # noqa: S608 (names from the models; values are parameters)
        cluster=quote(Cluster._meta.db_table),
        cluster_id=quote(Cluster._meta.pk.column),
        cluster_slug=quote(Cluster._meta.get_field("slug").column),
        **_role_tables(),
    )


def filter_readable(queryset, user, cluster_field="cluster"):
    """Narrow a queryset of objects belonging to a CER to those the user may read."""
    ids = readable_cluster_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{cluster_field}__in": ids})
