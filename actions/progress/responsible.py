"""Who of the portal answers for an activity: the staff of its CER named responsible for it.

The report names responsible roles («Gerente proyecto asociativo», «Director Pro Chile»): they
stay as written on the strategy. These are people with an account, so that "my work" can list
theirs first. Only staff of the activity's CER may be named (they are who record its progress);
staff of the CER and admins may name them.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actions.tracking import save_tracked
from actions.versions import lock_activity
from clusters.permissions import can_record_progress
from clusters.versions import bump_data_version


def eligible_responsible_users(cluster_id):
    """The people who may be named responsible for an activity of the CER: its staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_assignments__cluster_id=cluster_id)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def person_name(user):
    return user.get_full_name() or user.get_username()


@transaction.atomic
def assign_responsible_users(*, activity_id, acting_user, user_ids):
    """Name exactly ``user_ids`` responsible for the activity (an empty list names nobody).

    Returns the activity. Raises PermissionDenied, or ValidationError (keyed by
    "responsible_users") when someone named is not staff of the activity's CER. The change is
    written to the activity's history with the names in its reason.
    """
    activity = lock_activity(activity_id)
    if acting_user is None or not can_record_progress(acting_user, activity.cluster_id):
        raise PermissionDenied(_("No puede cambiar los responsables de actividades de este CER."))
    wanted = {int(pk) for pk in user_ids}
    eligible = {user.pk: user for user in eligible_responsible_users(activity.cluster_id)}
    unknown = wanted - eligible.keys()
    if unknown:
        raise ValidationError(
            {
                "responsible_users": _(
                    "Solo el equipo del CER puede quedar a cargo de una de sus actividades."
                )
            }
        )
    current = set(activity.responsible_users.values_list("pk", flat=True))
    if current == wanted:
        return activity
    activity.responsible_users.set(sorted(wanted))
    names = ", ".join(sorted(person_name(eligible[pk]) for pk in wanted)) or _("nadie")
    save_tracked(
        activity, acting_user, _("responsables en el portal: %(names)s") % {"names": names}
    )
    bump_data_version([activity.cluster_id])
    return activity
