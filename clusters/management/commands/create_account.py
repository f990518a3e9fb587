import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clusters.services import ROLES, create_account


class Command(BaseCommand):
    help = (
        "Crea una cuenta con un rol. La contraseña se lee de CERPLAN_PASSWORD o se pide; "
        "nunca hay una contraseña por omisión."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument(
            "--cluster",
            action="append",
            default=[],
            metavar="SLUG",
            help="CER del coordinador (repetible) o del empresario.",
        )
        parser.add_argument("--company", metavar="NAME", help="Empresa del empresario.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, cluster, company, email, **options):
        password = os.environ.get("CERPLAN_PASSWORD") or self._prompt_password(options)
        try:
            create_account(
                username=username,
                role=role,
                password=password,
                cluster_slugs=cluster,
                company_name=company,
                email=email,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Cuenta «{username}» creada con el rol {role}."))

    def _prompt_password(self, options):
        if not options.get("interactive", True) or not self.stdin_isatty():
            raise CommandError(
                "Falta la contraseña: defina CERPLAN_PASSWORD o ejecute el comando en una terminal."
            )
        first = getpass.getpass("Contraseña: ")
        if first != getpass.getpass("Repita la contraseña: "):
            raise CommandError("Las contraseñas no coinciden.")
        return first

    @staticmethod
    def stdin_isatty():
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
