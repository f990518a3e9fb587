"""Cache invalidation: every write to a CER's data gives the CER a new cache version.

Caching must follow every write path: the services, the admin, the spreadsheet imports,
``loaddata``, a shell. Signals are the one place all of them pass, so invalidation lives here
rather than in each of them (and a write path added later is covered without anyone having to
remember). These receivers only bump versions (actions.reporting.cache): no business logic.

What a bump does inside a transaction, and again after the commit, is explained in
actions.reporting.cache. A write that sends no signals (QuerySet.update(), bulk inserts:
generate_synthetic,
a batch of progress updates) must call actions.reporting.cache.bump_cluster_version (or
bump_global_version) itself, in its transaction.

Which version a write bumps:

* a CER's own data (activities and their progress updates, objectives, strategies, goals and
  measurements, funding lines and their instruments, involvements, obstacles and measures,
  companies, the CER itself): that CER's version;
* what every CER shows by name (actors, instruments, users as authors of progress updates), or
  a write whose CER cannot be told (a fixture being loaded, a row whose parent is gone): the
  global version. A new actor, instrument or user is in no page yet, so creating one bumps
  nothing; linking it to a strategy bumps that CER.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    GoalMeasurement,
    Instrument,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from actions.reporting.cache import bump_cluster_version, bump_global_version
from clusters.models import Cluster, Company, Measure, Obstacle


def _bump(cluster_id):
    if cluster_id is None:
        bump_global_version()
    else:
        bump_cluster_version(cluster_id)


def _via(instance, relations):
    """The CER id of ``instance``, following its foreign keys ``relations`` to an object with one.

    Read from the related objects when the instance carries them (the services pass them), else
    in one query; None when a parent is gone (a cascade deleting it).
    """
    obj = instance
    for index, name in enumerate(relations):
        field = obj._meta.get_field(name)
        if not field.is_cached(obj):
            path = "__".join([*relations[index + 1 :], "cluster_id"])
            pk = getattr(obj, field.attname)
            related = field.related_model.objects.filter(pk=pk)
            return related.values_list(path, flat=True).first() if pk is not None else None
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj.cluster_id


# Where each model's CER is: a field of its own, or through its parents.
_DIRECT = (Activity, Strategy, Objective, Obstacle, Company)
_THROUGH = {
    ProgressUpdate: ("activity",),
    Goal: ("strategy",),
    Funding: ("strategy",),
    Involvement: ("strategy",),
    GoalMeasurement: ("goal", "strategy"),
    Measure: ("obstacle",),
}


def _cluster_id_of(instance):
    if isinstance(instance, Cluster):
        return instance.pk
    if isinstance(instance, _DIRECT):
        return instance.cluster_id
    return _via(instance, _THROUGH[type(instance)])


def cluster_data_changed(sender, instance, raw=False, **kwargs):
    # loaddata saves rows as they come (raw), parents possibly after their children.
    _bump(None if raw else _cluster_id_of(instance))


for _model in (Cluster, *_DIRECT, *_THROUGH):
    post_save.connect(
        cluster_data_changed, sender=_model, dispatch_uid=f"cerplan-cache-{_model.__name__}"
    )
    post_delete.connect(
        cluster_data_changed, sender=_model, dispatch_uid=f"cerplan-cache-del-{_model.__name__}"
    )


@receiver(m2m_changed, sender=Funding.instruments.through, dispatch_uid="cerplan-cache-m2m")
def funding_instruments_changed(sender, instance, action, reverse, **kwargs):
    if not action.startswith("post_"):
        return
    # funding.instruments.add(...) changes one CER; instrument.funding.add(...) may change any.
    _bump(None if reverse else _cluster_id_of(instance))


@receiver(post_save, sender=Actor, dispatch_uid="cerplan-cache-actor")
@receiver(post_save, sender=Instrument, dispatch_uid="cerplan-cache-instrument")
@receiver(post_delete, sender=Actor, dispatch_uid="cerplan-cache-actor-del")
@receiver(post_delete, sender=Instrument, dispatch_uid="cerplan-cache-instrument-del")
def shared_name_changed(sender, instance, created=False, **kwargs):
    if not created:
        bump_global_version()


@receiver(post_save, sender=get_user_model(), dispatch_uid="cerplan-cache-user")
def user_changed(sender, instance, created=False, update_fields=None, **kwargs):
    # Signing in saves last_login alone, on every sign-in: that changes no page.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    bump_global_version()
