"""The progress export: the progress import's file (resources.ProgressResource), with the
current state in it and «nota» and «fecha» left empty to fill in."""

from actions.spreadsheets.exports.cells import write_csv
from actions.spreadsheets.resources import ProgressResource


def progress_csv(queryset):
    """The progress of the activities of `queryset` as the progress import's CSV."""
    dataset = ProgressResource().export(queryset=queryset)
    return write_csv(dataset.headers, list(dataset))
