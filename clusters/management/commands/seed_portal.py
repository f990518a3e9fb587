"""Prepare a fresh portal for `make run`: the 2006 plan and demo accounts, each only once."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from clusters.models import Cluster
from clusters.services import create_account

PLAN_2006_SLUGS = ("metalmecanica", "consultoria-ingenieria")
# Demo addresses on a domain reserved for examples (RFC 2606): password reset mails reach the
# development server's console, never a real person.
DEMO_EMAIL_DOMAIN = "demo.cerplan.example"

# (username, role, cluster slug, company)
DEMO_ACCOUNTS = [
    ("admin", "admin", None, None),
    ("coordinador-metalmecanica", "staff", "metalmecanica", None),
    ("coordinador-consultoria", "staff", "consultoria-ingenieria", None),
    ("empresario-metalmecanica", "owner", "metalmecanica", "Maestranza Demo Ltda."),
    ("empresario-consultoria", "owner", "consultoria-ingenieria", "Ingeniería Demo SpA"),
]


class Command(BaseCommand):
    help = "Carga el plan 2006 y crea las cuentas de demostración, si aún no existen."

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials-file",
            default=str(Path(settings.BASE_DIR) / ".demo-accounts"),
            help="Dónde guardar (y releer) las contraseñas de demostración generadas.",
        )

    def handle(self, *args, credentials_file, **options):
        if Cluster.objects.filter(slug__in=PLAN_2006_SLUGS).exists():
            self.stdout.write("El plan 2006 ya está cargado.")
        else:
            call_command("loaddata", "plan_2006", verbosity=0)
            self.stdout.write(self.style.SUCCESS("Plan 2006 cargado (Tablas 1-6 del informe)."))
        self._demo_accounts(Path(credentials_file))

    def _demo_accounts(self, credentials_file):
        User = get_user_model()
        lines = credentials_file.read_text().splitlines() if credentials_file.exists() else []
        shared_password = os.environ.get("CERPLAN_PASSWORD")
        for username, role, slug, company in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            password = shared_password or secrets.token_urlsafe(12)
            create_account(
                username=username,
                role=role,
                password=password,
                cluster_slugs=[slug] if slug else [],
                company_name=company,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            )
            lines = [line for line in lines if not line.startswith(f"{username} ")]
            lines.append(f"{username} {role} {slug or 'todos'} {password}")
        if lines:
            credentials_file.write_text("\n".join(lines) + "\n")
            credentials_file.chmod(0o600)
        self.stdout.write("Cuentas de demostración (usuario, rol, CER, contraseña):")
        for line in lines:
            self.stdout.write(f"  {line}")
        if not lines:
            self.stdout.write("  (las cuentas existen, pero sus contraseñas no se guardaron aquí)")
