"""Building the preview of a plan's skeleton: CERs, objectives, strategies and activities."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from actions.models import (
    Activity,
    Objective,
    Status,
    Strategy,
)
from actions.plan.kinds import kind_of
from actions.plan.periods import PeriodError, parse_period
from actions.progress import services
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
)
from actions.spreadsheets.imports.plan.reading import (
    FIELD_LABELS,
    HEADERS,
    MISSING,
    Target,
    field_label,
    limited_text,
    lower_first,
    max_length_of,
    numeral,
    shown,
)
from actions.spreadsheets.imports.progress import read_status, status_word
from clusters.models import Cluster


class BuildingMixin:
    """Each row's action, its changes and the operation that writes it."""

    def _record(self, item, model, instance, values, *, label, extra_changes=(), **operation):
        """The row's action and changes, and the operation that writes it."""
        result = item.result
        result.label = label
        if instance is None:
            result.action = CREATE
            for name, value in values.items():
                if value not in ("", None) and name not in ("kind", "role"):
                    result.change(field_label(model, name), "", shown(value))
        else:
            for name, value in values.items():
                old = getattr(instance, name)
                if old != value:
                    result.change(field_label(model, name), shown(old), shown(value))
            result.action = UPDATE if result.changes else UNCHANGED
        for column, old, new in extra_changes:
            result.change(column, old, new)
            if result.action == UNCHANGED:
                result.action = UPDATE
        if result.errors:
            return
        self._validate(item, model, instance, values)
        if result.errors:
            return
        operation.setdefault("element", item.element)
        operation.update(model=model, instance=instance, values=values, row=result.number)
        operation["write"] = result.action != UNCHANGED
        self._pending.append(operation)

    def _validate(self, item, model, instance, values):
        """Django's own validation of what the row would leave (fields and the model's clean()),
        each message at its column. Parents, unique and check constraints are left to the
        services' full_clean and the database when the import is applied: parents may be rows
        of the file, and rows may trade places."""
        obj = copy.copy(instance) if instance is not None else model()
        for name, value in values.items():
            setattr(obj, name, value)
        parents = {field.name for field in model._meta.concrete_fields if field.is_relation}
        try:
            obj.full_clean(exclude=parents, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = None if name == NON_FIELD_ERRORS else FIELD_LABELS.get(name, name)
                for message in messages:
                    item.result.error(lower_first(message), column=column, show_value=False)

    def _cluster(self, item):
        result = item.result
        if self.page_cluster is not None and item.slug != self.page_cluster.slug:
            self._cluster_of(item)
            return
        if item.slug != slugify(item.slug) or len(item.slug) > max_length_of(Cluster, "slug"):
            result.error(
                _(
                    "no sirve como identificador de CER: use solo minúsculas sin tildes, números "
                    "y guiones (p. ej. «metalmecanica»)."
                ),
                column="cer",
                value=item.slug,
            )
            return
        if not self._unique(item, "cer", item.slug, _("El CER «%s»") % item.slug):
            return
        instance = self.clusters.get(item.slug)
        if instance is None and item.slug in self.all_slugs:
            # It exists but is outside this page's scope (admin import pages have every CER).
            self._cluster_of(item)
            return
        values = {"slug": item.slug}
        name = self._get(
            item, "text", limited_text, required=True, max_length=max_length_of(Cluster, "name")
        )
        if name is None:
            return
        values["name"] = name
        holder = self.cluster_names.get(cells.normalize(name))
        if holder is not None and holder != item.slug:
            result.error(
                _("ya es el nombre del CER «%(slug)s»: cada CER tiene un nombre distinto.")
                % {"slug": holder},
                column="texto",
                value=name,
            )
            return
        self.cluster_names[cells.normalize(name)] = item.slug  # two new CERs, one name: refused
        for key, field_name in (("sector", "sector"), ("region", "region")):
            value = self._get(
                item, key, limited_text, max_length=max_length_of(Cluster, field_name)
            )
            if value is not MISSING and value is not None:
                values[field_name] = value
        description = self._get(item, "description")
        if description is not MISSING and description is not None:
            values["description"] = description
        self._common(item, Cluster, values)
        if instance is None:
            values = {"sector": "", "region": "", "description": "", **values}
        else:
            values.pop("slug")
        self._record(
            item, Cluster, instance, values, label=_("CER «%s»") % item.slug, key=("cer", item.slug)
        )

    def _objective(self, item):
        slug = self._cluster_of(item)
        key_numeral = self._get(item, "objective", numeral, required=True)
        if slug is None or not key_numeral:
            return
        if len(key_numeral) > max_length_of(Objective, "numeral"):
            item.result.error(
                _("es demasiado largo para un numeral."), column="objetivo", value=key_numeral
            )
            return
        label = _("objetivo %(numeral)s de %(cer)s") % {"numeral": key_numeral, "cer": slug}
        if not self._unique(item, "objective", (slug, key_numeral), label.capitalize()):
            return
        instance = self.db_objectives.get((slug, key_numeral))
        position = self._position(item, ("objective", slug), instance and instance.position)
        title = self._get(item, "text", required=True)
        if position is None or title is None:
            return
        values = {"numeral": key_numeral, "position": position, "title": title}
        self._common(item, Objective, values)
        if instance is not None:
            values.pop("numeral")
        self.targets[("objective", (slug, key_numeral))] = Target(
            (slug, key_numeral), instance, position=position
        )
        self._record(
            item,
            Objective,
            instance,
            values,
            label=label,
            key=("objective", slug, key_numeral),
            cluster=slug,
        )

    def _strategy(self, item):
        slug = self._cluster_of(item)
        number = self._get(item, "strategy", cells.integer, required=True, minimum=1, maximum=32767)
        parent_numeral = self._get(item, "objective", numeral, required=True)
        if slug is None or number is None or not parent_numeral:
            return
        label = _("estrategia %(number)s de %(cer)s") % {"number": number, "cer": slug}
        if not self._unique(item, "strategy", (slug, number), label.capitalize()):
            return
        if not self._exists("objective", (slug, parent_numeral)):
            item.result.error(
                _("no es un objetivo del CER «%(cer)s» (ni está en el archivo).") % {"cer": slug},
                column="objetivo",
                value=parent_numeral,
            )
            return
        instance = self.db_strategies.get((slug, number))
        title = self._get(item, "text", required=True)
        if title is None:
            return
        values = {"number": number, "title": title}
        period = self._period(item, instance)
        if period is None:
            return
        values.update(period)
        self._common(item, Strategy, values)
        objective_changes = ()
        if instance is not None:
            values.pop("number")
            old_numeral = instance.objective.numeral.strip().upper()
            if old_numeral != parent_numeral:
                objective_changes = ((HEADERS["objective"], old_numeral, parent_numeral),)
        final = {
            name: values.get(name, getattr(instance, name, None))
            for name in ("committed_start", "committed_end")
        }
        self.targets[("strategy", (slug, number))] = Target((slug, number), instance, **final)
        self._record(
            item,
            Strategy,
            instance,
            values,
            label=label,
            extra_changes=objective_changes,
            key=("strategy", slug, number),
            parents={"objective": ("objective", slug, parent_numeral)},
            cluster=slug,
        )

    def _period(self, item, instance):
        text = self._get(
            item,
            "period",
            limited_text,
            max_length=max_length_of(Strategy, "committed_period_text"),
        )
        start = self._get(item, "start", cells.date)
        end = self._get(item, "end", cells.date)
        if item.result.errors:
            return None
        values = {}
        if text is not MISSING:
            values["committed_period_text"] = text
        dates_given = start not in (MISSING, None) or end not in (MISSING, None)
        if dates_given:
            values["committed_start"] = None if start is MISSING else start
            values["committed_end"] = None if end is MISSING else end
        elif text not in (MISSING, ""):
            try:
                period = parse_period(text)
            except PeriodError as error:
                item.result.error(
                    _("%(error)s O escriba las fechas en «inicio» y «término».")
                    % {"error": lower_first(str(error))},
                    column=HEADERS["period"],
                    show_value=False,
                )
                return None
            values["committed_start"], values["committed_end"] = period.start, period.end
        elif instance is None or start is not MISSING or end is not MISSING or text is not MISSING:
            values["committed_start"] = values["committed_end"] = None
        # An end before the start is refused by Strategy.clean(), through _record.
        return values

    def _activity(self, item):
        slug = self._cluster_of(item)
        code = self._get(
            item, "code", limited_text, required=True, max_length=max_length_of(Activity, "code")
        )
        number = self._strategy_parent(item, slug)
        if slug is None or not code or number is None:
            return
        label = _("actividad %(code)s de %(cer)s") % {"code": code, "cer": slug}
        if not self._unique(item, "activity", (slug, code), label.capitalize()):
            return
        instance = self.db_activities.get((slug, code))
        position = self._position(
            item, ("activity", slug, number), instance.position if instance else None
        )
        title = self._get(item, "text", required=True)
        if position is None or title is None:
            return
        values = {"code": code, "position": position, "title": title}
        if instance is None:
            # A new activity's kind comes from its sentence, once; later imports keep the kind
            # the admin may have corrected.
            values["kind"] = kind_of(title)
        for key, field_name in (
            ("source_code", "source_code"),
            ("schedule_title", "schedule_title"),
        ):
            reader_options = (
                {"max_length": max_length_of(Activity, field_name)}
                if field_name == "source_code"
                else {}
            )
            value = self._get(item, key, limited_text, **reader_options)
            if value is not MISSING and value is not None:
                values[field_name] = value
        start = self._get(item, "start", cells.date)
        end = self._get(item, "end", cells.date)
        if item.result.errors:
            return
        if start not in (MISSING, None) or end not in (MISSING, None):
            values["planned_start"] = None if start is MISSING else start
            values["planned_end"] = None if end is MISSING else end
        elif instance is None or start is not MISSING or end is not MISSING:
            values["planned_start"], values["planned_end"] = self._strategy_dates(slug, number)
        # An end before the start is refused by Activity.clean(), through _record.
        self._common(item, Activity, values)
        progress = self._initial_progress(item, instance, values)
        if progress is None:
            return
        strategy_changes = ()
        if instance is not None:
            values.pop("code")
            item.result.token = str(instance.version)
            if instance.strategy.number != number:
                strategy_changes = ((HEADERS["strategy"], instance.strategy.number, number),)
        self._record(
            item,
            Activity,
            instance,
            values,
            label=label,
            extra_changes=strategy_changes + progress["changes"],
            key=("activity", slug, code),
            parents={"strategy": ("strategy", slug, number)},
            cluster=slug,
            progress=progress if instance is None else None,
            expected_version=instance.version if instance is not None else None,
        )

    def _initial_progress(self, item, instance, values):
        """Status, progress and revised end of a new activity; a note for an existing one."""
        status = self._get(item, "status", read_status)
        progress = self._get(item, "progress", cells.integer, minimum=0, maximum=100)
        revised_end = self._get(item, "revised_end", cells.date)
        reason = self._get(item, "revision_reason")
        if item.result.errors:
            return None
        status = None if status is MISSING else status
        progress = None if progress is MISSING else progress
        revised_end = None if revised_end is MISSING else revised_end
        reason = "" if reason in (MISSING, None) else reason
        if instance is not None:
            differs = (
                (status is not None and status != instance.status)
                or (progress is not None and progress != instance.progress)
                or (revised_end is not None and revised_end != instance.revised_end)
            )
            if differs:
                item.result.notes.append(
                    _(
                        "El estado, el avance y el término revisado de una actividad que ya "
                        "existe no se cambian con el plan (se ignoran aquí): regístrelos con la "
                        "importación de avances o el formulario de la actividad."
                    )
                )
            return {"changes": ()}
        status = status or (Status.DONE if progress == 100 else Status.PENDING)
        if progress is None:
            progress = 100 if status == Status.DONE else 0
        note = _("Estado inicial, cargado con el plan desde una planilla.")
        errors = services.progress_rule_errors(
            services.ProgressChange(
                old_status=Status.PENDING,
                new_status=status,
                old_progress=0,
                new_progress=progress,
                note=note,
                has_evidence=False,
            )
        )
        columns = {"status": HEADERS["status"], "progress": HEADERS["progress"]}
        for key, messages in errors.items():
            if key in columns:
                for message in messages:
                    item.result.error(
                        lower_first(str(message)), column=columns[key], show_value=False
                    )
        if revised_end is not None:
            if not reason:
                item.result.error(
                    _("está vacía; un término revisado lleva su motivo."),
                    column=HEADERS["revision_reason"],
                    show_value=False,
                )
            start = values.get("planned_start")
            if start and revised_end < start:
                item.result.error(
                    _("es anterior al inicio planificado (%(start)s).")
                    % {"start": start.strftime("%d-%m-%Y")},
                    column=HEADERS["revised_end"],
                    value=revised_end.strftime("%d-%m-%Y"),
                )
        if item.result.errors:
            return None
        changes = []
        if status != Status.PENDING:
            changes.append((HEADERS["status"], "", status_word(status)))
        if progress:
            changes.append((HEADERS["progress"], "", f"{progress} %"))
        if revised_end is not None:
            changes.append((HEADERS["revised_end"], "", revised_end))
        return {
            "changes": tuple(changes),
            "status": status,
            "progress": progress,
            "revised_end": revised_end,
            "reason": reason,
            "note": note,
        }
