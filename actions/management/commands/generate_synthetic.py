"""Synthetic CER plans shaped like the 2006 one, for benchmarks and load tests.

    python manage.py generate_synthetic --clusters 50 --activities-per-cluster 200 \\
        --updates-per-activity 10 --seed 1

Each CER gets four objectives (I-IV), up to 14 strategies with committed periods written the way
the report writes them (parsed by actions.plan.periods, open-ended ones included), activities whose
planned dates follow their strategy's period, goals with indicators and dated measurements, public
and private funding lines linked to instruments, involved and responsible actors, obstacles with
measures, member companies, and a progress history per activity: pending → in progress → done,
blocked or cancelled, with some deadlines revised (with a reason) and many overdue.

Deterministic: the same arguments give the same plans (export_plan prints the same JSON); each CER
draws from its own random.Random seeded with the seed and its number, so CER 3 is the same
whatever --clusters says. Slugs are sintetico-001, sintetico-002…, never those of a real plan.

The rows are written with bulk_create, bypassing services and django-simple-history on purpose:
synthetic data has no history to keep, and one INSERT per batch is what makes 10,000 activities
and 100,000 progress updates take seconds rather than many minutes. Its progress history is
written as ProgressUpdate rows, consistent with each activity's state, as a service would have.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
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
    Status,
    Strategy,
)
from actions.plan.periods import parse_period
from clusters.models import Cluster, Company, Measure, Obstacle
from clusters.rut import check_digit

SLUG_PREFIX = "sintetico-"
AUTHOR_USERNAME = "synthetic"
BATCH_SIZE = 2000
NUMERALS = ("I", "II", "III", "IV")
MAX_STRATEGIES = 14

# Committed periods as Tables 5-6 write them, relative to the plan's first year B.
PERIOD_TEMPLATES = (
    "II semestre del {b0} (septiembre a diciembre)",
    "{b1}- {b5} (5 AÑOS)",
    "{b1}- {b3} (3 AÑOS)",
    "{b1}-{b5} (5 años)",
    "Desde el año {b2} en adelante",
    "II Semestre del {b0} - {b1}",
    "II Semestre del {b0} - {b2}",
    "{b2} - {b4}",
    "Año {b6} (12 meses)",
    "Desde el año {b6} en adelante",
    "Marzo a Diciembre del {b1}",
    "{b1}-{b2} (2 años)",
    "{b2}-{b5}",
    "{b6}-{b10}",
    "Desde el año {b8} en adelante",
    "I semestre del {b7}",
)

SECTORS = (
    "Metalmecánica",
    "Servicios de consultoría e ingeniería",
    "Acuicultura",
    "Vitivinícola",
    "Turismo de intereses especiales",
    "Minería no metálica",
    "Agroindustria",
    "Logística portuaria",
    "Energías renovables",
    "Alimentos procesados",
)
REGIONS = (
    "Arica y Parinacota",
    "Tarapacá",
    "Antofagasta",
    "Atacama",
    "Coquimbo",
    "Valparaíso",
    "O'Higgins",
    "Maule",
    "Ñuble",
    "Biobío",
    "La Araucanía",
    "Los Ríos",
    "Los Lagos",
    "Aysén",
    "Magallanes",
)
OBJECTIVE_TITLES = (
    "Desarrollar competencias en el ámbito productivo de las empresas del CER durante el periodo "
    "{b1}-{b5}",
    "Optimizar la utilización de recursos en las empresas pertenecientes al CER ({b1} a {b10})",
    "Fomentar y desarrollar esquemas de asociatividad entre las empresas del CER y los "
    "integrantes del cluster",
    "Desarrollar y consolidar la penetración de mercados externos en forma asociativa",
)
STRATEGY_THEMES = (
    "Implementar y certificar a las empresas del CER en estándares internacionales de calidad",
    "Desarrollar la visión estratégica de los empresarios y gerentes de las empresas del CER",
    "Buscar e identificar potenciales productos a fabricar por el sector",
    "Implementación de herramientas de control en las diferentes áreas de la empresa",
    "Implementación de planes de mantenimiento y calibración periódica de equipos",
    "Desarrollar e implementar un plan de capacitación anual para el personal",
    "Desarrollar e implementar un plan financiero anual",
    "Formar un proyecto asociativo de compras y ventas",
    "Difundir el plan del CER entre los integrantes del cluster y las autoridades regionales",
    "Incorporar innovación tecnológica en los procesos productivos",
    "Abrir mercados externos mediante misiones comerciales y ferias",
    "Vincular a las empresas del CER con universidades y centros tecnológicos",
)
ACTIVITY_VERBS = (
    "Organizar",
    "Formular e implementar",
    "Difundir y promover",
    "Realizar",
    "Coordinar",
    "Postular a financiamiento para",
    "Diseñar",
    "Evaluar",
)
ACTIVITY_OBJECTS = (
    "una misión tecnológica anual",
    "un seminario sobre nuevas tecnologías",
    "la participación en una feria internacional",
    "un programa de certificación en normas ISO 9001",
    "un estudio de mercado de destino",
    "un plan de difusión del instrumento de fomento",
    "una consultoría de diagnóstico de las empresas",
    "un curso de capacitación para supervisores",
    "una rueda de negocios con compañías mineras",
    "un catálogo de oferta exportable",
)
ACTIVITY_QUALIFIERS = (
    "para las empresas del CER",
    "en conjunto con la asociación gremial",
    "orientado a las empresas de menor tamaño",
    "con apoyo de Pro Chile",
    "con los integrantes del cluster",
    "",
)
GOAL_TEXTS = (
    (
        "Lograr que por lo menos el {v}% de las empresas del CER estén certificadas",
        "% de empresas del CER certificadas",
    ),
    (
        "Lograr que por lo menos el {v}% de las empresas participen en una misión tecnológica",
        "% de empresas del CER que asistieron a una misión",
    ),
    (
        "Lograr que el {v}% de las empresas contraten alumnos en práctica",
        "% de empresas que contratan alumnos en práctica",
    ),
    (
        "Lograr exportaciones asociativas por US$ {v} mil",
        "miles de US$ exportados en forma asociativa",
    ),
    (
        "Lograr que {v} empresas implementen un plan de mantenimiento",
        "empresas con plan de mantenimiento implementado",
    ),
)
GOAL_PLAIN_TEXTS = (
    "Lograr que el comité ejecutivo incorpore el desarrollo del CER en sus lineamientos",
    "Contar con un diagnóstico actualizado de las empresas del CER",
    "Obtener un plan de trabajo validado por los empresarios",
    "Mantener informados a los integrantes del cluster de los resultados del plan",
)
# (text, instrument names, share written in the text)
PUBLIC_FUNDING = (
    ("Instrumento PROFO", ("PROFO",), None),
    ("Instrumento PROFO O PDP (asesorías y capacitación)", ("PROFO", "PDP"), None),
    ("Instrumento INNOVA (CORFO)", ("INNOVA (CORFO)",), None),
    ("Instrumento FC (Fomento de la Calidad)", ("FC (Fomento de la Calidad)",), None),
    ("Franquicia Tributaria (SENCE)", ("Franquicia Tributaria (SENCE)",), None),
    ("Presupuesto de PROCHILE", ("Presupuesto PRO CHILE",), None),
    ("Presupuesto especial (CORFO o PTI)", ("Presupuesto especial CORFO", "PTI"), None),
    ("FNDR (70% del costo de la consultoría)", ("FNDR",), Decimal("70")),
)
PRIVATE_FUNDING = (
    ("50% del costo de implementación y certificación", Decimal("50")),
    ("30% Costo Proyecto asociativo", Decimal("30")),
    ("100% del costo de alumnos en práctica", Decimal("100")),
    ("50% del costo de Misión", Decimal("50")),
    ("Aporte de las empresas del CER", None),
)
ACTORS = (
    "CORFO",
    "PROCHILE",
    "SENCE",
    "Empresarios del CER",
    "Universidades Regionales",
    "Compañías Mineras",
    "Autoridades Regionales",
    "AIA",
    "OTEC",
    "Consultor Pro Chile",
    "Agencia de Fomento regional (AFR)",
    "Instituciones Bancarias",
    "Especialistas del tema",
    "Gerentes empresas del CER",
)
RESPONSIBLE_ACTORS = (
    "Director Pro Chile",
    "Director de Corfo",
    "Director AFR",
    "Gerente Proyecto asociativo",
    "Ejecutivo de Fomento INNOVA",
    "Director de Sence",
)
OBSTACLES = (
    "Tecnología tradicional en sus procesos, inferior a la de otras regiones del país",
    "Asociatividad baja entre las empresas del CER y con las instituciones",
    "Gestión interna de las empresas del sector",
    "Bajo interés en certificar normas de calidad nacionales e internacionales",
    "Escasa información sobre mercados externos",
)
MEASURES = (
    "Misiones tecnológicas al extranjero",
    "Charlas y seminarios de difusión",
    "Proyectos asociativos PROFO",
    "Programas de desarrollo de proveedores (PDP)",
    "Capacitación de gerentes y supervisores",
    "Consultorías especializadas",
    "Estudios de mercado",
)
PROGRESS_NOTES = (
    "Reunión de coordinación con los empresarios del CER.",
    "Se envió la postulación al instrumento de fomento.",
    "Consultor contratado; informe de avance recibido.",
    "Actividad difundida entre las empresas del CER.",
    "Se firmó el convenio con la institución colaboradora.",
    "Avance informado por el coordinador del CER.",
    "Se realizó la primera sesión con las empresas participantes.",
)
WAITING_NOTES = (
    "Sin avance: a la espera de financiamiento.",
    "Sin avance en el periodo.",
    "Preparación: se revisan los términos de referencia.",
)
REVISION_REASONS = (
    "Retraso en la aprobación del financiamiento CORFO.",
    "Reprogramada por cambio de fecha de la feria.",
    "A la espera de la licitación del Gobierno Regional.",
    "Las empresas pidieron posponerla por la carga de trabajo de fin de año.",
)
BLOCKED_NOTES = (
    "Bloqueada: el instrumento de fomento no abrió convocatoria.",
    "Bloqueada: falta la contraparte empresarial.",
)
CANCELLED_NOTES = (
    "Cancelada por acuerdo del directorio del CER.",
    "Cancelada: la reemplaza otra actividad del plan.",
)
# Final statuses of activities that have started, with their weights.
STATUS_WEIGHTS = (
    (Status.DONE, 30),
    (Status.IN_PROGRESS, 35),
    (Status.PENDING, 12),
    (Status.BLOCKED, 13),
    (Status.CANCELLED, 10),
)


def _years(base_year):
    return {f"b{offset}": base_year + offset for offset in range(0, 11)}


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def _sorted_days(rng, first, last, count):
    """count dates from first to last, increasing (strictly, when the span allows it)."""
    span = (last - first).days
    if span + 1 >= count:
        offsets = sorted(rng.sample(range(span + 1), count))
    else:
        offsets = sorted(rng.randint(0, max(span, 0)) for _ in range(count))
    return [first + timedelta(days=offset) for offset in offsets]


class Command(BaseCommand):
    help = "Genera planes de CER sintéticos (deterministas) para pruebas de rendimiento."

    def add_arguments(self, parser):
        parser.add_argument("--clusters", type=int, default=1, help="CER a generar.")
        parser.add_argument("--activities-per-cluster", type=int, default=80)
        parser.add_argument("--updates-per-activity", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--base-year",
            type=int,
            default=2020,
            help="Primer año de los planes; los plazos llegan hasta diez años después.",
        )
        parser.add_argument(
            "--history-until",
            type=date.fromisoformat,
            default=None,
            help="Último día con avances registrados (por omisión, 30 de junio del año base + 6).",
        )

    def handle(self, *args, **options):
        clusters = options["clusters"]
        per_cluster = options["activities_per_cluster"]
        per_activity = options["updates_per_activity"]
        if clusters < 1 or clusters > 999:
            raise CommandError("--clusters debe estar entre 1 y 999.")
        if per_cluster < 0 or per_activity < 0:
            raise CommandError("Los conteos no pueden ser negativos.")
        base_year = options["base_year"]
        history_until = options["history_until"] or date(base_year + 6, 6, 30)
        slugs = [f"{SLUG_PREFIX}{number:03d}" for number in range(1, clusters + 1)]
        taken = sorted(Cluster.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if taken:
            raise CommandError(
                f"Ya existen CER sintéticos ({', '.join(taken[:3])}…): genere en una base de "
                "datos sin ellos (por ejemplo después de `manage.py flush`)."
            )

        started = time.monotonic()
        generator = _Generator(
            seed=options["seed"],
            base_year=base_year,
            history_until=history_until,
            activities_per_cluster=per_cluster,
            updates_per_activity=per_activity,
        )
        with transaction.atomic():
            generator.prepare()
            for number in range(1, clusters + 1):
                generator.cluster(number)
        # No data version to bump: it only adds CERs (a new CER starts at its first version, in
        # no cache yet) and actors, instruments and an author that no page shows yet.
        elapsed = time.monotonic() - started
        counts = generator.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['clusters']} CER, {counts['strategies']} estrategias, "
                f"{counts['activities']} actividades, {counts['updates']} registros de avance, "
                f"{counts['goals']} metas, {counts['measurements']} mediciones "
                f"en {elapsed:.1f} s."
            )
        )


class _Generator:
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

    def cluster(self, number):
        # Reproducible test data, not secrets: a seeded generator is the point.
        rng = random.Random(f"{self.seed}-{number}")  # noqa: S311
        sector = SECTORS[(number - 1) % len(SECTORS)]
        cluster = Cluster.objects.create(
            name=f"CER Sintético {number:03d} ({sector})",
            slug=f"{SLUG_PREFIX}{number:03d}",
            sector=sector,
            region=REGIONS[(number - 1) % len(REGIONS)],
            description=f"Plan sintético para pruebas de rendimiento (semilla {self.seed}).",
            source="generate_synthetic",
        )
        self.counts["clusters"] += 1
        self._obstacles(rng, cluster)
        self._companies(rng, cluster, number)
        objectives = Objective.objects.bulk_create(
            Objective(
                cluster=cluster,
                numeral=numeral,
                position=position,
                title=OBJECTIVE_TITLES[position - 1].format(**self.years),
                source="generate_synthetic",
            )
            for position, numeral in enumerate(NUMERALS, start=1)
        )
        strategies = self._strategies(rng, cluster, objectives)
        self._goals(rng, strategies)
        self._funding(rng, strategies)
        self._involvements(rng, strategies)
        self._activities(rng, cluster, strategies)

    def _obstacles(self, rng, cluster):
        obstacles = Obstacle.objects.bulk_create(
            Obstacle(cluster=cluster, position=position, title=title)
            for position, title in enumerate(rng.sample(OBSTACLES, rng.randint(2, 3)), start=1)
        )
        Measure.objects.bulk_create(
            Measure(obstacle=obstacle, position=position, text=text)
            for obstacle in obstacles
            for position, text in enumerate(rng.sample(MEASURES, rng.randint(3, 5)), start=1)
        )

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
        Company.objects.bulk_create(companies)

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
        return Strategy.objects.bulk_create(strategies)

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
        Goal.objects.bulk_create(goals, batch_size=BATCH_SIZE)
        measurements = []
        for goal in goals:
            first = goal.strategy.committed_start
            if goal.target_value is None or first > self.history_until:
                continue
            count = rng.randint(0, 3)
            value = Decimal(0)
            for measured_on in _sorted_days(rng, first, self.history_until, count):
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
        GoalMeasurement.objects.bulk_create(measurements, batch_size=BATCH_SIZE)
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
        Funding.objects.bulk_create(lines, batch_size=BATCH_SIZE)
        Through = Funding.instruments.through
        Through.objects.bulk_create(
            (
                Through(funding_id=line.pk, instrument_id=self.instruments[name].pk)
                for line, names in links
                for name in names
            ),
            batch_size=BATCH_SIZE,
        )

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
        Involvement.objects.bulk_create(rows, batch_size=BATCH_SIZE)

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
                planned_start=strategy.committed_start,
                planned_end=strategy.committed_end,
                source="generate_synthetic",
            )
            histories.append(self._history(rng, activity))
            activities.append(activity)
        Activity.objects.bulk_create(activities, batch_size=BATCH_SIZE)
        updates = [
            ProgressUpdate(activity=activity, author=self.author, **fields)
            for activity, history in zip(activities, histories, strict=True)
            for fields in history
        ]
        ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH_SIZE)
        self.counts["activities"] += len(activities)
        self.counts["updates"] += len(updates)

    def _history(self, rng, activity):
        """The activity's progress history; sets the activity's current state to its end.

        Each update's "old" side is the previous update's "new" side, effective dates increase,
        progress never goes down, and done means 100 %.
        """
        count = self.updates_per_activity
        started = activity.planned_start <= self.history_until
        if started:
            final = rng.choices(
                [status for status, _ in STATUS_WEIGHTS], [weight for _, weight in STATUS_WEIGHTS]
            )[0]
        else:
            final = Status.PENDING
        revise = (
            count > 0
            and activity.planned_end is not None
            and final not in (Status.DONE, Status.CANCELLED)
            and rng.random() < 0.25
        )
        steps = count - (1 if revise else 0)
        target = {
            Status.DONE: 100,
            Status.IN_PROGRESS: rng.randint(5, 95),
            Status.PENDING: 0,
            Status.BLOCKED: rng.randint(0, 80),
            Status.CANCELLED: rng.randint(0, 60),
        }[final]
        if steps == 0:
            final, target = Status.PENDING, 0
        # The "new" (status, progress) of each progress step, ending at (final, target).
        # (Short of 100 before the last step: an activity at 100 % is one that is done.)
        ceiling = min(target, 95)
        progress = sorted(rng.randint(0, ceiling) for _ in range(max(steps - 1, 0)))
        states = [
            (Status.IN_PROGRESS if value else Status.PENDING, value) for value in progress
        ] + ([(final, target)] if steps else [])
        if final == Status.PENDING:
            states = [(Status.PENDING, 0)] * steps
        kinds = [ProgressUpdate.Kind.PROGRESS] * steps
        revised_end = None
        if revise:
            at = rng.randint(0, steps)
            states.insert(at, None)
            kinds.insert(at, ProgressUpdate.Kind.REVISION)

        first_day = activity.planned_start if started else self.history_until - timedelta(days=365)
        days = _sorted_days(rng, first_day, self.history_until, count)
        history = []
        status, value = Status.PENDING, 0
        for kind, state, effective_on in zip(kinds, states, days, strict=True):
            old_status, old_progress, old_revised_end = status, value, revised_end
            if kind == ProgressUpdate.Kind.REVISION:
                revised_end = _add_months(activity.planned_end, rng.randint(3, 24))
                note = rng.choice(REVISION_REASONS)
                activity.revision_reason = note
            else:
                status, value = state
                if status == Status.BLOCKED:
                    note = rng.choice(BLOCKED_NOTES)
                elif status == Status.CANCELLED:
                    note = rng.choice(CANCELLED_NOTES)
                elif value == old_progress and status == old_status:
                    note = rng.choice(WAITING_NOTES)
                else:
                    note = rng.choice(PROGRESS_NOTES)
                if status == Status.DONE and old_status != Status.DONE:
                    activity.completed_on = effective_on
            history.append(
                {
                    "kind": kind,
                    "effective_on": effective_on,
                    "old_status": old_status,
                    "new_status": status,
                    "old_progress": old_progress,
                    "new_progress": value,
                    "old_revised_end": old_revised_end,
                    "new_revised_end": revised_end,
                    "note": note,
                }
            )
        activity.status, activity.progress, activity.revised_end = status, value, revised_end
        activity.version = 1 + len(history)
        return history
