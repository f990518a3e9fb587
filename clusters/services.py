"""Operations on accounts and roles. Each runs in one transaction."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import Cluster, Company, CompanyOwnership, StaffAssignment

logger = logging.getLogger("cerplan.accounts")

ROLES = ("admin", "staff", "owner")


def _clusters_by_slug(slugs):
    clusters = {c.slug: c for c in Cluster.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in clusters]
    if unknown:
        known = ", ".join(Cluster.objects.order_by("slug").values_list("slug", flat=True))
        raise ValidationError(
            _("No existe el CER «%(slug)s». CER disponibles: %(known)s."),
            params={"slug": unknown[0], "known": known or "—"},
        )
    return [clusters[slug] for slug in slugs]


def check_account(*, username, role, cluster_slugs=(), company_name=None):
    """The rules of a new account, before anything is written; raises ValidationError.

    Shared by create_account (the authority) and the admin's add form (to say it beside the
    form instead of failing on save).
    """
    if role not in ROLES:
        raise ValidationError(
            _("Rol desconocido «%(role)s»: use admin, staff u owner."), params={"role": role}
        )
    if get_user_model().objects.filter(username=username).exists():
        raise ValidationError(
            _("Ya existe un usuario «%(username)s»."), params={"username": username}
        )
    if role == "staff" and not cluster_slugs:
        raise ValidationError(_("Un coordinador (staff) necesita al menos un CER (--cluster)."))
    if role == "owner" and (len(cluster_slugs) != 1 or not company_name):
        raise ValidationError(
            _("Un empresario (owner) necesita un CER (--cluster) y una empresa (--company).")
        )
    if role == "admin" and (cluster_slugs or company_name):
        raise ValidationError(
            _("Un administrador ve todos los CER: no lleva CER (--cluster) ni empresa (--company).")
        )
    return _clusters_by_slug(list(cluster_slugs))


@transaction.atomic
def create_account(
    *,
    username,
    role,
    password,
    cluster_slugs=(),
    company_name=None,
    email="",
    first_name="",
    last_name="",
):
    """Create a user with one role.

    admin: a superuser. staff: assigned to each CER in cluster_slugs (at least one).
    owner: tied to the company company_name of the one CER given, created there if new.
    """
    clusters = check_account(
        username=username, role=role, cluster_slugs=cluster_slugs, company_name=company_name
    )
    User = get_user_model()

    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == "admin",
        is_superuser=role == "admin",
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    if role == "staff":
        for cluster in clusters:
            StaffAssignment.objects.create(user=user, cluster=cluster)
    elif role == "owner":
        company, _created = Company.objects.get_or_create(cluster=clusters[0], name=company_name)
        CompanyOwnership.objects.create(user=user, company=company)
    logger.info("account created: %s (%s)", username, role)
    return user


@transaction.atomic
def deactivate_account(*, user, acting_user=None):
    """Deactivate a user and end every session they have open."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions_of(user)
    logger.info("account deactivated: %s by %s", user.username, acting_user or "system")


def end_sessions_of(user):
    key = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == key:
            session.delete()
