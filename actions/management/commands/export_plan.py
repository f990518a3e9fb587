import json

from django.core.management.base import BaseCommand, CommandError

from actions.reporting.export_plan import export_plan
from clusters.models import Cluster


class Command(BaseCommand):
    help = "Escribe el plan completo (o el de un CER) como JSON, con la forma de DESIGN.md."

    def add_arguments(self, parser):
        parser.add_argument("--cluster", metavar="SLUG", help="Solo este CER.")
        parser.add_argument(
            "--output", metavar="FILE", help="Archivo de salida (por omisión, stdout)."
        )

    def handle(self, *args, cluster=None, output=None, **options):
        if cluster is not None and not Cluster.objects.filter(slug=cluster).exists():
            known = ", ".join(Cluster.objects.values_list("slug", flat=True)) or "ninguno"
            raise CommandError(f"No existe el CER «{cluster}». CER disponibles: {known}.")
        text = json.dumps(export_plan(cluster), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
