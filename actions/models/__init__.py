"""The models of the actions app: the plan's structure, what is recorded against it, and the
audit of imports. Imported from here (actions.models.X) everywhere; one module per area."""

from actions.models.imports import ImportRun
from actions.models.plan import (
    Activity,
    ActivityKind,
    Actor,
    Funding,
    Goal,
    Instrument,
    Involvement,
    Objective,
    Status,
    Strategy,
    end_before_start,
)
from actions.models.progress import GoalMeasurement, ProgressUpdate, evidence_upload_to

__all__ = [
    "Activity",
    "ActivityKind",
    "Actor",
    "Funding",
    "Goal",
    "GoalMeasurement",
    "ImportRun",
    "Instrument",
    "Involvement",
    "Objective",
    "ProgressUpdate",
    "Status",
    "Strategy",
    "end_before_start",
    "evidence_upload_to",
]
