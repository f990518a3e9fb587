"""Reporting: roll-up, the plan as of a date, and the data behind dashboard, plan, timeline and
export_plan."""
