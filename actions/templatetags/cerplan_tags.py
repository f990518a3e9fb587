"""Template tags of the plan pages: status badges, SVG bars, links and dates. Formatting only.

Nothing here queries the database or computes the plan's figures: every value comes from the
selectors and actions.reporting (the timeline's geometry is actions.reporting.timeline); the
words and symbols are actions.formatting's. The CSP forbids inline styles, so sizes are SVG
attributes and colours are CSS classes (static/css/cerplan.css); colour is never the only
signal, each status also has a symbol and a word.
"""

from django import template
from django.utils.html import format_html

from actions import formatting

register = template.Library()


@register.inclusion_tag("partials/status_badge.html")
def status_badge(status, overdue=False, progress=None):
    """The status as symbol + word (+ "atrasada" when overdue), coloured by CSS class."""
    return {
        "status": status,
        "symbol": formatting.status_symbol(status),
        "label": formatting.status_label(status),
        "overdue": overdue,
        "overdue_symbol": formatting.OVERDUE_SYMBOL,
        "progress": progress,
    }


@register.inclusion_tag("partials/chart_bar.html")
def progress_bar(value, maximum=100, tone="", label=""):
    """A horizontal bar of ``value`` out of ``maximum`` as SVG; None draws an empty, dashed track.

    The visible figure is written beside it by the caller; ``label`` names it for screen
    readers when it is not.
    """
    if value is None or not maximum:
        fraction = None
    else:
        fraction = max(0.0, min(1.0, float(value) / float(maximum)))
    if not tone:
        tone = "none" if fraction is None else ("full" if fraction >= 1 else "part")
    return {
        "width": formatting.svg_number(100 * (fraction or 0)),
        "empty": fraction is None,
        "tone": tone,
        "label": label,
    }


@register.filter
def percent(value, digits=0):
    """42.4 → "42 %" (the Spanish way: a space before the sign); None → "—"."""
    return formatting.percent(value, digits)


@register.filter
def dmy(value):
    """A date as DD-MM-YYYY, the way the agency writes it; None → "—"."""
    return formatting.dmy(value)


@register.filter
def dmy_nowrap(value):
    """A date as DD-MM-YYYY that never breaks at its hyphens (for narrow cards)."""
    return format_html('<span class="text-nowrap">{}</span>', formatting.dmy(value))


@register.simple_tag
def page_url(name, cluster, as_of=None, anchor="", **params):
    """A URL of a CER page, keeping the as-of date: {% page_url 'cluster-plan' cluster as_of %}.

    Extra keyword arguments become query parameters (filters); empty ones are left out.
    """
    return formatting.page_url(name, cluster, as_of, anchor, **params)


@register.filter
def plan_anchor(item):
    """The id of an objective's, a strategy's or an activity's place in the plan matrix."""
    return formatting.plan_anchor(item)
