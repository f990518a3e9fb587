"""What the plan admins share: CER-labelled parent pickers, CER-scoped validation, shared choices
of inline rows, and PlanWritesMixin, which hands every save and delete to the plan services."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import Activity, Funding
from actions.plan import services as plan_services


def _date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else None


def period_label(text, start, end):
    """A committed period as the report wrote it, with the dates read from it."""
    if not (text or start or end):
        return "—"
    dates = f"{_date(start) or '?'} – {_date(end) or _('en adelante')}"
    return f"«{text}» ({dates})" if text else dates


def _label_with_cluster(obj):
    # Objectives and strategies are numbered per CER: "I)" or "4." alone is ambiguous.
    return f"{obj.cluster} · {obj}"


def change_reason(change):
    return _("editado en la administración") if change else _("creado en la administración")


def expected_version(form):
    """The version an activity form was read at, when it changed something (else None: an
    unchanged form checks nothing)."""
    if form is None or not form.has_changed():
        return None
    return getattr(form, "cleaned_data", {}).get("loaded_version")


class PlanWritesMixin:
    """The admin's save and delete hooks, through actions.plan.services: the same permission
    check, validation, version check and history as every other write of the plan."""

    def save_model(self, request, obj, form, change):
        plan_services.save_plan_object(
            acting_user=request.user,
            instance=obj,
            reason=change_reason(change),
            expected_version=expected_version(form) if isinstance(obj, Activity) else None,
        )

    def delete_model(self, request, obj):
        plan_services.delete_plan_object(
            acting_user=request.user, instance=obj, reason=_("borrado en la administración")
        )

    def delete_queryset(self, request, queryset):
        plan_services.delete_plan_objects(
            acting_user=request.user, queryset=queryset, reason=_("borrado en la administración")
        )

    def save_formset(self, request, form, formset, change):
        """Each row of an inline of plan objects, saved or deleted by the services."""
        saved = formset.save(commit=False)
        forms = {id(inline.instance): inline for inline in formset.forms}
        for obj in formset.deleted_objects:
            plan_services.delete_plan_object(
                acting_user=request.user, instance=obj, reason=_("borrado en la administración")
            )
        for obj in saved:
            inline = forms.get(id(obj))
            instruments = None
            if isinstance(obj, Funding) and inline is not None:
                instruments = inline.cleaned_data.get("instruments")
            plan_services.save_plan_object(
                acting_user=request.user,
                instance=obj,
                reason=change_reason(obj.pk is not None),
                expected_version=expected_version(inline) if isinstance(obj, Activity) else None,
                instruments=instruments,
            )
        if formset.model is not Funding:  # a funding line's instruments are set above
            formset.save_m2m()


class ParentPickerMixin:
    """A picker of the parent (`parent_field`: an objective or a strategy) whose labels name the
    CER, since objectives and strategies are numbered per CER."""

    parent_field = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.parent_field:
            kwargs["queryset"] = db_field.related_model.objects.select_related("cluster")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = _label_with_cluster
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SameClusterParentMixin(ParentPickerMixin):
    """On an existing object, offer only parents of its own CER: moving it to another CER is
    refused (its `cluster` is denormalised from the parent)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and self.parent_field in form.base_fields:
            field = form.base_fields[self.parent_field]
            field.queryset = field.queryset.filter(cluster_id=obj.cluster_id)
        return form


class StrategyLabelMixin(ParentPickerMixin):
    """A strategy picker whose labels name the CER (strategies are numbered per CER)."""

    parent_field = "strategy"

    @admin.display(description=gettext_lazy("CER"), ordering="strategy__cluster__name")
    def cluster(self, obj):
        return obj.strategy.cluster


class ClusterScopedFormMixin:
    """For forms of models with a `cluster` the form does not edit (read-only, or set from the
    parent): validate the CER-scoped unique constraints anyway.

    Django leaves out of model validation every field that is not on the form, and with it
    each constraint naming such a field, so a duplicate "4.2" in the same CER would reach the
    database as an IntegrityError (a server error) instead of a message beside the field.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.cluster_id is not None:
            exclude.discard("cluster")
        return exclude


class SharedChoicesInlineFormSet(BaseInlineFormSet):
    """Reads the choices of `shared_choice_fields` once for all the rows of an inline.

    Each row's <select> would otherwise query the same table again: one query per row.
    """

    shared_choice_fields = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        cache = self.__dict__.setdefault("_shared_choices", {})
        for name in self.shared_choice_fields:
            field = form.fields.get(name)
            if field is None:
                continue
            if name not in cache:
                cache[name] = list(field.choices)
            field.choices = cache[name]
            # The admin wraps the widget (the "+" and pencil links); the inner one renders.
            inner = getattr(field.widget, "widget", None)
            if inner is not None:
                inner.choices = cache[name]
