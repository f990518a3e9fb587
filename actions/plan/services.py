"""Changes to a plan's structure, as an admin makes them: in the admin, or by a plan import.

Objectives, strategies, activities (their plan fields), goals, funding, involvements, actors,
instruments and a CER's obstacles and measures. Each function is keyword-only, checks that the
acting user may change plan structure, and runs in one transaction; each object is saved or
deleted through actions.tracking (full_clean(), then save() or delete()), so django-simple-history
records the change with the acting user and the reason.

An activity's plan fields share its optimistic lock with its progress: a change here moves
Activity.version on, so a progress form opened before it is refused as stale, and a change
against a version older than the stored one is refused (actions.versions.check_version).

Progress and goal measurements are recorded by actions.progress.services; companies by
clusters' own services through save_company below.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from actions.models import Activity
from actions.tracking import delete_tracked, save_tracked
from actions.versions import check_version, lock_activity
from clusters.models import Company
from clusters.permissions import can_edit_plan_structure
from clusters.versions import (
    bump_data_version,
    bump_data_version_of,
    bump_every_data_version,
    cluster_ids_of,
)


def _require_admin(acting_user):
    if acting_user is None or not can_edit_plan_structure(acting_user):
        raise PermissionDenied(_("Solo la administración cambia la estructura del plan."))


def _move_version_on(instance, expected_version):
    """An activity changed here: check the version it was read at (when given) against the
    stored one, under the row lock, and move it on by one."""
    current = lock_activity(instance.pk)
    if expected_version is not None:
        check_version(current, expected_version)
    changed = any(
        getattr(current, field.attname) != getattr(instance, field.attname)
        for field in Activity._meta.concrete_fields
        if field.name != "version"
    )
    # An unchanged save (the admin saves an untouched page too) leaves open forms valid.
    instance.version = current.version + (1 if changed else 0)


@transaction.atomic
def save_plan_object(*, acting_user, instance, reason, expected_version=None, instruments=None):
    """Create or change `instance` (an unsaved or edited plan object, as a form leaves it).

    `expected_version`, for an existing activity, is the version the change was read at: another
    stored version is refused with actions.versions.StaleVersion. `instruments`, for a funding
    line, replaces its instruments. Raises PermissionDenied, StaleVersion or ValidationError.
    """
    _require_admin(acting_user)
    created = instance.pk is None
    # The CERs it was in before the change too, in case it moved.
    before = set() if created else (cluster_ids_of(type(instance), [instance.pk]) or set())
    saved = _save_plan_object(instance, acting_user, reason, expected_version, instruments)
    bump_data_version(before)
    bump_data_version_of(type(saved), [saved.pk], created=created)
    return saved


def _save_plan_object(instance, acting_user, reason, expected_version, instruments):
    if isinstance(instance, Activity) and instance.pk is not None:
        _move_version_on(instance, expected_version)
    if instruments is None:
        return save_tracked(instance, acting_user, reason)
    # simple-history writes a row per save and per change of the instruments; write one, after
    # the instruments are set, so a change is one entry with its whole after-state.
    instance.skip_history_when_saving = True
    try:
        save_tracked(instance, acting_user, reason)
        instance.instruments.set(instruments)
    finally:
        del instance.skip_history_when_saving
    return save_tracked(instance, acting_user, reason, validate=False)


@transaction.atomic
def save_plan_item(
    *, acting_user, model, pk=None, values, reason, instruments=None, expected_version=None
):
    """Create (pk None) or change one plan object with `values` ({field: value}); return it.

    The plan import's write: as save_plan_object, for an object named by its model and pk.
    """
    _require_admin(acting_user)
    if pk is None:
        instance = model(**values)
    else:
        instance = model._default_manager.select_for_update().get(pk=pk)
        for name, value in values.items():
            setattr(instance, name, value)
    return save_plan_object(
        acting_user=acting_user,
        instance=instance,
        reason=reason,
        expected_version=expected_version,
        instruments=instruments,
    )


@transaction.atomic
def delete_plan_object(*, acting_user, instance, reason):
    """Delete a plan object, and with it what hangs from it (Django's on_delete rules)."""
    _require_admin(acting_user)
    clusters = cluster_ids_of(type(instance), [instance.pk])
    delete_tracked(instance, acting_user, reason)
    _bump_after_delete(clusters)


def _bump_after_delete(clusters):
    # None: the object showed in every CER by name (an actor, an instrument).
    if clusters is None:
        bump_every_data_version()
    else:
        bump_data_version(clusters)


@transaction.atomic
def delete_plan_objects(*, acting_user, queryset, reason):
    """Delete the plan objects of `queryset` (the admin's bulk delete action), one history row
    each, with the acting user and the reason."""
    _require_admin(acting_user)
    clusters = cluster_ids_of(queryset.model, queryset.values_list("pk", flat=True))
    for instance in queryset:
        delete_tracked(instance, acting_user, reason)
    _bump_after_delete(clusters)


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
    saved = save_tracked(company, acting_user, _("empresa importada"))
    bump_data_version([saved.cluster_id])
    return saved
