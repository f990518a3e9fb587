"""Chilean RUT (Rol Único Tributario): normalisation and check-digit validation."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_digit(body: int) -> str:
    """The modulo-11 check digit of a RUT body, as printed ("0"-"9" or "K")."""
    total, factor = 0, 2
    while body:
        total += (body % 10) * factor
        body //= 10
        factor = 2 if factor == 7 else factor + 1
    digit = 11 - total % 11
    return {11: "0", 10: "K"}.get(digit, str(digit))


def normalize_rut(value: str) -> str:
    """'76.123.456-k' -> '76123456-K'; raises ValidationError for a malformed or wrong RUT."""
    cleaned = (value or "").replace(".", "").replace(" ", "").upper()
    body, sep, digit = cleaned.rpartition("-")
    if not sep:
        body, digit = cleaned[:-1], cleaned[-1:]
    if not body.isdigit() or len(body) > 8 or digit not in "0123456789K" or not digit:
        raise ValidationError(
            _("«%(value)s» no es un RUT: escríbalo como 12.345.678-5."),
            code="rut_format",
            params={"value": value},
        )
    if check_digit(int(body)) != digit:
        raise ValidationError(
            _("El RUT «%(value)s» tiene un dígito verificador incorrecto."),
            code="rut_check_digit",
            params={"value": value},
        )
    return f"{int(body)}-{digit}"


def validate_rut(value: str) -> None:
    normalize_rut(value)
