"""The version of a CER's data, for keys of what is computed from it (actions.reporting.cache).

Every write to a CER's data calls :func:`bump_data_version` in its own transaction: the
services, the imports and the admin (clusters.admin_site.DataVersionAdminMixin). (The commands
write through these, or, like generate_synthetic, only add new CERs.)
The new number commits, or rolls back, with the data, so a reader sees the new data and the
new version at the same instant; nothing is ever invalidated after the fact.

A write that shows in every CER (an actor's or an instrument's name, a user's display name)
calls :func:`bump_every_data_version`.

Call a bump last in the transaction, after the writes: the UPDATE locks the CER's row until the
commit, so two writers of one CER (and their bumps) run one after the other, and taking that
lock last everywhere keeps writers of the same rows from waiting on each other in a circle.
"""

from django.db.models import F

from clusters.models import Cluster


def bump_data_version(cluster_ids):
    """Give the CERs ``cluster_ids`` (ids; None ignored) a new data version: one UPDATE."""
    ids = sorted({int(pk) for pk in cluster_ids if pk is not None})
    if ids:
        _increment(Cluster.objects.filter(pk__in=ids))


def bump_every_data_version():
    """Give every CER a new data version: one UPDATE."""
    _increment(Cluster.objects.all())


def _increment(clusters):
    # An UPDATE, not save(): it writes the version alone (no history row: the column is not
    # part of the plan), and the database adds one to the stored number, whatever this
    # process read.
    clusters.update(data_version=F("data_version") + 1)


# Where each model's CER is, from the model (the admin and the plan import, which save many
# models through one path, look it up here); None: the model shows in every CER by name.
CLUSTER_LOOKUPS = {
    "clusters.cluster": "pk",
    "clusters.obstacle": "cluster",
    "clusters.measure": "obstacle__cluster",
    "clusters.company": "cluster",
    "actions.objective": "cluster",
    "actions.strategy": "cluster",
    "actions.activity": "cluster",
    "actions.goal": "strategy__cluster",
    "actions.goalmeasurement": "goal__strategy__cluster",
    "actions.funding": "strategy__cluster",
    "actions.involvement": "strategy__cluster",
    "actions.progressupdate": "activity__cluster",
    "actions.actor": None,
    "actions.instrument": None,
    "auth.user": None,
}


def cluster_ids_of(model, pks):
    """The ids of the CERs the objects ``pks`` of ``model`` belong to (one query), or None when
    the model shows in every CER. Read before a delete: afterwards the rows are gone."""
    lookup = CLUSTER_LOOKUPS[model._meta.label_lower]
    if lookup is None:
        return None
    if lookup == "pk":
        return {int(pk) for pk in pks}
    rows = model._default_manager.filter(pk__in=list(pks)).values_list(lookup, flat=True)
    return set(rows.distinct())


def bump_data_version_of(model, pks, *, created=False):
    """Bump the CERs of the objects ``pks`` of ``model``, just written: one UPDATE. A new object
    of a model shown in every CER by name (an actor, an instrument, a user) is in no page yet."""
    lookup = CLUSTER_LOOKUPS[model._meta.label_lower]
    if lookup is None:
        if not created:
            bump_every_data_version()
        return
    if lookup == "pk":
        bump_data_version(pks)
        return
    # The CERs in a subquery: one statement.
    _increment(
        Cluster.objects.filter(
            pk__in=model._default_manager.filter(pk__in=list(pks)).values(lookup)
        )
    )
