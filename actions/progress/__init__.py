"""Progress: recording an activity's status and %, revised deadlines, goal measurements,
evidence."""
