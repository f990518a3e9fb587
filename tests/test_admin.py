"""The Django admin: admins only, a usable page per model, the progress history untouchable."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    GoalMeasurement,
    ImportRun,
    Instrument,
    Involvement,
    Objective,
    ProgressUpdate,
    Strategy,
)
from clusters.admin_site import AdminOnlyMixin
from clusters.models import (
    Cluster,
    Company,
    CompanyOwnership,
    Measure,
    Obstacle,
    StaffAssignment,
)
from clusters.rut import check_digit
from tests import factories

pytestmark = pytest.mark.django_db

REGISTERED_MODELS = [model for model in apps.get_models() if admin.site.is_registered(model)]
REGISTERED = sorted(model._meta.label for model in REGISTERED_MODELS)
PLAN_STRUCTURE = [
    Objective,
    Strategy,
    Activity,
    Goal,
    Funding,
    Involvement,
    Actor,
    Instrument,
    Cluster,
    Obstacle,
    Measure,
]
# Rows nobody adds by hand: the progress history and the import runs (written by the portal's
# services) and django-axes' sign-in records.
NOT_ADDABLE = {ProgressUpdate, ImportRun, AccessAttempt, AccessLog, AccessFailureLog}
# Pages that answer 403 to any POST: the progress history is append-only, import runs an audit.
READ_ONLY = {ProgressUpdate, ImportRun}
PERIOD_TEXT = "II SEMESTRE DEL 2006 (septiembre a diciembre )"


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def request_by(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def one_of_each(admin_user):
    """A small plan with one object of every model the admin shows."""
    cluster = factories.ClusterWithPlanFactory(slug="cer-admin", plan__activities_per_strategy=1)
    activity = cluster.activities.get()
    strategy = activity.strategy
    strategy.committed_period_text = PERIOD_TEXT
    strategy.committed_start = datetime.date(2006, 9, 1)
    strategy.committed_end = datetime.date(2006, 12, 31)
    strategy.correction_note = "El informe numera su única actividad «1.2»."
    strategy.save()
    obstacle = Obstacle.objects.create(cluster=cluster, position=1, title="Escasez de soldadores")
    funding = Funding.objects.get(strategy=strategy)
    instrument = Instrument.objects.create(name="PROFO")
    funding.instruments.add(instrument)
    goal = Goal.objects.get(strategy=strategy)
    staff = factories.StaffFactory(username="coordinadora", clusters=[cluster])
    owner = factories.OwnerFactory(username="empresario", company__cluster=cluster)
    sign_in = {
        "user_agent": "pytest",
        "ip_address": "127.0.0.1",
        "username": "alguien",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    return {
        Cluster: cluster,
        Obstacle: obstacle,
        Measure: Measure.objects.create(obstacle=obstacle, position=1, text="Becas de formación"),
        Company: Company.objects.create(
            cluster=cluster, name="Maestranza Norte", rut=f"76123456-{check_digit(76123456)}"
        ),
        StaffAssignment: StaffAssignment.objects.get(user=staff),
        CompanyOwnership: CompanyOwnership.objects.get(user=owner),
        Objective: strategy.objective,
        Strategy: strategy,
        Activity: activity,
        Goal: goal,
        GoalMeasurement: GoalMeasurement.objects.create(
            goal=goal, value=3, measured_on=datetime.date(2007, 6, 30), source="Encuesta"
        ),
        Instrument: instrument,
        Funding: funding,
        Actor: Actor.objects.get(name="CORFO"),
        Involvement: Involvement.objects.get(strategy=strategy),
        ProgressUpdate: ProgressUpdate.objects.create(
            activity=activity,
            author=staff,
            effective_on=datetime.date(2006, 10, 2),
            old_status="pending",
            new_status="in_progress",
            old_progress=0,
            new_progress=30,
            note="Primera reunión con la mesa",
        ),
        ImportRun: ImportRun.objects.create(
            user=admin_user,
            kind="progress",
            cluster=cluster,
            file_name="avances.xlsx",
            file_sha256="0" * 64,
            updated=1,
            outcome=ImportRun.Outcome.APPLIED,
            started_at=timezone.now(),
            finished_at=timezone.now(),
        ),
        apps.get_model("auth.User"): admin_user,
        Group: Group.objects.create(name="lectores"),
        AccessAttempt: AccessAttempt.objects.create(
            get_data="", post_data="", failures_since_start=1, **sign_in
        ),
        AccessLog: AccessLog.objects.create(**sign_in),
        AccessFailureLog: AccessFailureLog.objects.create(**sign_in),
    }


def unchanged_post_data(response):
    """What the change form in `response` posts when saved as it was shown."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            widget = form.fields[name].widget
            if isinstance(widget, MultiWidget):  # e.g. a date and a time for a datetime
                for suffix, part in zip(
                    widget.widgets_names, widget.decompress(value), strict=True
                ):
                    data[f"{key}{suffix}"] = str(part)
            elif value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data


