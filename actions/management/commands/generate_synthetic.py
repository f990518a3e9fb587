"""Synthetic CER plans shaped like the 2006 one, for benchmarks and load tests.

    python manage.py generate_synthetic --clusters 50 --activities-per-cluster 200 \\
        --updates-per-activity 10 --seed 1

What the plans hold and how they are written: actions.plan.synthetic. Deterministic: the same
arguments give the same plans; slugs are sintetico-001, sintetico-002…, never those of a real
plan.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from actions.plan import synthetic
from clusters.models import Cluster

#: The national tier of `make bench` is 1,000 CERs; the slugs' numbers go on past 999.
MAX_CLUSTERS = 9999


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
        if clusters < 1 or clusters > MAX_CLUSTERS:
            raise CommandError(f"--clusters debe estar entre 1 y {MAX_CLUSTERS}.")
        if per_cluster < 0 or per_activity < 0:
            raise CommandError("Los conteos no pueden ser negativos.")
        slugs = [synthetic.slug(number) for number in range(1, clusters + 1)]
        taken = sorted(Cluster.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if taken:
            raise CommandError(
                f"Ya existen CER sintéticos ({', '.join(taken[:3])}…): genere en una base de "
                "datos sin ellos (por ejemplo después de `manage.py flush`)."
            )

        started = time.monotonic()
        counts = synthetic.generate(
            clusters,
            activities_per_cluster=per_cluster,
            updates_per_activity=per_activity,
            seed=options["seed"],
            base_year=options["base_year"],
            history_until=options["history_until"],
        )
        # No data version to bump: it only adds CERs (a new CER starts at its first version, in
        # no cache yet) and actors, instruments and an author that no page shows yet.
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['clusters']} CER, {counts['strategies']} estrategias, "
                f"{counts['activities']} actividades, {counts['updates']} registros de avance, "
                f"{counts['goals']} metas, {counts['measurements']} mediciones "
                f"en {elapsed:.1f} s."
            )
        )
