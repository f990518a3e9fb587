"""The admin for the action plans, one module per area; importing them registers their classes.

- structure: objectives, strategies and activities (with their inlines);
- goals: goals and their measurements;
- resources: funding, instruments, actors and involvements;
- history: the progress history (read-only) and the import runs (read-only);
- mixins: what the areas share, among it PlanWritesMixin, through which every save and delete
  of the admin goes to a service function (actions.plan.services, actions.progress.services).

Progress is not edited here. An activity's status, progress, completion date and revised end are
recorded through the portal's progress form and services, which write the activity's history
(ProgressUpdate); the admin shows them read-only, and shows that history without letting anyone
change or delete it. See clusters/admin.py for the rules every admin class follows.
"""

from actions.admin import goals, history, resources, structure

__all__ = ["goals", "history", "resources", "structure"]