@pytest.fixture
def superuser():
    return factories.AdminFactory()


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


# Who gets in ---------------------------------------------------------------------------------


def test_every_admin_class_and_inline_puts_admin_only_mixin_first():
    for model in REGISTERED_MODELS:
        model_admin = admin.site.get_model_admin(model)
        assert type(model_admin).__bases__[0] is AdminOnlyMixin, model
        for inline in model_admin.inlines:
            assert inline.__bases__[0] is AdminOnlyMixin, inline
        assert not model_admin.list_editable, f"{model}: list_editable loses updates"


def test_staff_who_is_not_an_admin_is_sent_to_the_admin_sign_in(client):
    cluster = factories.ClusterWithPlanFactory(slug="cer-staff")
    user = factories.StaffFactory(username="coordinador", clusters=[cluster])
    user.is_staff = True
    user.save()
    # Even every Django model permission does not make an admin: the role does.
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    activity = cluster.activities.first()
    for path in (
        "/admin/",
        url(Activity, "changelist"),
        url(Activity, "change", activity.pk),
        url(Activity, "history", activity.pk),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login")), path


def test_member_of_the_admin_group_manages_plan_and_accounts(client):
    user = factories.AdminGroupMemberFactory(username="jefa")
    factories.ClusterWithPlanFactory(slug="cer-grupo")
    client.force_login(user)
    for path in (
        "/admin/",
        url(Activity, "changelist"),
        url(Strategy, "add"),
        url(apps.get_model("auth.User"), "changelist"),
        url(AccessAttempt, "changelist"),
    ):
        assert client.get(path).status_code == 200, path
    # The user picker of the role forms answers them too.
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "clusters", "model_name": "staffassignment", "field_name": "user"},
    )
    assert response.status_code == 200
    assert "jefa" in response.content.decode()


# Every model has usable pages ----------------------------------------------------------------


