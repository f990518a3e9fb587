"""The data behind /search/: activities, goals, strategies, actors and companies by words or by
code, only within the CERs the user may read.

Words are matched without regard to accents or case. On PostgreSQL this is full-text search
with the ``cerplan_spanish`` configuration (Spanish stemming over unaccent, migration 0008), so
«ferias» also finds «feria», ranked by relevance. On SQLite (development) each word must appear
in the text, folded the same way by ``cerplan_fold``, a function registered on every connection
(register_sqlite_functions, from ActionsConfig.ready). A code such as «4.2» finds that activity
in every readable CER (and «4», strategy 4 and its activities). Each kind lists at most LIMIT
results, in one query each.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import CharField, F, Func, Q

from actions.formatting import fold
from actions.models import Activity, Actor, Goal, Involvement, Strategy
from clusters import permissions as roles
from clusters.models import Company

CONFIGURATION = "cerplan_spanish"
LIMIT = 25
MAX_QUERY_LENGTH = 100
CODE = re.compile(r"^\d{1,3}(\.\d{1,3})*$")


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver: SQLite learns cerplan_fold (PostgreSQL has unaccent)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cerplan_fold", 1, fold, deterministic=True)


@dataclass
class Found:
    key: str
    items: list = field(default_factory=list)
    more: bool = False  # more than LIMIT matched


@dataclass
class Results:
    query: str
    kinds: list  # [Found] for activities, strategies, goals, actors, companies

    @property
    def total(self):
        return sum(len(found.items) for found in self.kinds)


def _folded(name):
    """The annotation holding field ``name`` folded (SQLite)."""
    return f"{name.replace('__', '_')}_folded"


def _words_q(fields, query):
    """SQLite: every word in one of ``fields`` (annotated folded as ``<field>_folded``)."""
    condition = Q()
    for word in fold(query).split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{_folded(name)}__contains": word})
        condition &= any_field
    return condition


def _matching(queryset, fields, query, *, code_q=None):
    """``queryset`` narrowed to what matches ``query`` in ``fields`` (or ``code_q``), best first."""
    code_q = code_q or Q(pk__in=[])
    if connection.vendor == "postgresql":
        vector = SearchVector(*fields, config=CONFIGURATION)
        terms = SearchQuery(query, config=CONFIGURATION, search_type="websearch")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, terms))
            .filter(Q(search=terms) | code_q)
            .order_by("-rank", "pk")
        )
    folded = {
        _folded(name): Func(F(name), function="cerplan_fold", output_field=CharField())
        for name in fields
    }
    return queryset.annotate(**folded).filter(_words_q(fields, query) | code_q).order_by("pk")


def _first(queryset):
    items = list(queryset[: LIMIT + 1])
    return items[:LIMIT], len(items) > LIMIT


def _readable(queryset, user, cluster_field):
    return roles.filter_readable(queryset, user, cluster_field=cluster_field)


def _with_readable_places(actors, readable_ids):
    """Each actor's ``places``: [(cluster, strategy numbers, responsible there)] in the
    readable CERs, read in one query for all of them."""
    involvements = Involvement.objects.filter(actor__in=actors).select_related("strategy__cluster")
    if readable_ids is not None:
        involvements = involvements.filter(strategy__cluster__in=readable_ids)
    places = {}
    for involvement in involvements.order_by("strategy__cluster__name", "strategy__number"):
        cluster = involvement.strategy.cluster
        place = places.setdefault(involvement.actor_id, {}).setdefault(
            cluster.pk, {"cluster": cluster, "numbers": [], "responsible": False}
        )
        if involvement.strategy.number not in place["numbers"]:
            place["numbers"].append(involvement.strategy.number)
        place["responsible"] |= involvement.role == Involvement.Role.RESPONSIBLE
    for actor in actors:
        actor.places = list(places.get(actor.pk, {}).values())


def search(user, query):
    """What ``user`` may read that matches ``query`` (already stripped), by kind."""
    query = query[:MAX_QUERY_LENGTH]
    is_code = bool(CODE.match(query))
    number = int(query.split(".")[0]) if is_code else None
    activity_code_q = (Q(code=query) | Q(code__startswith=f"{query}.")) if is_code else None
    found = []

    activities = _matching(
        _readable(Activity.objects.select_related("cluster", "strategy"), user, "cluster"),
        ["code", "title"],
        query,
        code_q=activity_code_q,
    )
    found.append(Found("activities", *_first(activities)))

    strategies = _matching(
        _readable(Strategy.objects.select_related("cluster"), user, "cluster"),
        ["title"],
        query,
        code_q=Q(number=number) if is_code and "." not in query else None,
    )
    found.append(Found("strategies", *_first(strategies)))

    goals = _matching(
        _readable(Goal.objects.select_related("strategy__cluster"), user, "strategy__cluster"),
        ["text"],
        query,
    )
    found.append(Found("goals", *_first(goals)))

    # An actor has no CER of its own: those of the readable CERs' strategies.
    readable_ids = roles.readable_cluster_ids(user)
    actors = Actor.objects.all()
    if readable_ids is not None:
        actors = actors.filter(involvements__strategy__cluster__in=readable_ids)
    actors = Actor.objects.filter(pk__in=actors.values("pk"))
    actors_found = Found("actors", *_first(_matching(actors, ["name"], query)))
    _with_readable_places(actors_found.items, readable_ids)
    found.append(actors_found)

    companies = _matching(
        _readable(Company.objects.select_related("cluster"), user, "cluster"), ["name"], query
    )
    found.append(Found("companies", *_first(companies)))
    return Results(query=query, kinds=found)
