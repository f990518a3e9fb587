"""Accounts in the admin: created with their role, CERs and e-mail through
clusters.services.create_account, listed with their role and CERs, edited without Django's
long list of per-model permissions (roles, not permissions, decide what a person may do:
clusters.permissions)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clusters import services
from clusters.admin_site import AdminOnlyMixin, DataVersionAdminMixin
from clusters.models import Cluster, CompanyOwnership, StaffAssignment
from clusters.permissions import ADMIN_GROUP

ROLE_CHOICES = [
    ("staff", _("Coordinador (equipo de la agencia): registra avances en sus CER")),
    ("owner", _("Empresario: sigue el plan de su CER, sin editar")),
    ("admin", _("Administrador: todo, también esta administración")),
]


class StaffAssignmentInline(AdminOnlyMixin, admin.TabularInline):
    model = StaffAssignment
    autocomplete_fields = ("cluster",)
    extra = 0
    verbose_name_plural = _("CER que coordina (coordinador)")


class CompanyOwnershipInline(AdminOnlyMixin, admin.StackedInline):
    model = CompanyOwnership
    autocomplete_fields = ("company",)
    extra = 0
    verbose_name_plural = _("empresa de la que es empresario")


class AccountCreationForm(forms.ModelForm):
    """A new account with its role: what clusters.services.create_account needs."""

    role = forms.ChoiceField(label=_("Rol"), choices=ROLE_CHOICES)
    clusters = forms.ModelMultipleChoiceField(
        label=_("CER"),
        queryset=Cluster.objects.order_by("name"),
        required=False,
        help_text=_("Coordinador: los CER que coordina. Empresario: el CER de su empresa."),
    )
    company = forms.CharField(
        label=_("Empresa"),
        max_length=200,
        required=False,
        help_text=_("Solo para empresarios: se crea en el CER si aún no existe."),
    )
    password1 = forms.CharField(
        label=_("Contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Contraseña (otra vez)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = True
        email.help_text = _("A esta dirección llega el enlace para restablecer la contraseña.")

    def clean(self):
        data = super().clean()
        if "role" in data and "clusters" in data and data.get("username"):
            # create_account's own rules, said on top of the form rather than failing on save.
            try:
                services.check_account(
                    username=data["username"],
                    role=data["role"],
                    cluster_slugs=[cluster.slug for cluster in data["clusters"]],
                    company_name=data.get("company", "").strip() or None,
                )
            except ValidationError as error:
                self.add_error(None, error)
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Las dos contraseñas no coinciden."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"], self.instance)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def account_arguments(self):
        data = self.cleaned_data
        return {
            "username": data["username"],
            "role": data["role"],
            "password": data["password1"],
            "cluster_slugs": [cluster.slug for cluster in data["clusters"]],
            "company_name": data["company"].strip() or None,
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
        }


def _ownership(user):
    try:
        return user.company_ownership
    except CompanyOwnership.DoesNotExist:
        return None


def role_labels(user):
    """The roles of a user, from what get_queryset read with it."""
    labels = []
    if user.is_superuser or any(group.name == ADMIN_GROUP for group in user.groups.all()):
        labels.append(_("administrador"))
    if user.staff_assignments.all():
        labels.append(_("coordinador"))
    if _ownership(user):
        labels.append(_("empresario"))
    return labels


class UserAdmin(AdminOnlyMixin, DataVersionAdminMixin, auth_admin.UserAdmin):
    inlines = [StaffAssignmentInline, CompanyOwnershipInline]
    add_form = AccountCreationForm
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        (_("Rol"), {"fields": ("role", "clusters", "company")}),
        (_("Contraseña"), {"fields": ("password1", "password2")}),
    )
    # Roles come from the inlines below (and, for administrators, from these two boxes), not
    # from Django's per-model permissions, which the portal does not use.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Datos personales"), {"fields": ("first_name", "last_name", "email")}),
        (_("Acceso"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Fechas"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "full_name", "email", "roles", "cers", "is_active", "last_login")
    # No filter by CER: a national portal has a thousand of them; the search finds people.
    list_filter = ("is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("company_ownership__company__cluster")
            .prefetch_related("groups", "staff_assignments__cluster")
        )

    def get_inlines(self, request, obj):
        # Roles are given once the account exists (the add form asks only for name and password).
        return self.inlines if obj is not None else []

    @admin.display(description=_("nombre"))
    def full_name(self, user):
        return user.get_full_name() or "—"

    @admin.display(description=_("rol"))
    def roles(self, user):
        return ", ".join(str(label) for label in role_labels(user)) or "—"

    @admin.display(description=_("CER"))
    def cers(self, user):
        names = [a.cluster.name for a in user.staff_assignments.all()]
        ownership = _ownership(user)
        if ownership:
            names.append(f"{ownership.company.cluster.name} ({ownership.company.name})")
        return "; ".join(names) or ("—" if not user.is_superuser else _("todos"))

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # One write path: the account, its role and its CERs in create_account's transaction.
        created = services.create_account(**form.account_arguments())
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db
        request.cerplan_saved = (created, False, set())
        return None
