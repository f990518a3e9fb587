"""Building the preview of what hangs from a strategy or an obstacle: goals, funding, actors,
obstacles and measures."""

from django.utils.translation import gettext as _

from actions.models import (
    Actor,
    Funding,
    Goal,
    Involvement,
)
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.plan.reading import (
    ELEMENT_WORDS,
    FUNDING_KINDS,
    HEADERS,
    INVOLVEMENT_ROLES,
    MISSING,
    Target,
    limited_text,
    max_length_of,
    name_key,
    read_instruments,
)
from clusters.models import Measure, Obstacle


class PartsMixin:
    """The rows of a strategy's goals, funding and actors, and of obstacles."""

    def _goal(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or number is None or position is None:
            return
        label = _("meta %(position)s de la estrategia %(number)s de %(cer)s") % {
            "position": position,
            "number": number,
            "cer": slug,
        }
        if not self._unique(item, "goal", (slug, number, position), label.capitalize()):
            return
        instance = self.db_goals.get((slug, number, position))
        text = self._get(item, "text", required=True)
        target = self._get(item, "target_value", cells.decimal)
        unit = self._get(item, "unit", limited_text, max_length=max_length_of(Goal, "unit"))
        due = self._get(item, "due", cells.date)
        if text is None or item.result.errors:
            return
        values = {"position": position, "text": text}
        for name, value in (("target_value", target), ("unit", unit), ("due", due)):
            if value is not MISSING:
                values[name] = value
        # A target without a unit is refused by Goal.clean(), through _record.
        self._common(item, Goal, values)
        if instance is None:
            values = {"target_value": None, "unit": "", "due": None, **values}
        self._record(
            item,
            Goal,
            instance,
            values,
            label=label,
            parents={"strategy": ("strategy", slug, number)},
        )

    def _funding(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or number is None or position is None:
            return
        kind = FUNDING_KINDS[item.element]
        label = _("%(element)s %(position)s de la estrategia %(number)s de %(cer)s") % {
            "element": ELEMENT_WORDS[item.element],
            "position": position,
            "number": number,
            "cer": slug,
        }
        if not self._unique(item, "funding", (slug, number, kind, position), label.capitalize()):
            return
        instance = self.db_funding.get((slug, number, kind, position))
        text = self._get(
            item, "text", limited_text, required=True, max_length=max_length_of(Funding, "text")
        )
        share = self._get(item, "share", cells.decimal, max_digits=5, minimum=0, maximum=100)
        names = self._get(item, "instruments", read_instruments)
        if text is None or item.result.errors:
            return
        values = {"kind": kind, "position": position, "text": text}
        if share is not MISSING:
            values["share_percent"] = share
        self._common(item, Funding, values)
        if instance is None:
            values = {"share_percent": None, **values}
        extra = ()
        instruments = None
        if names is not MISSING:
            names = names or []
            instruments = names
            old = [i.name for i in instance.instruments.all()] if instance is not None else []
            if sorted(map(name_key, old)) != sorted(map(name_key, names)):
                extra = ((HEADERS["instruments"], "; ".join(old), "; ".join(names)),)
        self._record(
            item,
            Funding,
            instance,
            values,
            label=label,
            extra_changes=extra,
            parents={"strategy": ("strategy", slug, number)},
            instruments=instruments,
        )

    def _involvement(self, item):
        slug = self._cluster_of(item)
        number = self._strategy_parent(item, slug)
        name = self._get(
            item, "text", limited_text, required=True, max_length=max_length_of(Actor, "name")
        )
        if slug is None or number is None or not name:
            return
        role = INVOLVEMENT_ROLES[item.element]
        name = " ".join(name.split())
        label = _("%(element)s «%(name)s» de la estrategia %(number)s de %(cer)s") % {
            "element": ELEMENT_WORDS[item.element],
            "name": name,
            "number": number,
            "cer": slug,
        }
        key = (slug, number, role, name_key(name))
        if not self._unique(item, "involvement", key, label.capitalize()):
            return
        instance = self.db_involvements.get(key)
        position = self._position(
            item, ("involvement", slug, number, role), instance.position if instance else None
        )
        if position is None:
            return
        values = {"role": role, "position": position}
        self._common(item, Involvement, values)
        if instance is not None:
            values.pop("role")
        self._record(
            item,
            Involvement,
            instance,
            values,
            label=label,
            parents={"strategy": ("strategy", slug, number)},
            actor=name,
        )

    def _obstacle(self, item):
        slug = self._cluster_of(item)
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or position is None:
            return
        label = _("obstáculo %(position)s de %(cer)s") % {"position": position, "cer": slug}
        if not self._unique(item, "obstacle", (slug, position), label.capitalize()):
            return
        instance = self.db_obstacles.get((slug, position))
        title = self._get(item, "text", required=True)
        if title is None:
            return
        values = {"position": position, "title": title}
        self._common(item, Obstacle, values)
        self.targets[("obstacle", (slug, position))] = Target((slug, position), instance)
        self._record(
            item,
            Obstacle,
            instance,
            values,
            label=label,
            key=("obstacle", slug, position),
            cluster=slug,
        )

    def _measure(self, item):
        slug = self._cluster_of(item)
        obstacle = self._get(
            item, "obstacle", cells.integer, required=True, minimum=1, maximum=32767
        )
        position = self._get(
            item, "position", cells.integer, required=True, minimum=1, maximum=32767
        )
        if slug is None or obstacle is None or position is None:
            return
        if not self._exists("obstacle", (slug, obstacle)):
            item.result.error(
                _("no es un obstáculo del CER «%(cer)s» (ni está en el archivo).") % {"cer": slug},
                column=HEADERS["obstacle"],
                value=obstacle,
            )
            return
        label = _("medida %(position)s del obstáculo %(obstacle)s de %(cer)s") % {
            "position": position,
            "obstacle": obstacle,
            "cer": slug,
        }
        if not self._unique(item, "measure", (slug, obstacle, position), label.capitalize()):
            return
        instance = self.db_measures.get((slug, obstacle, position))
        text = self._get(item, "text", required=True)
        if text is None:
            return
        values = {"position": position, "text": text}
        self._common(item, Measure, values)
        self._record(
            item,
            Measure,
            instance,
            values,
            label=label,
            parents={"obstacle": ("obstacle", slug, obstacle)},
        )