def test_every_registered_model_has_test_data():
    missing = set(REGISTERED_MODELS) - set(one_of_each(factories.AdminFactory()))
    assert not missing, f"add an object of {missing} to one_of_each()"


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_opens_list_change_add_and_history_pages(admin_client, superuser, label):
    model = apps.get_model(label)
    obj = one_of_each(superuser)[model]
    model_admin = admin.site.get_model_admin(model)

    assert admin_client.get(url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(url(model, "changelist"), {"q": "a"}).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    expected_add = 403 if model in NOT_ADDABLE else 200
    assert admin_client.get(url(model, "add")).status_code == expected_add
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("label", REGISTERED)
def test_change_page_saves_as_shown(admin_client, superuser, label):
    model = apps.get_model(label)
    obj = one_of_each(superuser)[model]
    page = admin_client.get(url(model, "change", obj.pk))
    response = admin_client.post(url(model, "change", obj.pk), unchanged_post_data(page))
    if model in READ_ONLY:
        assert response.status_code == 403
    else:
        errors = response.context and response.context.get("errors")
        assert response.status_code == 302, errors


def test_bulk_delete_is_not_offered_on_plan_structure_or_history(superuser):
    for model in [*PLAN_STRUCTURE, ProgressUpdate, ImportRun]:
        actions = admin.site.get_model_admin(model).get_actions(request_by(superuser))
        assert "delete_selected" not in actions, model


# Strategies and activities -------------------------------------------------------------------


def test_strategy_page_shows_the_verbatim_period_beside_its_dates(admin_client, superuser):
    strategy = one_of_each(superuser)[Strategy]
    content = admin_client.get(url(Strategy, "change", strategy.pk)).content.decode()
    assert f'value="{PERIOD_TEXT}"' in content
    assert 'value="01/09/2006"' in content
    assert 'value="31/12/2006"' in content
    assert "El informe numera su única actividad «1.2»." in content


def test_activity_page_shows_the_strategy_period_read_only(admin_client, superuser):
    activity = one_of_each(superuser)[Activity]
    content = admin_client.get(url(Activity, "change", activity.pk)).content.decode()
    assert f"«{PERIOD_TEXT}» (01/09/2006 – 31/12/2006)" in content
    assert 'name="status"' not in content
    assert 'name="progress"' not in content


def test_new_strategy_reads_its_dates_and_cluster_and_its_activities_follow(admin_client):
    cluster = factories.ClusterFactory(slug="cer-nueva")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="Crecer")
    data = {
        "objective": objective.pk,
        "number": 7,
        "title": "Misiones comerciales",
        "committed_period_text": "Desde el año 2008 en adelante",
        "activities-TOTAL_FORMS": 1,
        "activities-INITIAL_FORMS": 0,
        "activities-0-code": "7.1",
        "activities-0-position": 1,
        "activities-0-title": "Misión a Perú",
    }
    for prefix in ("goals", "funding", "involvements"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = admin_client.post(url(Strategy, "add"), data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    strategy = Strategy.objects.get(number=7)
    assert strategy.cluster == cluster
    assert (strategy.committed_start, strategy.committed_end) == (datetime.date(2008, 1, 1), None)
    activity = strategy.activities.get()
    assert activity.cluster == cluster
    assert (activity.planned_start, activity.planned_end) == (datetime.date(2008, 1, 1), None)


def test_unreadable_period_text_without_dates_is_refused_naming_the_text(admin_client):
    cluster = factories.ClusterFactory(slug="cer-errata")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="Crecer")
    data = {
        "objective": objective.pk,
        "number": 3,
        "title": "Certificación",
        "committed_period_text": "2009-1011",
    }
    for prefix in ("activities", "goals", "funding", "involvements"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = admin_client.post(url(Strategy, "add"), data)

    assert response.status_code == 200
    assert "2009-1011" in str(response.context["errors"])
    assert not Strategy.objects.filter(number=3).exists()


def test_duplicate_activity_code_in_a_cer_is_a_message_not_a_server_error(admin_client, superuser):
    activity = one_of_each(superuser)[Activity]
    page = admin_client.get(url(Strategy, "change", activity.strategy_id))
    data = unchanged_post_data(page) | {
        "activities-TOTAL_FORMS": "2",
        "activities-1-code": activity.code,
        "activities-1-position": "2",
        "activities-1-title": "Otra con el mismo código",
    }

    response = admin_client.post(url(Strategy, "change", activity.strategy_id), data)

    assert response.status_code == 200
    assert Activity.objects.filter(code=activity.code).count() == 1


def test_activity_progress_fields_are_not_changed_by_the_admin(admin_client, superuser):
    activity = one_of_each(superuser)[Activity]
    page = admin_client.get(url(Activity, "change", activity.pk))
    data = unchanged_post_data(page) | {
        "title": "Título corregido",
        "status": "done",
        "progress": "100",
        "revised_end": "2030-01-01",
        "version": "99",
    }

    response = admin_client.post(url(Activity, "change", activity.pk), data)

    assert response.status_code == 302
    activity_after = Activity.objects.get(pk=activity.pk)
    assert activity_after.title == "Título corregido"
    assert (activity_after.status, activity_after.progress) == ("pending", 0)
    assert activity_after.revised_end is None
    assert activity_after.version == activity.version + 1


def test_activity_edit_against_a_stale_page_is_refused(admin_client, superuser):
    activity = one_of_each(superuser)[Activity]
    page = admin_client.get(url(Activity, "change", activity.pk))
    # Meanwhile someone records progress through the portal, which moves the version on.
    activity.status, activity.progress, activity.version = "in_progress", 40, activity.version + 1
    activity.save()

    data = unchanged_post_data(page) | {"title": "Edición tardía"}
    response = admin_client.post(url(Activity, "change", activity.pk), data)

    assert response.status_code == 200
    assert "cambió después de que abrió este formulario" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title != "Edición tardía"
    assert (activity.status, activity.progress) == ("in_progress", 40)


# History -------------------------------------------------------------------------------------


def test_history_shows_changes_to_admins_and_refuses_an_activity_revert(admin_client, superuser):
    activity = one_of_each(superuser)[Activity]
    activity.title = "Título nuevo"
    activity.save()
    old = activity.history.earliest("history_date")

    assert admin_client.get(url(Activity, "history", activity.pk)).status_code == 200
    revert = reverse("admin:actions_activity_simple_history", args=[activity.pk, old.history_id])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {"title": old.title}).status_code == 403
    activity.refresh_from_db()
    assert activity.title == "Título nuevo"


def test_history_pages_are_closed_to_non_admins(client, superuser):
    strategy = one_of_each(superuser)[Strategy]
    record = strategy.history.latest("history_date")
    client.force_login(factories.UserFactory(username="curioso", is_staff=True))
    revert = reverse("admin:actions_strategy_simple_history", args=[strategy.pk, record.history_id])
    for path in (url(Strategy, "history", strategy.pk), revert):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(revert, {"title": "x"}).status_code == 302


# Progress history is append-only -------------------------------------------------------------


def test_progress_update_cannot_be_changed_added_or_deleted(admin_client, superuser):
    update = one_of_each(superuser)[ProgressUpdate]
    change = url(ProgressUpdate, "change", update.pk)

    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="note"' not in page.content.decode()
    assert "Primera reunión con la mesa" in page.content.decode()

    response = admin_client.post(change, {"note": "reescrita", "new_progress": "90"})
    assert response.status_code == 403
    assert (
        admin_client.post(url(ProgressUpdate, "delete", update.pk), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.get(url(ProgressUpdate, "add")).status_code == 403

    update.refresh_from_db()
    assert (update.note, update.new_progress) == ("Primera reunión con la mesa", 30)


# Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_activity_changelist_query_count_does_not_grow(
    admin_client, django_assert_max_num_queries, size
):
    factories.ClusterWithPlanFactory(
        slug="cer-grande", plan__strategies=size, plan__activities_per_strategy=1
    )
    with django_assert_max_num_queries(9):
        response = admin_client.get(url(Activity, "changelist"))
    assert response.status_code == 200
    assert f"{size}.1" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_strategy_changelist_query_count_does_not_grow(
    admin_client, django_assert_max_num_queries, size
):
    factories.ClusterWithPlanFactory(
        slug="cer-grande", plan__strategies=size, plan__activities_per_strategy=1
    )
    with django_assert_max_num_queries(10):
        response = admin_client.get(url(Strategy, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_strategy_page_query_count_does_not_grow_with_its_rows(
    admin_client, django_assert_max_num_queries, size
):
    cluster = factories.ClusterWithPlanFactory(slug="cer-filas", plan__activities_per_strategy=size)
    strategy = cluster.strategies.get()
    instrument = Instrument.objects.create(name="PDP")
    for position in range(2, size + 1):
        Goal.objects.create(strategy=strategy, position=position, text=f"Meta {position}")
        funding = Funding.objects.create(
            strategy=strategy, kind="private", position=position, text=f"Aporte {position}"
        )
        funding.instruments.add(instrument)
        Involvement.objects.create(
            strategy=strategy,
            actor=Actor.objects.create(name=f"Actor {position}"),
            role="involved",
            position=position,
        )
    with django_assert_max_num_queries(18):
        response = admin_client.get(url(Strategy, "change", strategy.pk))
    assert response.status_code == 200


# The admin's writes go through the services ---------------------------------------------------


def test_a_measurement_dated_in_the_future_is_refused_in_the_admin_as_in_the_portal(
    admin_client, superuser
):
    goal = one_of_each(superuser)[Goal]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    before = GoalMeasurement.objects.count()

    response = admin_client.post(
        url(GoalMeasurement, "add"),
        {"goal": goal.pk, "value": "4", "measured_on": tomorrow.isoformat(), "source": "Encuesta"},
    )

    assert response.status_code == 200
    assert "La fecha de medición no puede ser futura." in response.content.decode()
    assert GoalMeasurement.objects.count() == before


def test_a_measurement_added_in_a_goal_page_follows_the_same_rule(admin_client, superuser):
    goal = one_of_each(superuser)[Goal]
    page = admin_client.get(url(Goal, "change", goal.pk))
    data = unchanged_post_data(page)
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is GoalMeasurement
    )
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data |= {
        f"{prefix}-TOTAL_FORMS": str(total + 1),
        f"{prefix}-{total}-measured_on": tomorrow.isoformat(),
        f"{prefix}-{total}-value": "5",
        f"{prefix}-{total}-source": "Encuesta",
    }
    before = GoalMeasurement.objects.count()

    refused = admin_client.post(url(Goal, "change", goal.pk), data)
    assert refused.status_code == 200
    assert "La fecha de medición no puede ser futura." in refused.content.decode()
    assert GoalMeasurement.objects.count() == before

    data[f"{prefix}-{total}-measured_on"] = "2008-03-31"
    saved = admin_client.post(url(Goal, "change", goal.pk), data)
    assert saved.status_code == 302
    added = GoalMeasurement.objects.get(goal=goal, measured_on=datetime.date(2008, 3, 31))
    assert added.recorded_by == superuser


def test_an_admin_edit_is_recorded_in_the_history_with_the_admin_and_a_reason(
    admin_client, superuser
):
    strategy = one_of_each(superuser)[Strategy]
    page = admin_client.get(url(Strategy, "change", strategy.pk))

    response = admin_client.post(
        url(Strategy, "change", strategy.pk), unchanged_post_data(page) | {"title": "Otra"}
    )

    assert response.status_code == 302
    record = strategy.history.latest("history_date")
    assert (record.title, record.history_user) == ("Otra", superuser)
    assert record.history_change_reason == "editado en la administración"


def test_an_admin_deletion_is_recorded_in_the_history_with_the_admin(admin_client, superuser):
    involvement = one_of_each(superuser)[Involvement]

    response = admin_client.post(url(Involvement, "delete", involvement.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Involvement.objects.filter(pk=involvement.pk).exists()
    record = Involvement.history.filter(id=involvement.pk).latest("history_date")
    assert (record.history_type, record.history_user) == ("-", superuser)
    assert record.history_change_reason == "borrado en la administración"


def test_an_activity_row_of_a_strategy_page_read_before_a_progress_save_is_refused(
    admin_client, superuser
):
    activity = one_of_each(superuser)[Activity]
    page = admin_client.get(url(Strategy, "change", activity.strategy_id))
    activity.status, activity.progress, activity.version = "in_progress", 40, activity.version + 1
    activity.save()
    data = unchanged_post_data(page)
    key = next(name for name, value in data.items() if value == activity.title)
    data[key] = "Edición tardía"

    response = admin_client.post(url(Strategy, "change", activity.strategy_id), data)

    assert response.status_code == 200
    assert "cambió después de que abrió este formulario" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title != "Edición tardía"
