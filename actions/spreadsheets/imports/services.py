"""Writes of the plan-structure and company imports: keyword-only, one transaction each.

Progress and goal measurements go through actions.progress.services (record_progress,
revise_deadline,
record_goal_measurement); these functions are the same kind of service for what only an admin
changes: CERs, obstacles, measures, objectives, strategies, activities (their plan fields),
goals, funding, actors and companies.

Each object is saved with Model.save() after full_clean(), never QuerySet.update() or bulk_*,
so django-simple-history records every change with the acting user and the reason. An activity
changed here moves its version on, like the admin form does, so a progress form opened before
the import is refused as stale instead of overwriting it. Each gives the CER it wrote a new data
version (clusters.versions), last in its transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from actions.models import Activity
from actions.progress.services import StaleVersion
from clusters.models import Company
from clusters.permissions import can_edit_plan_structure
from clusters.versions import bump_data_version, bump_data_version_of

# simple-history's change reason column is a CharField(max_length=100).
_CHANGE_REASON_MAX = 100


def _require_admin(acting_user):
    if acting_user is None or not can_edit_plan_structure(acting_user):
        raise PermissionDenied(_("Solo la administración cambia la estructura del plan."))


def _save(instance, acting_user, reason):
    instance._history_user = acting_user
    instance._change_reason = reason[:_CHANGE_REASON_MAX]
    instance.full_clean()
    instance.save()


@transaction.atomic
def save_plan_item(
    *, acting_user, model, pk=None, values, reason, instruments=None, expected_version=None
):
    """Create (pk None) or change one plan object with `values` ({field: value}); return it.

    `instruments`, for funding lines, replaces the line's instruments. `expected_version`, for
    an existing activity, is the version the change was previewed at: another version is
    refused with actions.progress.services.StaleVersion.
    """
    _require_admin(acting_user)
    if pk is None:
        instance = model(**values)
    else:
        instance = model._default_manager.select_for_update().get(pk=pk)
        for name, value in values.items():
            setattr(instance, name, value)
        if model is Activity:
            if expected_version is not None and instance.version != expected_version:
                raise StaleVersion(activity=instance, expected_version=expected_version, updates=[])
            instance.version += 1
    _save(instance, acting_user, reason)
    if instruments is not None:
        instance.instruments.set(instruments)
    # The CER the object is in now: an import keeps objects in the CER it imports into.
    bump_data_version_of(model, [instance.pk], created=pk is None)
    return instance


@transaction.atomic
def save_company(*, acting_user, company_id=None, cluster_id, name, rut, size):
    """Add a company to a CER, or change its RUT and size; return it."""
    _require_admin(acting_user)
    if company_id is None:
        company = Company(cluster_id=cluster_id, name=name)
    else:
        company = Company.objects.select_for_update().get(pk=company_id)
    company.rut = rut
    company.size = size
    company.full_clean()
    company.save()
    bump_data_version([company.cluster_id])
    return company
