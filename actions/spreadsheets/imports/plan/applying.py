"""Applying a confirmed plan: the rows' writes as operations, parents before children, each
through actions.plan.services (and actions.progress.services for a new activity's progress)."""

from collections import defaultdict

from django.utils.translation import gettext as _

from actions.models import (
    Activity,
    Actor,
    Instrument,
    Involvement,
    Objective,
    Status,
    Strategy,
)
from actions.plan import services as plan_services
from actions.progress import services
from actions.spreadsheets.imports.base import (
    Operation,
)
from actions.spreadsheets.imports.plan.reading import (
    FIELD_LABELS,
    HEADERS,
    name_key,
)
from clusters.models import Obstacle


class ApplyingMixin:
    """The preview's operations, in the order the database needs them."""

    def _order_operations(self):
        """Turn the rows' writes into operations, parents before children."""
        if any(row.errors for row in self.preview.rows):
            return
        writes = [operation for operation in self._pending if operation["write"]]
        context = _ApplyContext(self.registry, self.actors, self.instruments)
        # Objectives that trade places pass through a free «orden» first (a unique constraint).
        for objective, position, row in self._parked_objectives(writes):
            self.preview.operations.append(
                Operation(row=row, run=_parker(objective, position), columns={})
            )
        for operation in writes:
            self.preview.operations.append(
                Operation(
                    row=operation["row"],
                    run=_writer(operation, context),
                    columns=FIELD_LABELS,
                )
            )
        for operation in writes:
            if operation.get("progress"):
                self.preview.operations.append(
                    Operation(
                        row=operation["row"],
                        run=_progress_writer(operation, context),
                        columns={
                            "status": HEADERS["status"],
                            "progress": HEADERS["progress"],
                            "new_end": HEADERS["revised_end"],
                            "reason": HEADERS["revision_reason"],
                        },
                    )
                )

    def _parked_objectives(self, writes):
        """Existing objectives to move out of the way: each holds the «orden» another takes."""
        holders = {
            (slug, objective.position): objective
            for (slug, _numeral), objective in self.db_objectives.items()
        }
        top = defaultdict(int)
        for (slug, _numeral), objective in self.db_objectives.items():
            top[slug] = max(top[slug], objective.position)
        for operation in self._pending:
            if operation["model"] is Objective:
                slug = operation["key"][1]
                top[slug] = max(top[slug], operation["values"].get("position", 0))
        parked = []
        for operation in writes:
            if operation["model"] is not Objective or "position" not in operation["values"]:
                continue
            slug = operation["key"][1]
            holder = holders.get((slug, operation["values"]["position"]))
            if holder is None or holder is operation["instance"]:
                continue
            if any(holder is already for already, _slug, _row in parked):
                continue
            parked.append((holder, slug, operation["row"]))
        result = []
        for holder, slug, row in parked:
            top[slug] += 1
            result.append((holder, top[slug], row))
        return result


# Applying. Operations run in order in one transaction; a parent created by an earlier operation
# is found through the context's registry, filled as objects are saved.


class _ApplyContext:
    def __init__(self, registry, actors, instruments):
        self.registry = dict(registry)
        self.actors = dict(actors)
        self.instruments = dict(instruments)

    def actor(self, name, user):
        key = name_key(name)
        if key not in self.actors:
            self.actors[key] = plan_services.save_plan_item(
                acting_user=user, model=Actor, values={"name": name}, reason=_reason()
            )
        return self.actors[key]

    def instrument(self, name, user):
        key = name_key(name)
        if key not in self.instruments:
            self.instruments[key] = plan_services.save_plan_item(
                acting_user=user, model=Instrument, values={"name": name}, reason=_reason()
            )
        return self.instruments[key]


def _reason():
    return _("importación de la estructura del plan")


# Models whose rows carry their CER; the others hang from a strategy or an obstacle.
_CLUSTER_MODELS = (Objective, Strategy, Activity, Obstacle)


def _writer(operation, context):
    model = operation["model"]
    instance = operation["instance"]

    def run(user):
        values = dict(operation["values"])
        if instance is None and model in _CLUSTER_MODELS:
            values["cluster_id"] = context.registry[("cer", operation["cluster"])]
        for name, key in operation.get("parents", {}).items():
            values[f"{name}_id"] = context.registry[key]
        if model is Involvement:
            values["actor_id"] = context.actor(operation["actor"], user).pk
        instruments = None
        if operation.get("instruments") is not None:
            instruments = [context.instrument(name, user) for name in operation["instruments"]]
        saved = plan_services.save_plan_item(
            acting_user=user,
            model=model,
            pk=instance.pk if instance is not None else None,
            values=values,
            reason=_reason(),
            instruments=instruments,
            expected_version=operation.get("expected_version"),
        )
        if operation.get("key"):
            context.registry[operation["key"]] = saved.pk

    return run


def _parker(objective, position):
    def run(user):
        plan_services.save_plan_item(
            acting_user=user,
            model=Objective,
            pk=objective.pk,
            values={"position": position},
            reason=_reason(),
        )

    return run


def _progress_writer(operation, context):
    progress = operation["progress"]
    key = operation["key"]

    def run(user):
        activity_id = context.registry[key]
        version = 1
        if progress["revised_end"] is not None:
            services.revise_deadline(
                activity_id=activity_id,
                acting_user=user,
                expected_version=version,
                new_end=progress["revised_end"],
                reason=progress["reason"],
            )
            version += 1
        if progress["status"] != Status.PENDING or progress["progress"] != 0:
            services.record_progress(
                activity_id=activity_id,
                acting_user=user,
                expected_version=version,
                status=progress["status"],
                progress=progress["progress"],
                note=progress["note"],
            )

    return run
