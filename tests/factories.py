"""factory_boy factories for test data, shared by every test module (no randomness).

Each factory builds one row with defaults that satisfy the model's constraints; pass the parent
(objective, strategy, activity, goal) and the CER follows from it, as the models denormalise it.
Factories save directly: they set up the state a test starts from. A test of a write (recording
progress, a goal measurement, an import) goes through the service function instead, which also
writes the history.

Examples:
    ClusterWithPlanFactory(slug="cer-a")               # a CER with a small plan
    ClusterWithPlanFactory(slug="x", plan__strategies=3, plan__activities_per_strategy=4)
    StaffFactory(username="coordinadora", clusters=[cer_a, cer_b])
    OwnerFactory(username="empresaria", company__cluster=cer_a)
    AdminFactory(username="admin")
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory, Password

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
from clusters.models import Cluster, Company, CompanyOwnership, StaffAssignment
from clusters.permissions import ADMIN_GROUP

# Every test user signs in with this (tests/browser/conftest.py types it into the form).
PASSWORD = "a long test passphrase"
PLAN_START = datetime.date(2007, 1, 1)
PLAN_END = datetime.date(2009, 12, 31)
NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def period_text(start, end):
    """The committed period as the report writes it."""
    if start and end:
        return f"{start.year}-{end.year}"
    return f"Desde el año {start.year} en adelante" if start else ""


class ClusterFactory(DjangoModelFactory):
    class Meta:
        model = Cluster
        # The post-generation hooks save what they make; a second save would add history.
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"cer-{n}")
    name = factory.LazyAttribute(lambda cluster: f"CER {cluster.slug}")
    region = "Antofagasta"


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    cluster = factory.SubFactory(ClusterFactory)
    position = factory.Sequence(lambda n: n + 1)
    numeral = factory.LazyAttribute(
        lambda objective: (
            NUMERALS[(objective.position - 1) % len(NUMERALS)]
            + "'" * ((objective.position - 1) // len(NUMERALS))
        )
    )
    title = factory.LazyAttribute(lambda objective: f"Objetivo de {objective.cluster.slug}")


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = Strategy

    objective = factory.SubFactory(ObjectiveFactory)
    cluster = factory.SelfAttribute("objective.cluster")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(
        lambda strategy: f"Estrategia {strategy.number} de {strategy.cluster.slug}"
    )
    committed_start = PLAN_START
    committed_end = PLAN_END
    committed_period_text = factory.LazyAttribute(
        lambda strategy: period_text(strategy.committed_start, strategy.committed_end)
    )


class ActivityFactory(DjangoModelFactory):
    """An activity coded "<strategy>.<position>", planned over its strategy's period."""

    class Meta:
        model = Activity

    strategy = factory.SubFactory(StrategyFactory)
    cluster = factory.SelfAttribute("strategy.cluster")
    position = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda activity: f"{activity.strategy.number}.{activity.position}")
    title = factory.LazyAttribute(
        lambda activity: f"Actividad {activity.code} de {activity.cluster.slug}"
    )
    planned_start = factory.SelfAttribute("strategy.committed_start")
    planned_end = factory.SelfAttribute("strategy.committed_end")
    revised_end = None
    revision_reason = factory.LazyAttribute(
        lambda activity: "Se atrasó el financiamiento." if activity.revised_end else ""
    )


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    strategy = factory.SubFactory(StrategyFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.LazyAttribute(lambda goal: f"Meta {goal.strategy.number}")


class GoalMeasurementFactory(DjangoModelFactory):
    """A measurement saved directly; services.record_goal_measurement is the write path."""

    class Meta:
        model = GoalMeasurement

    goal = factory.SubFactory(GoalFactory, target_value=Decimal(80), unit="%")
    value = Decimal(20)
    measured_on = datetime.date(2008, 6, 30)
    source = "Encuesta"


class InstrumentFactory(DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Instrumento {n}")


class FundingFactory(DjangoModelFactory):
    """A resource line; FundingFactory(instruments=[...]) links it to instruments."""

    class Meta:
        model = Funding
        # The post-generation hooks save what they make; a second save would add history.
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    kind = Funding.Kind.PUBLIC
    position = factory.Sequence(lambda n: n + 1)
    text = "Instrumento PROFO"

    @factory.post_generation
    def instruments(funding, create, extracted, **kwargs):
        if create and extracted:
            funding.instruments.add(*extracted)


class ActorFactory(DjangoModelFactory):
    """Actors are shared by name across CERs, as the plan tables name them."""

    class Meta:
        model = Actor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Actor {n}")


class InvolvementFactory(DjangoModelFactory):
    class Meta:
        model = Involvement

    strategy = factory.SubFactory(StrategyFactory)
    actor = factory.SubFactory(ActorFactory)
    role = Involvement.Role.RESPONSIBLE
    position = factory.Sequence(lambda n: n + 1)


class ClusterWithPlanFactory(ClusterFactory):
    """A CER with a small plan: objective I and, for each strategy (numbered from 1), a goal, a
    public funding line, CORFO as responsible and its activities "<strategy>.<n>" (from 1).

    Options go through the `plan` hook: plan__strategies, plan__activities_per_strategy,
    plan__start, plan__end. The activities are then cluster.activities.
    """

    @factory.post_generation
    def plan(
        cluster,
        create,
        extracted,
        *,
        strategies=1,
        activities_per_strategy=2,
        start=PLAN_START,
        end=PLAN_END,
    ):
        if not create:
            return
        objective = ObjectiveFactory(cluster=cluster, position=1, numeral="I")
        for number in range(1, strategies + 1):
            strategy = StrategyFactory(
                objective=objective, number=number, committed_start=start, committed_end=end
            )
            GoalFactory(strategy=strategy, position=1)
            FundingFactory(strategy=strategy, position=1)
            InvolvementFactory(strategy=strategy, actor__name="CORFO", position=1)
            for position in range(1, activities_per_strategy + 1):
                ActivityFactory(strategy=strategy, position=position)


class ProgressUpdateFactory(DjangoModelFactory):
    """A history row saved directly, for a history a test starts from (it does not change the
    activity). services.record_progress and services.revise_deadline are the write path."""

    class Meta:
        model = ProgressUpdate

    activity = factory.SubFactory(ActivityFactory)
    author = factory.SubFactory("tests.factories.UserFactory")
    kind = ProgressUpdate.Kind.PROGRESS
    effective_on = datetime.date(2008, 3, 1)
    old_status = factory.SelfAttribute("activity.status")
    new_status = factory.SelfAttribute("old_status")
    old_progress = factory.SelfAttribute("activity.progress")
    new_progress = factory.SelfAttribute("old_progress")
    old_revised_end = factory.SelfAttribute("activity.revised_end")
    new_revised_end = factory.SelfAttribute("old_revised_end")
    note = ""


class CompanyFactory(DjangoModelFactory):
    """Companies are unique by name within a CER; asking twice gives the same one."""

    class Meta:
        model = Company
        django_get_or_create = ("cluster", "name")

    cluster = factory.SubFactory(ClusterFactory)
    name = "Empresa de prueba"


# Users, one factory per role (clusters/permissions.py) ---------------------------------------


class UserFactory(DjangoModelFactory):
    """A signed-up user with no role: sees no CER."""

    class Meta:
        model = get_user_model()
        # The post-generation hooks save what they make; a second save would add history.
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario-{n}")
    password = Password(PASSWORD)


class AdminFactory(UserFactory):
    """A superuser."""

    username = factory.Sequence(lambda n: f"admin-{n}")
    email = ""
    is_staff = True
    is_superuser = True


class AdminGroupMemberFactory(UserFactory):
    """An administrator by membership of the ADMIN_GROUP group, not a superuser."""

    is_staff = True

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create:
            group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
            user.groups.add(group)


class StaffFactory(UserFactory):
    """Agency staff: StaffFactory(clusters=[cer_a, cer_b]) assigns them to those CERs."""

    @factory.post_generation
    def clusters(user, create, extracted, **kwargs):
        if create:
            for cluster in extracted or ():
                StaffAssignment.objects.create(user=user, cluster=cluster)


class OwnerFactory(UserFactory):
    """A company owner: OwnerFactory(company__cluster=cer) ties them to "Empresa de prueba" of
    that CER (or company=a_company)."""

    @factory.post_generation
    def company(user, create, extracted, **kwargs):
        if create:
            company = extracted or CompanyFactory(**kwargs)
            CompanyOwnership.objects.create(user=user, company=company)
