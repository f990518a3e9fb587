"""django-import-export resources: the tabular exports, with the imports' Spanish columns.

Each resource's columns are the import's (actions.spreadsheets.layouts, which the imports read
too), so an exported file can be edited and imported back: the progress export is the progress
import's file, with the current state in it and «nota» and «fecha» left empty to fill in. Values
are dehydrated to plain Python values (numbers stay numbers, dates stay dates);
actions.spreadsheets.exports writes them to CSV or XLSX and escapes text that a spreadsheet
program could take for a formula.

Imports do not go through these resources' import_data(): they go through
actions.spreadsheets.imports, which previews every change before writing and writes through the
services (see README, "Imports").
"""

from import_export import fields, resources

from actions.models import Activity, GoalMeasurement
from actions.progress.selectors import with_latest_note
from actions.spreadsheets.layouts.companies import COMPANY_COLUMNS, SIZE_WORDS
from actions.spreadsheets.layouts.measurements import MEASUREMENT_COLUMNS
from actions.spreadsheets.layouts.progress import PROGRESS_COLUMNS, status_word
from clusters.models import Company


def _headers(columns):
    return {column.key: column.header for column in columns}


PROGRESS_HEADERS = _headers(PROGRESS_COLUMNS)
MEASUREMENT_HEADERS = _headers(MEASUREMENT_COLUMNS)
COMPANY_HEADERS = _headers(COMPANY_COLUMNS)


def _column(headers, key):
    return fields.Field(column_name=headers[key], dehydrate_method=f"dehydrate_{key}")


class ReadOnlyResource(resources.ModelResource):
    """Export only: a confirmed import goes through actions.spreadsheets.imports and the
    services."""

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("cerplan imports go through actions.spreadsheets.imports")


class ProgressResource(ReadOnlyResource):
    """The progress of every activity: the progress import's columns."""

    cer = _column(PROGRESS_HEADERS, "cer")
    code = _column(PROGRESS_HEADERS, "code")
    title = _column(PROGRESS_HEADERS, "title")
    status = _column(PROGRESS_HEADERS, "status")
    progress = _column(PROGRESS_HEADERS, "progress")
    note = _column(PROGRESS_HEADERS, "note")
    date = _column(PROGRESS_HEADERS, "date")
    planned_start = _column(PROGRESS_HEADERS, "planned_start")
    planned_end = _column(PROGRESS_HEADERS, "planned_end")
    revised_end = _column(PROGRESS_HEADERS, "revised_end")
    latest_note = _column(PROGRESS_HEADERS, "latest_note")
    latest_note_on = _column(PROGRESS_HEADERS, "latest_note_on")
    latest_note_author = _column(PROGRESS_HEADERS, "latest_note_author")

    class Meta:
        model = Activity
        fields = (
            "cer",
            "code",
            "title",
            "status",
            "progress",
            "note",
            "date",
            "planned_start",
            "planned_end",
            "revised_end",
            "latest_note",
            "latest_note_on",
            "latest_note_author",
        )
        export_order = fields
        clean_model_instances = True

    def get_queryset(self):
        return Activity.objects.select_related("cluster").order_by(
            "cluster__name", "strategy__number", "position", "code"
        )

    def filter_export(self, queryset, **kwargs):
        return with_latest_note(queryset.select_related("cluster"))

    def dehydrate_cer(self, activity):
        return activity.cluster.slug

    def dehydrate_code(self, activity):
        return activity.code

    def dehydrate_title(self, activity):
        return activity.title

    def dehydrate_status(self, activity):
        return status_word(activity.status)

    def dehydrate_progress(self, activity):
        return activity.progress

    def dehydrate_note(self, activity):
        return ""

    def dehydrate_date(self, activity):
        return None

    def dehydrate_planned_start(self, activity):
        return activity.planned_start

    def dehydrate_planned_end(self, activity):
        return activity.planned_end

    def dehydrate_revised_end(self, activity):
        return activity.revised_end

    # The annotations of actions.progress.selectors.with_latest_note, added by filter_export().
    def dehydrate_latest_note(self, activity):
        return activity.latest_note or ""

    def dehydrate_latest_note_on(self, activity):
        return activity.latest_note_on

    def dehydrate_latest_note_author(self, activity):
        full_name = " ".join(
            part
            for part in (activity.latest_note_author_first, activity.latest_note_author_last)
            if part
        )
        return full_name or activity.latest_note_author or ""


class GoalMeasurementResource(ReadOnlyResource):
    """Recorded measurements: the measurement import's columns."""

    cer = _column(MEASUREMENT_HEADERS, "cer")
    strategy = _column(MEASUREMENT_HEADERS, "strategy")
    goal = _column(MEASUREMENT_HEADERS, "goal")
    goal_text = _column(MEASUREMENT_HEADERS, "goal_text")
    value = _column(MEASUREMENT_HEADERS, "value")
    date = _column(MEASUREMENT_HEADERS, "date")
    source = _column(MEASUREMENT_HEADERS, "source")
    unit = _column(MEASUREMENT_HEADERS, "unit")
    target = _column(MEASUREMENT_HEADERS, "target")

    class Meta:
        model = GoalMeasurement
        fields = (
            "cer",
            "strategy",
            "goal",
            "goal_text",
            "value",
            "date",
            "source",
            "unit",
            "target",
        )
        export_order = fields
        clean_model_instances = True

    def get_queryset(self):
        return self.filter_export(GoalMeasurement.objects.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("goal__strategy__cluster").order_by(
            "goal__strategy__cluster__name",
            "goal__strategy__number",
            "goal__position",
            "measured_on",
            "id",
        )

    def dehydrate_cer(self, measurement):
        return measurement.goal.strategy.cluster.slug

    def dehydrate_strategy(self, measurement):
        return measurement.goal.strategy.number

    def dehydrate_goal(self, measurement):
        return measurement.goal.position

    def dehydrate_goal_text(self, measurement):
        return measurement.goal.text

    def dehydrate_value(self, measurement):
        return measurement.value

    def dehydrate_date(self, measurement):
        return measurement.measured_on

    def dehydrate_source(self, measurement):
        return measurement.source

    def dehydrate_unit(self, measurement):
        return measurement.goal.unit

    def dehydrate_target(self, measurement):
        return measurement.goal.target_value


class CompanyResource(ReadOnlyResource):
    """Companies of the CERs: the company import's columns."""

    cer = _column(COMPANY_HEADERS, "cer")
    name = _column(COMPANY_HEADERS, "name")
    rut = _column(COMPANY_HEADERS, "rut")
    size = _column(COMPANY_HEADERS, "size")

    class Meta:
        model = Company
        fields = ("cer", "name", "rut", "size")
        export_order = fields
        clean_model_instances = True

    def get_queryset(self):
        return self.filter_export(Company.objects.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("cluster").order_by("cluster__name", "name")

    def dehydrate_cer(self, company):
        return company.cluster.slug

    def dehydrate_name(self, company):
        return company.name

    def dehydrate_rut(self, company):
        return company.rut

    def dehydrate_size(self, company):
        return SIZE_WORDS.get(company.size, "")
