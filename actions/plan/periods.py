"""Parse the committed periods ("plazos comprometidos") of the 2006 report.

Tables 5 and 6 of the report give each action's period as free Spanish text.
:func:`parse_period` turns it into a :class:`Period`: a start date and an end
date, ``None`` when the period is open-ended. Accepted forms:

* years: ``2007-2011`` is 2007-01-01 .. 2011-12-31; ``2010`` and ``Año 2012``
  are that one year. A stated length, ``(5 años)`` or ``(12 meses)``, may
  follow and must agree with the inclusive span.
* semester: ``II semestre del 2006`` is 2006-07-01 .. 2006-12-31 (``I`` is
  January to June). A month range inside the semester narrows it:
  ``II semestre del 2006 (septiembre a diciembre)`` is 2006-09-01 ..
  2006-12-31. A later year stretches it to that year's end:
  ``II Semestre del 2006 - 2007`` is 2006-07-01 .. 2007-12-31.
* months: ``Marzo a Diciembre del 2007`` is 2007-03-01 .. 2007-12-31.
* open-ended: ``Desde el año 2008 en adelante`` is 2008-01-01 .. None.

Case, accents (``año``/``ano``) and spacing do not matter. Anything else,
including inconsistent text such as ``2011-2009``, ``2007-2011 (3 años)`` or
the typo ``2009-1011``, raises :class:`PeriodError`: a guessed date would
silently misplace an action in time.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        start=1,
    )
}
_MONTHS["setiembre"] = 9  # accepted spelling, common in Chile

_SEMESTERS = {"i": (1, 6), "ii": (7, 12)}

# Sanity bounds so that typos such as "1011" are refused instead of accepted.
_MIN_YEAR, _MAX_YEAR = 1900, 2100

_YEAR = r"(?P<first>[0-9]{4})"
_YEARS = re.compile(
    r"(?:ano )?" + _YEAR + r"(?:-(?P<last>[0-9]{4}))?"
    r"(?: \((?P<count>[0-9]+) (?P<unit>anos?|mes|meses)\))?"
)
_SEMESTER = re.compile(
    r"(?P<half>i|ii) semestre del? " + _YEAR + r"(?:-(?P<last>[0-9]{4})"
    r"| \((?P<from>[a-z]+) a (?P<to>[a-z]+)\))?"
)
_MONTH_RANGE = re.compile(r"(?P<from>[a-z]+) a (?P<to>[a-z]+) del? " + _YEAR)
_OPEN_ENDED = re.compile(r"desde (?:el )?(?:ano )?" + _YEAR + r" en adelante")


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None

    @property
    def is_open_ended(self) -> bool:
        return self.end is None


class PeriodError(ValueError):
    """A period text that cannot be read unambiguously; ``text`` holds it."""

    def __init__(self, text: str, template: str | None = None, **params):
        if template is None:
            template = _(
                "No se puede interpretar el plazo «%(text)s»: use por ejemplo "
                "«2007-2011», «II semestre del 2006», «Marzo a Diciembre del "
                "2007» o «Desde el año 2008 en adelante»."
            )
        super().__init__(template % {"text": text, **params})
        self.text = text


def parse_period(text: str) -> Period:
    """Return the :class:`Period` written in ``text`` or raise PeriodError."""
    norm = _normalize(text)
    if m := _YEARS.fullmatch(norm):
        period = _span(
            text,
            date(_year(text, m["first"]), 1, 1),
            date(_year(text, m["last"] or m["first"]), 12, 31),
        )
        if m["count"]:
            _check_length(text, period, int(m["count"]), m["unit"])
        return period
    if m := _SEMESTER.fullmatch(norm):
        first_month, last_month = _SEMESTERS[m["half"]]
        if m["from"]:
            months = _month(text, m["from"]), _month(text, m["to"])
            if not all(first_month <= month <= last_month for month in months):
                raise PeriodError(text, _("Los meses de «%(text)s» no caen dentro del semestre."))
            first_month, last_month = months
        if m["last"]:
            last_month = 12
        return _span(
            text,
            date(_year(text, m["first"]), first_month, 1),
            _month_end(_year(text, m["last"] or m["first"]), last_month),
        )
    if m := _MONTH_RANGE.fullmatch(norm):
        year = _year(text, m["first"])
        return _span(
            text,
            date(year, _month(text, m["from"]), 1),
            _month_end(year, _month(text, m["to"])),
        )
    if m := _OPEN_ENDED.fullmatch(norm):
        return Period(date(_year(text, m["first"]), 1, 1), None)
    raise PeriodError(text)


def _normalize(text: str) -> str:
    """Lower-case, drop accents and make spacing regular."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\s*[-–—]\s*", "-", plain)
    plain = re.sub(r"\s*\(\s*", " (", plain)
    plain = re.sub(r"\s*\)", ")", plain)
    return " ".join(plain.split())


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(
            text,
            _("El año %(year)d del plazo «%(text)s» no es plausible."),
            year=year,
        )
    return year


def _month(text: str, name: str) -> int:
    try:
        return _MONTHS[name]
    except KeyError:
        raise PeriodError(
            text,
            _("«%(name)s» no es un mes en el plazo «%(text)s»."),
            name=name,
        ) from None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(text: str, start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(text, _("El plazo «%(text)s» termina antes de empezar."))
    return Period(start, end)


def _check_length(text: str, period: Period, count: int, unit: str) -> None:
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    stated = count * 12 if unit.startswith("ano") else count
    if stated != months:
        raise PeriodError(
            text,
            _(
                "La duración indicada en «%(text)s» no coincide con el "
                "período, que abarca %(months)d meses."
            ),
            months=months,
        )


# An activity's own date, as its sentence gives it ---------------------------------------------

# What may come around a period inside an activity's sentence, and its plain form.
_PHRASE_LEAD = re.compile(r"^(?:a comenzar |durante |para |en |del? )?(?:el |la )?")
_PHRASE_WORDS = (
    (re.compile(r"\bprimer semestre\b"), "i semestre"),
    (re.compile(r"\bsegundo semestre\b"), "ii semestre"),
    (re.compile(r"\bsemestre del? ano\b"), "semestre del"),
    (re.compile(r"^(?:ano )?([0-9]{4}) en adelante$"), r"desde el ano \1 en adelante"),
)


def parse_date_phrase(phrase: str) -> Period:
    """The period an activity's own date phrase gives, as the report writes it inside the
    sentence: «(año 2007)», «(I semestre del 2012)», «en II Semestre del año 2012», «en el
    segundo semestre del 2007», «para el año 2007», «(2015 en adelante)». The phrase is read
    as a committed period (:func:`parse_period`) once its parentheses, its leading preposition
    («en», «para», «durante», «del») and the ordinal words («segundo semestre») are set aside;
    :class:`PeriodError` when it is still not one."""
    text = _normalize(phrase).strip(" .,;")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = _PHRASE_LEAD.sub("", text, count=1)
    for pattern, plain in _PHRASE_WORDS:
        text = pattern.sub(plain, text)
    try:
        return parse_period(text)
    except PeriodError:
        raise PeriodError(phrase) from None
