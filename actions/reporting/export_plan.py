"""The plan as plain data: the export_plan JSON contract of DESIGN.md.

Keep the shape stable: other tools (backups, the spreadsheet round trip, checks against the
source report) compare it key by key.
"""

from actions.models import Funding, Involvement
from actions.reporting.whole_plan import whole_plans


def _date(value):
    return value.isoformat() if value else None


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _strategy(strategy):
    return {
        "number": strategy.number,
        "title": strategy.title,
        "activities": [
            {
                "code": activity.code,
                "title": activity.title,
                "status": activity.status,
                "progress": activity.progress,
                "planned_start": _date(activity.planned_start),
                "planned_end": _date(activity.planned_end),
                "revised_end": _date(activity.revised_end),
            }
            for activity in strategy.activities.all()
        ],
        "goals": [
            {
                "text": goal.text,
                "target_value": _number(goal.target_value),
                "unit": goal.unit or None,
                "due": _date(goal.due),
            }
            for goal in strategy.goals.all()
        ],
        "funding_public": [f.text for f in strategy.funding.all() if f.kind == Funding.Kind.PUBLIC],
        "funding_private": [
            f.text for f in strategy.funding.all() if f.kind == Funding.Kind.PRIVATE
        ],
        "actors": [
            i.actor.name for i in strategy.involvements.all() if i.role == Involvement.Role.INVOLVED
        ],
        "responsible": [
            i.actor.name
            for i in strategy.involvements.all()
            if i.role == Involvement.Role.RESPONSIBLE
        ],
        "deadline_text": strategy.committed_period_text,
        "deadline_start": _date(strategy.committed_start),
        "deadline_end": _date(strategy.committed_end),
    }


def export_plan(slug=None):
    """The whole plan, or one CER's, as the JSON-ready dict of DESIGN.md."""
    return {
        "clusters": [
            {
                "slug": cluster.slug,
                "name": cluster.name,
                "obstacles": [
                    {"title": o.title, "measures": [m.text for m in o.measures.all()]}
                    for o in cluster.obstacles.all()
                ],
                "objectives": [
                    {
                        "numeral": objective.numeral,
                        "title": objective.title,
                        "strategies": [_strategy(s) for s in objective.strategies.all()],
                    }
                    for objective in cluster.objectives.all()
                ],
            }
            for cluster in whole_plans(slug)
        ]
    }
