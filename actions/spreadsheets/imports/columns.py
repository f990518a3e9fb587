"""The columns of an import file, and reading each cell into a typed value.

Headers are Spanish and matched without regard to case, accents or spacing ("Código", "codigo",
" CÓDIGO " are the same column). Every header must be known: a misspelt column is refused rather
than silently ignored, since ignoring it would drop what the user meant to import.

Cell readers raise CellError with the words that follow the value in the message
("«terminado» no es un estado válido; use …"). Text written by our exports with a protective
leading apostrophe ("'=…", see actions.spreadsheets.exports) is read back without it.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from actions.spreadsheets.imports.errors import CellError, FileRefused
from actions.spreadsheets.layouts import FORMULA_TRIGGERS, Column, normalize  # noqa: F401


def join_or(items):
    return get_text_list([str(item) for item in items], _("o"))


def quoted(items):
    return ", ".join(f"«{item}»" for item in items)


def map_columns(headers, columns):
    """{column key: index in the row} for `headers`; FileRefused listing every header problem."""
    by_name = {}
    for column in columns:
        for name in column.names():
            by_name[name] = column
    found, unknown, repeated = {}, [], []
    for index, header in enumerate(headers):
        if not str(header).strip():
            continue
        column = by_name.get(normalize(header))
        if column is None:
            unknown.append(f"«{header}» ({get_column_letter(index + 1)})")
        elif column.key in found:
            repeated.append(f"«{header}» ({get_column_letter(index + 1)})")
        else:
            found[column.key] = index
    missing = [column.header for column in columns if column.required and column.key not in found]
    problems = []
    if missing:
        problems.append(_("faltan las columnas %(columns)s") % {"columns": quoted(missing)})
    if unknown:
        problems.append(_("columnas desconocidas: %(columns)s") % {"columns": ", ".join(unknown)})
    if repeated:
        problems.append(_("columnas repetidas: %(columns)s") % {"columns": ", ".join(repeated)})
    if problems:
        expected = quoted(column.header for column in columns)
        raise FileRefused(
            _(
                "Las columnas del archivo no son las esperadas: %(problems)s. La fila 1 debe "
                "tener las columnas %(expected)s (descargue la plantilla para ver un ejemplo)."
            )
            % {"problems": "; ".join(problems), "expected": expected}
        )
    return found


def headerless_cells(headers, rows):
    """Data found under an empty header: (row number, column letter), first one only."""
    for number, values in rows:
        for index, value in enumerate(values):
            blank = value is None or (isinstance(value, str) and not value.strip())
            header_blank = index >= len(headers) or not str(headers[index]).strip()
            if header_blank and not blank:
                return number, get_column_letter(index + 1)
    return None


# Cell readers ----------------------------------------------------------------------------------


def text(value):
    """Any cell as text, trimmed; numbers without a spurious ".0"; our export's quote removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("VERDADERO") if value else _("FALSO")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date | datetime.time | datetime.datetime):
        return value.isoformat()
    result = str(value).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in FORMULA_TRIGGERS:
        result = result[1:]
    return result


def required_text(value, *, max_length=None):
    result = text(value)
    if not result:
        raise CellError(_("está vacía; este dato es obligatorio."), show_value=False)
    return limited(result, max_length)


def limited(result, max_length):
    if max_length is not None and len(result) > max_length:
        raise CellError(
            _("es demasiado largo: tiene %(length)s caracteres y el máximo es %(limit)s.")
            % {"length": len(result), "limit": max_length}
        )
    return result


def integer(value, *, minimum=None, maximum=None, what=None):
    """A whole number; "50 %", "50,0" and 50.0 are 50."""
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        cleaned = value.strip().rstrip("%").strip().replace(",", ".")
        if re.fullmatch(r"[0-9]+(\.0+)?", cleaned):
            number = int(Decimal(cleaned))
    if number is not None and (
        (minimum is None or number >= minimum) and (maximum is None or number <= maximum)
    ):
        return number
    # Only a refused cell pays for translating its message (10,000 good cells would not).
    bounds = what or _("un número entero")
    if minimum is not None and maximum is not None:
        bounds = _("%(what)s de %(min)s a %(max)s") % {
            "what": what or _("un número entero"),
            "min": minimum,
            "max": maximum,
        }
    if number is None:
        if _empty(value):
            raise CellError(
                _("está vacía; se espera %(bounds)s.") % {"bounds": bounds}, show_value=False
            )
        raise CellError(_("no es un número entero; se espera %(bounds)s.") % {"bounds": bounds})
    raise CellError(_("está fuera de rango; se espera %(bounds)s.") % {"bounds": bounds})


def decimal(value, *, max_digits=12, decimal_places=2, minimum=None, maximum=None):
    """A number such as 12, 12.5 or "12,5" (decimal comma accepted)."""
    if isinstance(value, bool):
        raise CellError(_("no es un número."))
    if _empty(value):
        raise CellError(_("está vacía; se espera un número (12 o 12,5)."), show_value=False)
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        cleaned = str(value).strip().rstrip("%").strip().replace(" ", "")
        if re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?", cleaned):
            cleaned = cleaned.replace(".", "")  # 1.234,5: thousands separators, Chilean style
        cleaned = cleaned.replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(_("no es un número; escríbalo como 12 o 12,5.")) from None
    if not number.is_finite():
        raise CellError(_("no es un número; escríbalo como 12 o 12,5."))
    quantum = Decimal(1).scaleb(-decimal_places)
    if number != number.quantize(quantum):
        raise CellError(_("tiene más de %(places)s decimales.") % {"places": decimal_places})
    number = number.quantize(quantum)
    if abs(number) >= Decimal(10) ** (max_digits - decimal_places):
        raise CellError(_("es demasiado grande."))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError(
            _("está fuera de rango; se espera un número de %(min)s a %(max)s.")
            % {"min": minimum, "max": maximum}
        )
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def date(value):
    """A date cell, or text as AAAA-MM-DD, DD-MM-AAAA or DD/MM/AAAA."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        cleaned = value.strip()
        if " " in cleaned:  # "2024-03-15 00:00:00", as some programs write dates
            head, _space, tail = cleaned.partition(" ")
            if re.fullmatch(r"0?0:00(:00)?", tail):
                cleaned = head
        for date_format in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(cleaned, date_format).date()
            except ValueError:
                continue
    if _empty(value):
        raise CellError(
            _("está vacía; escriba la fecha como AAAA-MM-DD (2024-03-15) o DD-MM-AAAA."),
            show_value=False,
        )
    raise CellError(
        _(
            "no es una fecha válida; escríbala como AAAA-MM-DD (2024-03-15) o "
            "DD-MM-AAAA (15-03-2024)."
        )
    )


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def optional(reader, value, **kwargs):
    """None for an empty cell, else reader(value)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return reader(value, **kwargs)


def choice(value, options, *, labels, what):
    """One of `options` ({normalised word: internal value}); the message offers `labels`."""
    word = normalize(text(value))
    if not word:
        raise CellError(
            _("está vacía; use %(choices)s.") % {"choices": join_or(labels)}, show_value=False
        )
    result = options.get(word)
    if result is None:
        raise CellError(
            _("no es %(what)s válido; use %(choices)s.")
            % {"what": what, "choices": join_or(labels)}
        )
    return result
