"""Matching the file's rows with what the database holds, and the checks of the whole file."""

from collections import defaultdict

from django.utils.translation import gettext as _

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    Instrument,
    Involvement,
    Objective,
    Strategy,
)
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.plan.reading import (
    HEADERS,
    name_key,
)
from clusters.models import Cluster, Measure, Obstacle


class MatchingMixin:
    """What each row matches: loaded once, then looked up by CER and code."""

    def _load(self, items):
        """Everything the file may match, in a fixed number of queries."""
        file_slugs = {item.slug for group in items.values() for item in group}
        if self.page_cluster is not None:
            in_scope = [self.page_cluster]
        else:
            in_scope = list(Cluster.objects.filter(slug__in=file_slugs))
        self.clusters = {cluster.slug: cluster for cluster in in_scope}
        self.cluster_names = {
            cells.normalize(name): slug
            for slug, name in Cluster.objects.values_list("slug", "name")
        }
        self.all_slugs = set(self.cluster_names.values())
        ids = {cluster.id: cluster.slug for cluster in in_scope}
        self.cer_rows = {item.slug for item in items["cer"]}

        def slug_of(instance):
            return ids[instance.cluster_id]

        self.db_objectives = {
            (slug_of(o), o.numeral.strip().upper()): o
            for o in Objective.objects.filter(cluster_id__in=ids)
        }
        self.db_strategies = {
            (slug_of(s), s.number): s
            for s in Strategy.objects.filter(cluster_id__in=ids).select_related("objective")
        }
        self.db_activities = {
            (slug_of(a), a.code): a
            for a in Activity.objects.filter(cluster_id__in=ids).select_related("strategy")
        }
        self.db_goals = {
            (ids[g.strategy.cluster_id], g.strategy.number, g.position): g
            for g in Goal.objects.filter(strategy__cluster_id__in=ids).select_related("strategy")
        }
        self.db_funding = {
            (ids[f.strategy.cluster_id], f.strategy.number, f.kind, f.position): f
            for f in Funding.objects.filter(strategy__cluster_id__in=ids)
            .select_related("strategy")
            .prefetch_related("instruments")
        }
        self.db_involvements = {
            (
                ids[i.strategy.cluster_id],
                i.strategy.number,
                i.role,
                name_key(i.actor.name),
            ): i
            for i in Involvement.objects.filter(strategy__cluster_id__in=ids).select_related(
                "strategy", "actor"
            )
        }
        self.db_obstacles = {
            (slug_of(o), o.position): o for o in Obstacle.objects.filter(cluster_id__in=ids)
        }
        self.db_measures = {
            (ids[m.obstacle.cluster_id], m.obstacle.position, m.position): m
            for m in Measure.objects.filter(obstacle__cluster_id__in=ids).select_related("obstacle")
        }
        for cluster in in_scope:
            self.registry[("cer", cluster.slug)] = cluster.pk
        for element, objects in (
            ("objective", self.db_objectives),
            ("strategy", self.db_strategies),
            ("obstacle", self.db_obstacles),
            ("activity", self.db_activities),
        ):
            for key, instance in objects.items():
                self.registry[(element, *key)] = instance.pk
        # Names are matched exactly (spacing aside): the plan has both «PRO CHILE» and «Pro Chile».
        self.actors = {name_key(a.name): a for a in Actor.objects.all()}
        self.instruments = {name_key(i.name): i for i in Instrument.objects.all()}
        # Positions already taken, per parent, so a new item without «orden» goes last.
        for (slug, _numeral), objective in self.db_objectives.items():
            self._taken(("objective", slug), objective.position)
        for (slug, _code), activity in self.db_activities.items():
            self._taken(("activity", slug, activity.strategy.number), activity.position)
        for (slug, number, role, _name), involvement in self.db_involvements.items():
            self._taken(("involvement", slug, number, role), involvement.position)

    def _taken(self, parent, position):
        self.next_position[parent] = max(self.next_position[parent], position)

    def _cluster_of(self, item):
        """The CER of a non-«cer» row: in the database (in scope) or created by the file."""
        known = item.slug in self.clusters or item.slug in self.cer_rows
        if known and (self.page_cluster is None or item.slug == self.page_cluster.slug):
            return item.slug
        if self.page_cluster is not None:
            message = _(
                "no es el CER de esta página: aquí solo se importan filas de «%(name)s» (%(slug)s)."
            ) % {"name": self.page_cluster.name, "slug": self.page_cluster.slug}
        else:
            message = _(
                "no es un CER conocido; agregue al archivo una fila de elemento «cer» con este "
                "identificador para crearlo, o use uno de: %(slugs)s."
            ) % {"slugs": ", ".join(sorted(self.all_slugs)[:12]) or "—"}
        item.result.error(message, column="cer", value=item.slug)
        return None

    def _unique(self, item, element, key, label):
        first = self.first_row.setdefault((element, key), item.result.number)
        if first != item.result.number:
            item.result.error(
                _("%(what)s ya aparece en la fila %(row)s: deje una sola fila para cada uno.")
                % {"what": label, "row": first}
            )
            return False
        return True

    def _exists(self, element, key):
        databases = {
            "objective": self.db_objectives,
            "strategy": self.db_strategies,
            "obstacle": self.db_obstacles,
        }
        return (element, key) in self.targets or key in databases[element]

    def _strategy_dates(self, slug, number):
        target = self.targets.get(("strategy", (slug, number)))
        if target is not None:
            return target.final["committed_start"], target.final["committed_end"]
        strategy = self.db_strategies[(slug, number)]
        return strategy.committed_start, strategy.committed_end

    def _strategy_parent(self, item, slug):
        number = self._get(item, "strategy", cells.integer, required=True, minimum=1, maximum=32767)
        if number is None or slug is None:
            return None
        if not self._exists("strategy", (slug, number)):
            item.result.error(
                _("no es una estrategia del CER «%(cer)s» (ni está en el archivo).")
                % {"cer": slug},
                column="estrategia",
                value=number,
            )
            return None
        return number

    def _check_objective_positions(self):
        """Two objectives of a CER may not end up at the same «orden»."""
        final = defaultdict(dict)  # slug → {position: numeral}
        in_file = {key for element, key in self.targets if element == "objective"}
        for (slug, number), objective in self.db_objectives.items():
            if (slug, number) not in in_file:
                final[slug][objective.position] = number
        for operation in self._pending:
            if operation["model"] is not Objective:
                continue
            _element, slug, number = operation["key"]
            position = operation["values"].get("position")
            holder = final[slug].get(position)
            if holder is not None and holder != number:
                row = self._row(operation["row"])
                row.error(
                    _("ya es el orden del objetivo %(numeral)s de este CER.") % {"numeral": holder},
                    column=HEADERS["position"],
                    value=position,
                )
            final[slug][position] = number

    def _kept_notices(self):
        """What a CER already has, of a kind the file lists, that the file does not name: kept."""
        named = defaultdict(set)
        for element, key in self.first_row:
            named[element].add(key)
        in_database = (
            ("objective", self.db_objectives, "objetivo", "objetivos"),
            ("strategy", self.db_strategies, "estrategia", "estrategias"),
            ("activity", self.db_activities, "actividad", "actividades"),
            ("goal", self.db_goals, "meta", "metas"),
            ("funding", self.db_funding, "recurso", "recursos"),
            ("involvement", self.db_involvements, "actor", "actores"),
            ("obstacle", self.db_obstacles, "obstáculo", "obstáculos"),
            ("measure", self.db_measures, "medida", "medidas"),
        )
        kept = defaultdict(list)
        for element, objects, singular, plural in in_database:
            slugs = {key[0] for key in named[element]}
            counts = defaultdict(int)
            for key in objects:
                if key[0] in slugs and key not in named[element]:
                    counts[key[0]] += 1
            for slug, count in counts.items():
                kept[slug].append(f"{count} {singular if count == 1 else plural}")
        for slug, parts in sorted(kept.items()):
            self.preview.notices.append(
                _(
                    "«%(cer)s» tiene en el sistema elementos que el archivo no nombra (%(items)s): "
                    "se conservan sin cambios; la importación no borra nada."
                )
                % {"cer": slug, "items": ", ".join(parts)}
            )

    def _row(self, number):
        for row in self.preview.rows:
            if row.number == number:
                return row
        raise KeyError(number)
