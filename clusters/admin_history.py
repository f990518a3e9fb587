"""How the admin's history pages (django-simple-history) show a change: as people read it.

simple-history writes each field's stored value: «pending → in_progress», «None → 2027-06-30».
Here a field with choices shows its label («pendiente → en curso»), an empty value a dash, a
date day-month-year and a yes/no field «sí»/«no», in the interface's language.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return _("sí") if value else _("no")
        if getattr(field, "choices", None) and not isinstance(value, list):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, datetime.datetime):
            return date_format(value, "d-m-Y H:i")
        if isinstance(value, datetime.date):
            return date_format(value, "d-m-Y")
        return value
