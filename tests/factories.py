"""Small, explicit builders for test data (no fixtures files, no randomness)."""

import datetime

from django.contrib.auth import get_user_model

from actions.models import Activity, Actor, Funding, Goal, Involvement, Objective, Strategy
from clusters.models import Cluster, Company, CompanyOwnership, StaffAssignment


def make_cluster(slug, *, name=None):
    return Cluster.objects.create(slug=slug, name=name or f"CER {slug}", region="Antofagasta")


def make_plan(cluster, *, strategies=1, activities_per_strategy=2, start=None, end=None):
    """An objective with strategies and activities coded "<strategy>.<n>"."""
    start = start or datetime.date(2007, 1, 1)
    end = end or datetime.date(2009, 12, 31)
    objective = Objective.objects.create(
        cluster=cluster, numeral="I", position=1, title=f"Objetivo de {cluster.slug}"
    )
    created = []
    for number in range(1, strategies + 1):
        strategy = Strategy.objects.create(
            cluster=cluster,
            objective=objective,
            number=number,
            title=f"Estrategia {number} de {cluster.slug}",
            committed_period_text=f"{start.year}-{end.year}",
            committed_start=start,
            committed_end=end,
        )
        Goal.objects.create(strategy=strategy, position=1, text=f"Meta {number}")
        Funding.objects.create(
            strategy=strategy, kind="public", position=1, text="Instrumento PROFO"
        )
        actor, _ = Actor.objects.get_or_create(name="CORFO")
        Involvement.objects.create(strategy=strategy, actor=actor, role="responsible", position=1)
        for position in range(1, activities_per_strategy + 1):
            created.append(
                Activity.objects.create(
                    cluster=cluster,
                    strategy=strategy,
                    code=f"{number}.{position}",
                    position=position,
                    title=f"Actividad {number}.{position} de {cluster.slug}",
                    planned_start=start,
                    planned_end=end,
                )
            )
    return created


def make_user(username, **extra):
    return get_user_model().objects.create_user(
        username=username, password="a long test passphrase", **extra
    )


def make_admin(username="admin"):
    return get_user_model().objects.create_superuser(
        username=username, password="a long test passphrase", email=""
    )


def make_staff(username, *clusters):
    user = make_user(username)
    for cluster in clusters:
        StaffAssignment.objects.create(user=user, cluster=cluster)
    return user


def make_owner(username, cluster, company_name="Empresa de prueba"):
    user = make_user(username)
    company, _ = Company.objects.get_or_create(cluster=cluster, name=company_name)
    CompanyOwnership.objects.create(user=user, company=company)
    return user
