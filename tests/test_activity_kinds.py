# ruff: noqa: E501
# The report's sentences stay on one line each, as in fixtures/plan_2006_source.py.
"""Activity kinds (issue 13): derived once from the report's words, stored, editable, a filter
on the plan, and «Mi trabajo» by kind for an owner who follows the missions and fairs."""

import pytest

from actions.models import Activity
from actions.plan.kinds import kind_of
from clusters.models import Cluster
from tests import factories
from tests.helpers import post_data_of


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # Sentences of the 2006 report, as written.
        (
            "Participación en ferias nacionales relacionadas con la minería desde el año 2012 en adelante",
            "fair",
        ),
        (
            "Organizar, coordinar y formular por lo menos una misión tecnológica anual durante el periodo 2007-2009",
            "mission",
        ),
        (
            "Difundir y Promover cada año la misión tecnológica entre los empresarios del Cer,",
            "dissemination",
        ),
        (
            "Promover la realización de seminarios, charlas técnicas, cursos de capacitación",
            "seminar",
        ),
        ("implementar programa de capacitación anual, con financiamiento SENCE", "training"),
        ("Realizar consultoría (Nº1) orientada a empadronar las empresas del CER", "study"),
        (
            "Postulación al instrumento innova Chile, para co financiar la puesta en marcha de planta piloto",
            "application",
        ),
        (
            "Formular e implementar un plan de difusión anual del instrumento fomento de calidad",
            "dissemination",
        ),
        (
            "Implementación y certificación de normas internacionales de calidad y medio ambiente",
            "certification",
        ),
        ("puesta en marcha de la inversión en II Semestre del año 2012", "investment"),
        (
            "Desarrollar una estrategia comercial para penetrar el mercado interno de interés (2011).",
            "commercial",
        ),
        (
            "Contratar alumnos en práctica o memoristas de las carreras de Ingeniería Mecánica",
            "hiring",
        ),
        (
            "Establecer en el plan de acción del CER que cualquier proyecto, asesoría, consultoría, misión",
            "management",
        ),
        (
            "Lograr en el sector la formación de una asociación gremial en el sector en el año 2010.",
            "management",
        ),
    ],
)
def test_the_kind_follows_the_reports_words(sentence, kind):
    assert kind_of(sentence) == kind


def test_the_2006_plan_carries_a_kind_for_every_activity(plan_2006):
    fair = Activity.objects.get(cluster__slug="metalmecanica", code="13.1")
    assert fair.kind == "fair" and fair.get_kind_display() == "feria"
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {"fair", "mission", "seminar", "study", "application", "dissemination"} <= kinds


def test_the_plan_filters_by_kind(client, plan_2006):
    client.force_login(factories.AdminFactory())
    html = client.get("/clusters/metalmecanica/plan/?kind=fair").content.decode()
    assert "Participación en ferias nacionales" in html
    assert "Realizar consultoría (Nº1)" not in html
    assert 'option value="fair" selected' in html


def test_an_owner_follows_whats_coming_by_kind(client, plan_2006):
    owner = factories.OwnerFactory(company__cluster=Cluster.objects.get(slug="metalmecanica"))
    client.force_login(owner)
    html = client.get("/my-work/?kind=fair").content.decode()
    assert "13.1 Participación en ferias nacionales" in html
    assert "4.1 Realizar consultoría" not in html
    assert "/update/" not in html


def test_the_admin_corrects_a_kind(client, plan_2006):
    client.force_login(factories.AdminFactory())
    activity = Activity.objects.get(cluster__slug="metalmecanica", code="13.1")
    url = f"/admin/actions/activity/{activity.pk}/change/"
    data = post_data_of(client.get(url))
    assert data["kind"] == "fair"
    data["kind"] = "commercial"
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.get_kind_display() == "comercial o exportación"
    assert "Comercial o exportación" in client.get(f"/activities/{activity.pk}/").content.decode()
