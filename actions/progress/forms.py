"""Forms of the progress pages. They pre-check the rules so errors appear beside their fields;
the services (actions.progress.services) apply the same rules again and are the authority."""

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from actions.models import Status
from actions.progress import evidence as evidence_checks
from actions.progress.responsible import person_name
from actions.progress.services import ProgressChange, progress_rule_errors
from clusters.models import TEXT_MAX_LENGTH, limit_note


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker reads and writes ISO dates.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceErrorsMixin:
    def add_service_errors(self, error):
        """Show a service's ValidationError beside the fields it names, the rest on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields and field != "version" else None
            if field == NON_FIELD_ERRORS:
                target = None
            for message in messages:
                self.add_error(target, message)


class VersionedForm(ServiceErrorsMixin, forms.Form):
    """A form about an activity, carrying the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        data = super().clean()
        if "version" in self._errors:
            # A hidden field's own error would not be seen: say it on top of the form.
            del self._errors["version"]
            self.add_error(
                None,
                _(
                    "El formulario no indica qué versión de la actividad leyó: ábralo de nuevo "
                    "desde la página de la actividad."
                ),
            )
        return data


class ProgressForm(VersionedForm):
    status = forms.ChoiceField(label=_("Estado"), choices=Status.choices)
    progress = forms.IntegerField(
        label=_("Avance (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 1, "min": 0, "max": 100}),
    )
    note = forms.CharField(
        label=_("Nota"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            "{} {}",
            _(
                "Qué ocurrió. Obligatoria si el avance baja o si se reabre una actividad "
                "completada o cancelada."
            ),
            limit_note(TEXT_MAX_LENGTH),
        ),
    )
    evidence = forms.FileField(
        label=_("Archivo de evidencia"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": evidence_checks.ACCEPT_ATTRIBUTE}),
    )
    effective_on = forms.DateField(
        label=_("Fecha en que ocurrió"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Hoy, si la deja vacía. Puede ser anterior (lo que se informa tarde), nunca futura "
            "ni anterior al último registro de la actividad."
        ),
    )

    # The name of the second button the form offers when «completada» comes with less than 100 %.
    COMPLETE_AT_FULL = "complete_at_full"

    field_order = ["status", "progress", "effective_on", "note", "evidence", "version"]

    def __init__(self, *args, activity, **kwargs):
        self.activity = activity
        self.offers_complete_at_full = False
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["evidence"].help_text = _(
            "Opcional. PDF, imagen (PNG, JPEG, GIF, WebP), documento de Office u OpenDocument, "
            "o CSV; hasta %(limit)s MB."
        ) % {"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}

    @classmethod
    def initial_for(cls, activity):
        return {
            "status": activity.status,
            "progress": activity.progress,
            "version": activity.version,
        }

    def clean_progress(self):
        # «Guardar con 100 %» on the error summary: the user accepted the offer.
        if self.data.get(self.COMPLETE_AT_FULL):
            return 100
        return self.cleaned_data["progress"]

    def clean_evidence(self):
        uploaded = self.cleaned_data.get("evidence")
        if uploaded:
            evidence_checks.check_evidence(uploaded)
        return uploaded

    def valid_evidence(self):
        """The file sent with this submission, when it passed its own checks (else None)."""
        if "evidence" in self.errors:
            return None
        return self.cleaned_data.get("evidence")

    def clean(self):
        data = super().clean()
        if data.get("version") != self.activity.version:
            # Read at another version: the service refuses it as stale and shows what changed;
            # checking the rules against a state the user has not seen would only confuse.
            return data
        if {"status", "progress"} <= data.keys():
            errors = progress_rule_errors(
                ProgressChange(
                    old_status=self.activity.status,
                    new_status=data["status"],
                    old_progress=self.activity.progress,
                    new_progress=data["progress"],
                    note=data.get("note", ""),
                    # A refused file is reported on its own; it still counts as something to record.
                    has_evidence=bool(data.get("evidence")) or "evidence" in self.errors,
                )
            )
            self.offers_complete_at_full = data["status"] == Status.DONE and data["progress"] != 100
            if errors:
                self.add_service_errors(ValidationError(errors))
        return data


class ReviseForm(VersionedForm):
    new_end = forms.DateField(
        label=_("Nuevo término"),
        widget=DateInput,
        error_messages={"required": _("Indique la nueva fecha de término.")},
    )
    reason = forms.CharField(
        label=_("Motivo de la revisión"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            "{} {}",
            _("Queda en el historial junto a la fecha anterior y la planificada."),
            limit_note(TEXT_MAX_LENGTH),
        ),
        error_messages={"required": _("Explique el motivo de la revisión.")},
    )

    field_order = ["new_end", "reason", "version"]

    def __init__(self, *args, activity, **kwargs):
        self.activity = activity
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, activity):
        return {"new_end": activity.effective_end, "version": activity.version}


class GoalMeasurementForm(ServiceErrorsMixin, forms.Form):
    value = forms.DecimalField(
        label=_("Valor medido"), max_digits=12, decimal_places=2, localize=True
    )
    measured_on = forms.DateField(label=_("Fecha de medición"), widget=DateInput)
    source = forms.CharField(
        label=_("Fuente del dato"),
        max_length=300,
        help_text=_("De dónde sale el valor, p. ej. «Registro de exportaciones ProChile 2008»."),
        error_messages={"required": _("Indique la fuente del dato.")},
    )


class ResponsibleForm(ServiceErrorsMixin, forms.Form):
    """Who of the CER's staff answers for an activity (actions.progress.responsible)."""

    responsible_users = forms.ModelMultipleChoiceField(
        label=_("A cargo en el portal"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Personas del equipo del CER. Sus actividades aparecen primero en «Mi trabajo». "
            "Los responsables que nombra el informe no cambian."
        ),
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_users"]
        field.queryset = eligible
        field.label_from_instance = person_name
