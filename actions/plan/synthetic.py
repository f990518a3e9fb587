"""Synthetic CER plans shaped like the 2006 one, for benchmarks and load tests.

Each CER gets four objectives (I-IV), up to 14 strategies with committed periods written the way
the report writes them (parsed by actions.plan.periods, open-ended ones included), activities whose
planned dates follow their strategy's period, goals with indicators and dated measurements, public
and private funding lines linked to instruments, involved and responsible actors, obstacles with
measures, member companies, and a progress history per activity: pending → in progress → done,
blocked or cancelled, with some deadlines revised (with a reason) and many overdue.

Deterministic: the same arguments give the same plans (export_plan prints the same JSON); each CER
draws from its own random.Random seeded with the seed and its number, so CER 3 is the same
however many are generated. Slugs are sintetico-001, sintetico-002…, never those of a real
plan.

The rows are written with bulk_create, bypassing services and django-simple-history on purpose:
synthetic data has no history to keep. The rows of many CERs are built in memory first and
written level by level (CERs, then their objectives, strategies…, then the progress updates) in
batches of BATCH_SIZE, so a thousand CERs take a few hundred INSERTs rather than one per CER and
table. Its progress history is written as ProgressUpdate rows, consistent with each activity's
state, as a service would have.
"""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

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
from actions.plan.kinds import kind_of
from actions.plan.periods import parse_period
from actions.plan.synthetic_history import (
    progress_history,
    sorted_days,
    write_progress_updates,
)
from actions.plan.synthetic_words import (
    ACTIVITY_OBJECTS,
    ACTIVITY_QUALIFIERS,
    ACTIVITY_VERBS,
    ACTORS,
    GOAL_PLAIN_TEXTS,
    GOAL_TEXTS,
    MEASURES,
    OBJECTIVE_TITLES,
    OBSTACLES,
    PERIOD_TEMPLATES,
    PRIVATE_FUNDING,
    PUBLIC_FUNDING,
    REGIONS,
    RESPONSIBLE_ACTORS,
    SECTORS,
    STRATEGY_THEMES,
)
from clusters.models import Cluster, Company, Measure, Obstacle
from clusters.rut import check_digit

SLUG_PREFIX = "sintetico-"
AUTHOR_USERNAME = "synthetic"
BATCH_SIZE = 2000
#: Rows of progress updates held in memory before everything built so far is written.
FLUSH_UPDATES = 100_000
NUMERALS = ("I", "II", "III", "IV")
MAX_STRATEGIES = 14
#: The order rows are written in: each model after those its foreign keys point to.
WRITE_ORDER = (
    Cluster,
    Obstacle,
    Measure,
    Company,
    Objective,
    Strategy,
    Goal,
    GoalMeasurement,
    Funding,
    Involvement,
    Activity,
)


def slug(number):
    return f"{SLUG_PREFIX}{number:03d}"


def generate(
    clusters,
    *,
    activities_per_cluster,
    updates_per_activity,
    seed=1,
    base_year=2020,
    history_until=None,
):
    """Write CERs sintetico-001… sintetico-<clusters> in one transaction; returns the counts.

    ``history_until``: the last day with progress recorded (by default 30 June of base_year + 6).
    """
    generator = Generator(
        seed=seed,
        base_year=base_year,
        history_until=history_until or date(base_year + 6, 6, 30),
        activities_per_cluster=activities_per_cluster,
        updates_per_activity=updates_per_activity,
    )
    with transaction.atomic():
        generator.prepare()
        for number in range(1, clusters + 1):
            generator.cluster(number)
            if len(generator.pending[ProgressUpdate]) >= FLUSH_UPDATES:
                generator.flush()
        generator.flush()
    return generator.counts


def _years(base_year):
    return {f"b{offset}": base_year + offset for offset in range(0, 11)}


