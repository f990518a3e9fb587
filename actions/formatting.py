"""How the plan's values are written for people: status symbols and words, dates, percentages,
committed periods. One definition each, used by the template tags, the timeline, the activity
pages and the spreadsheets alike. Pure functions: nothing here reads the database.
"""

import unicodedata
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from actions.models import Status

# Symbols present in common fonts (DejaVu, Segoe UI Symbol, Noto): ⏵ and ⏸ are not, so a
# blocked activity is ⊘ everywhere. Colour is never the only signal: symbol and word go with it.
STATUS_SYMBOLS = {
    Status.PENDING: "○",
    Status.IN_PROGRESS: "◐",
    Status.DONE: "✓",
    Status.BLOCKED: "⊘",
    Status.CANCELLED: "✕",
}
UNKNOWN_SYMBOL = "?"
# U+FE0E asks for the text form of ⚠, not an emoji.
OVERDUE_SYMBOL = "⚠\ufe0e"
EMPTY = "—"


def status_symbol(status):
    return STATUS_SYMBOLS.get(status, UNKNOWN_SYMBOL)


def status_label(status):
    """The status's word («en curso»); an unknown value is shown as it is."""
    try:
        return Status(status).label
    except ValueError:
        return status


def dmy(value):
    """A date as DD-MM-YYYY, the way the agency writes it; None → "—"."""
    if not value:
        return EMPTY
    return value.strftime("%d-%m-%Y")


def percent(value, digits=0):
    """42.4 → "42 %" (the Spanish way: a space before the sign); None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{formats.number_format(round(float(value), int(digits)), int(digits))} %"


def date_range(start, end):
    """A period between two dates: «01-01-2007 a 31-12-2008», «desde …, en adelante»."""
    if start and end:
        return _("%(start)s a %(end)s") % {"start": dmy(start), "end": dmy(end)}
    if start:
        return _("desde %(start)s, en adelante") % {"start": dmy(start)}
    return _("sin fechas")


def committed_period(text, start, end):
    """A strategy's committed period as the report words it, with the dates read from it below:
    «2007-2008\\n(01-01-2007 – 31-12-2008)»; just the text when no date was read from it."""
    if start is None and end is None:
        return text
    dates = f"{dmy(start) if start else '?'} – " + (dmy(end) if end else _("en adelante"))
    return f"{text}\n({dates})" if text else dates


def plan_anchor(item):
    """The id of an objective's, a strategy's or an activity's place in the plan matrix."""
    if hasattr(item, "numeral"):
        return f"objective-{item.numeral}"
    if hasattr(item, "number"):
        return f"strategy-{item.number}"
    return f"activity-{item.pk}"


def page_url(name, cluster, as_of=None, anchor="", **params):
    """A URL of a CER page, keeping the as-of date; extra keyword arguments become query
    parameters (filters), empty ones left out."""
    query = {key: value for key, value in params.items() if value not in (None, "", False)}
    if as_of:
        query = {"as_of": as_of.isoformat(), **query}
    url = reverse(name, kwargs={"slug": cluster.slug})
    if query:
        url += "?" + urlencode(query)
    if anchor:
        url += "#" + anchor
    return url


def svg_number(value):
    """A number for an SVG attribute: never localised (a comma would break the attribute)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def fold(text):
    """Lower case without accents, «Difusión» → «difusion»: how words are compared (activity
    kinds, search); None stays None."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