class Generator:
    def __init__(
        self, *, seed, base_year, history_until, activities_per_cluster, updates_per_activity
    ):
        self.seed = seed
        self.base_year = base_year
        self.years = _years(base_year)
        self.history_until = history_until
        self.activities_per_cluster = activities_per_cluster
        self.updates_per_activity = updates_per_activity
        self.counts = dict.fromkeys(
            ("clusters", "strategies", "activities", "updates", "goals", "measurements"), 0
        )
        # Rows built and not written yet, by model; and the public funding lines' instruments.
        self.pending = defaultdict(list)
        self.pending_instruments = []
        self.periods = []
        for template in PERIOD_TEMPLATES:
            text = template.format(**self.years)
            period = parse_period(text)  # a template that does not parse is a bug here
            self.periods.append((text, period.start, period.end))

    def prepare(self):
        """The author, instruments and actors: shared by every CER, created when missing."""
        User = get_user_model()
        self.author = User.objects.filter(username=AUTHOR_USERNAME).first()
        if self.author is None:
            self.author = User(username=AUTHOR_USERNAME, is_active=False)
            self.author.set_unusable_password()
            self.author.save()
        instrument_names = sorted({n for _t, names, _s in PUBLIC_FUNDING for n in names})
        self.instruments = self._get_or_create_named(Instrument, instrument_names)
        self.actors = self._get_or_create_named(Actor, [*ACTORS, *RESPONSIBLE_ACTORS])

    @staticmethod
    def _get_or_create_named(model, names):
        existing = {obj.name: obj for obj in model.objects.filter(name__in=names)}
        missing = [model(name=name) for name in names if name not in existing]
        model.objects.bulk_create(missing)
        existing.update({obj.name: obj for obj in missing})
        return existing

    def flush(self):
        """Write every row built so far, parents first, in batches."""
        for model in WRITE_ORDER:
            # A child's foreign key is taken from its parent, saved by an earlier batch.
            model.objects.bulk_create(self.pending.pop(model, []), batch_size=BATCH_SIZE)
        # Nine rows in ten are progress updates: written without model instances (below).
        write_progress_updates(self.pending.pop(ProgressUpdate, []), self.author)
        Through = Funding.instruments.through
        Through.objects.bulk_create(
            (
                Through(funding_id=line.pk, instrument_id=self.instruments[name].pk)
                for line, names in self.pending_instruments
                for name in names
            ),
            batch_size=BATCH_SIZE,
        )
        self.pending_instruments = []

    def cluster(self, number):
        """Build CER ``number``'s rows (written by the next :meth:`flush`)."""
        # Reproducible test data, not secrets: a seeded generator is the point.
        rng = random.Random(f"{self.seed}-{number}")  # noqa: S311
        sector = SECTORS[(number - 1) % len(SECTORS)]
        cluster = Cluster(
            name=f"CER Sintético {number:03d} ({sector})",
            slug=slug(number),
            sector=sector,
            region=REGIONS[(number - 1) % len(REGIONS)],
            description=f"Plan sintético para pruebas de rendimiento (semilla {self.seed}).",
            source="generate_synthetic",
        )
        self.pending[Cluster].append(cluster)
        self.counts["clusters"] += 1
        self._obstacles(rng, cluster)
        self._companies(rng, cluster, number)
        objectives = [
            Objective(
                cluster=cluster,
                numeral=numeral,
                position=position,
                title=OBJECTIVE_TITLES[position - 1].format(**self.years),
                source="generate_synthetic",
            )
            for position, numeral in enumerate(NUMERALS, start=1)
        ]
        self.pending[Objective] += objectives
        strategies = self._strategies(rng, cluster, objectives)
        self._goals(rng, strategies)
        self._funding(rng, strategies)
        self._involvements(rng, strategies)
        self._activities(rng, cluster, strategies)

    def _obstacles(self, rng, cluster):
        obstacles = [
            Obstacle(cluster=cluster, position=position, title=title)
            for position, title in enumerate(rng.sample(OBSTACLES, rng.randint(2, 3)), start=1)
        ]
        self.pending[Obstacle] += obstacles
        self.pending[Measure] += [
            Measure(obstacle=obstacle, position=position, text=text)
            for obstacle in obstacles
            for position, text in enumerate(rng.sample(MEASURES, rng.randint(3, 5)), start=1)
        ]

    def _companies(self, rng, cluster, number):
        companies = []
        for position in range(1, rng.randint(3, 8) + 1):
            # RUT bodies in a block of their own, so CERs never share one.
            body = 77_000_000 + number * 100 + position
            companies.append(
                Company(
                    cluster=cluster,
                    name=f"Empresa Sintética {number:03d}-{position:02d} Ltda.",
                    rut=f"{body}-{check_digit(body)}",
                    size=rng.choice(Company.Size.values),
                )
            )
        self.pending[Company] += companies

    def _strategies(self, rng, cluster, objectives):
        count = min(MAX_STRATEGIES, max(self.activities_per_cluster, 1))
        strategies = []
        for number in range(1, count + 1):
            # Contiguous blocks per objective, as in Tables 3-4: 14 strategies → 4, 4, 3, 3.
            objective = objectives[(number - 1) * len(objectives) // count]
            text, start, end = self.periods[rng.randrange(len(self.periods))]
            strategies.append(
                Strategy(
                    cluster=cluster,
                    objective=objective,
                    number=number,
                    title=rng.choice(STRATEGY_THEMES),
                    committed_period_text=text,
                    committed_start=start,
                    committed_end=end,
                    source="generate_synthetic",
                )
            )
        self.counts["strategies"] += len(strategies)
        self.pending[Strategy] += strategies
        return strategies

    def _goals(self, rng, strategies):
        goals = []
        for strategy in strategies:
            for position in range(1, rng.randint(1, 4) + 1):
                if rng.random() < 0.6:
                    template, unit = rng.choice(GOAL_TEXTS)
                    target = Decimal(rng.choice((50, 60, 70, 80, 100, 250)))
                    due = strategy.committed_end or date(strategy.committed_start.year + 4, 12, 31)
                    goals.append(
                        Goal(
                            strategy=strategy,
                            position=position,
                            text=template.format(v=target),
                            target_value=target,
                            unit=unit,
                            due=due,
                        )
                    )
                else:
                    goals.append(
                        Goal(
                            strategy=strategy, position=position, text=rng.choice(GOAL_PLAIN_TEXTS)
                        )
                    )
        self.pending[Goal] += goals
        measurements = []
        for goal in goals:
            first = goal.strategy.committed_start
            if goal.target_value is None or first > self.history_until:
                continue
            count = rng.randint(0, 3)
            value = Decimal(0)
            for measured_on in sorted_days(rng, first, self.history_until, count):
                value = min(
                    goal.target_value * Decimal("1.1"),
                    value + goal.target_value * Decimal(rng.randint(5, 40)) / 100,
                ).quantize(Decimal("0.01"))
                measurements.append(
                    GoalMeasurement(
                        goal=goal,
                        value=value,
                        measured_on=measured_on,
                        source="Encuesta anual a las empresas del CER",
                        recorded_by=self.author,
                    )
                )
        self.pending[GoalMeasurement] += measurements
        self.counts["goals"] += len(goals)
        self.counts["measurements"] += len(measurements)

    def _funding(self, rng, strategies):
        lines, links = [], []
        for strategy in strategies:
            for position, (text, names, share) in enumerate(
                rng.sample(PUBLIC_FUNDING, rng.randint(1, 3)), start=1
            ):
                line = Funding(
                    strategy=strategy,
                    kind="public",
                    position=position,
                    text=text,
                    share_percent=share,
                )
                lines.append(line)
                links.append((line, names))
            for position, (text, share) in enumerate(
                rng.sample(PRIVATE_FUNDING, rng.randint(0, 2)), start=1
            ):
                lines.append(
                    Funding(
                        strategy=strategy,
                        kind="private",
                        position=position,
                        text=text,
                        share_percent=share,
                    )
                )
        self.pending[Funding] += lines
        self.pending_instruments += links

    def _involvements(self, rng, strategies):
        rows = []
        for strategy in strategies:
            for position, name in enumerate(rng.sample(ACTORS, rng.randint(2, 6)), start=1):
                rows.append(
                    Involvement(
                        strategy=strategy,
                        actor=self.actors[name],
                        role="involved",
                        position=position,
                    )
                )
            for position, name in enumerate(
                rng.sample(RESPONSIBLE_ACTORS, rng.randint(1, 2)), start=1
            ):
                rows.append(
                    Involvement(
                        strategy=strategy,
                        actor=self.actors[name],
                        role="responsible",
                        position=position,
                    )
                )
        self.pending[Involvement] += rows

    def _activities(self, rng, cluster, strategies):
        activities, histories = [], []
        positions = dict.fromkeys((s.number for s in strategies), 0)
        for index in range(self.activities_per_cluster):
            # Round-robin over the strategies, so each has some and the codes stay short.
            strategy = strategies[index % len(strategies)]
            positions[strategy.number] += 1
            position = positions[strategy.number]
            title = " ".join(
                part
                for part in (
                    rng.choice(ACTIVITY_VERBS),
                    rng.choice(ACTIVITY_OBJECTS),
                    rng.choice(ACTIVITY_QUALIFIERS),
                )
                if part
            )
            activity = Activity(
                cluster=cluster,
                strategy=strategy,
                code=f"{strategy.number}.{position}",
                position=position,
                title=title,
                kind=kind_of(title),
                planned_start=strategy.committed_start,
                planned_end=strategy.committed_end,
                source="generate_synthetic",
            )
            histories.append(
                progress_history(rng, activity, self.updates_per_activity, self.history_until)
            )
            activities.append(activity)
        self.pending[Activity] += activities
        updates = [
            (activity, fields)
            for activity, history in zip(activities, histories, strict=True)
            for fields in history
        ]
        self.pending[ProgressUpdate] += updates
        self.counts["activities"] += len(activities)
        self.counts["updates"] += len(updates)
