# ruff: noqa: E501
"""What the report gives, shown where people look (issue 12): Tables 1-2, each CER's key
obstacles and potential measures with their correction notes, on a printable page every reader
of the CER sees and in the plan workbook (item 2); every goal's due date (item 5)."""

import io

import pytest
from django.utils.html import escape
from openpyxl import load_workbook

from clusters.models import Cluster, Measure, Obstacle
from tests import factories


@pytest.fixture
def metal(plan_2006):
    return Cluster.objects.get(slug="metalmecanica")


@pytest.mark.parametrize("role", ["owner", "staff"])
def test_every_reader_sees_the_obstacles_and_measures_as_written(client, metal, role):
    user = (
        factories.OwnerFactory(company__cluster=metal)
        if role == "owner"
        else factories.StaffFactory(clusters=[metal])
    )
    client.force_login(user)
    html = client.get("/clusters/metalmecanica/obstacles/").content.decode()
    for obstacle in Obstacle.objects.filter(cluster=metal):
        assert obstacle.title in html
    for measure in Measure.objects.filter(obstacle__cluster=metal):
        assert measure.text in html
    noted = Measure.objects.filter(obstacle__cluster=metal).exclude(correction_note="").first()
    assert noted.correction_note in html
    assert (
        'href="/clusters/metalmecanica/obstacles/"'
        in client.get("/clusters/metalmecanica/").content.decode()
    )


def test_another_cers_obstacles_are_not_found(client, metal):
    other = factories.ClusterFactory(slug="otro")
    client.force_login(factories.StaffFactory(clusters=[other]))
    assert client.get("/clusters/metalmecanica/obstacles/").status_code == 404


def test_the_workbook_has_the_obstacles_sheet(client, metal):
    client.force_login(factories.OwnerFactory(company__cluster=metal))
    content = client.get("/clusters/metalmecanica/export/plan.xlsx").content
    sheet = load_workbook(io.BytesIO(content))["Obstáculos"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    obstacles = list(Obstacle.objects.filter(cluster=metal).order_by("position"))
    assert [row[1] for row in rows] == [f"{o.position}. {o.title}" for o in obstacles]
    first_measures = [m.text for m in obstacles[0].measures.order_by("position")]
    assert rows[0][2] == "\n".join(f"• {text}" for text in first_measures)


def test_a_goal_without_a_target_still_shows_its_due_date(client, metal):
    """Issue 12, item 5: every parsed due date is shown, with or without a target value."""
    from actions.models import Goal

    goal = Goal.objects.filter(
        strategy__cluster=metal, target_value__isnull=True, due__isnull=False
    ).first()
    client.force_login(factories.StaffFactory(clusters=[metal]))
    html = client.get("/clusters/metalmecanica/plan/").content.decode()
    shown = html[html.index(escape(goal.text)) :]
    assert f"Plazo: {goal.due:%d-%m-%Y}" in shown[: shown.index("</li>")]


# Actors: one organisation, its spellings (item 3) ---------------------------------------------


def test_the_reports_spellings_of_one_organisation_point_to_it(plan_2006):
    from actions.models import Actor

    for spelling in ("PROCHILE", "Pro Chile", "PRO CHILE"):
        assert Actor.objects.get(name=spelling).organisation.name == "ProChile"
    assert Actor.objects.get(name="Director PRO CHILE").organisation.name == "Director ProChile"
    assert Actor.objects.get(name="Universidades").organisation is None


def test_the_responsible_filter_lists_an_organisation_once_and_finds_every_spelling(
    client, plan_2006
):
    from actions.models import Actor

    call_plan = "/clusters/consultoria-ingenieria/plan/"
    client.force_login(factories.AdminFactory())
    html = client.get(call_plan).content.decode()
    select = html[html.index('name="actor"') :]
    select = select[: select.index("</select>")]
    director = Actor.objects.get(name="Director ProChile")
    assert select.count(f'<option value="{director.pk}"') == 1
    for spelling in ("Director Pro Chile", "Director PRO CHILE"):
        assert f'<option value="{Actor.objects.get(name=spelling).pk}"' not in select
    filtered = client.get(call_plan, {"actor": director.pk}).content.decode()
    # Strategy 8 names «Director PRO CHILE», the others «Director Pro Chile»: both are found,
    # each quoted as the report writes it.
    for number in (1, 5, 6, 8, 9, 10):
        assert f'id="strategy-{number}"' in filtered, number
    assert 'id="strategy-2"' not in filtered
    assert "Director PRO CHILE" in filtered and "Director Pro Chile" in filtered


def test_a_spelling_cannot_point_to_another_spelling(plan_2006):
    from django.core.exceptions import ValidationError

    from actions.models import Actor

    spelling = Actor.objects.get(name="Pro Chile")
    spelling.organisation = Actor.objects.get(name="PROCHILE")
    with pytest.raises(ValidationError, match="otra forma de escribir"):
        spelling.full_clean()


# Funding: each private share linked to what it co-finances (item 4) ---------------------------


@pytest.mark.parametrize(
    ("slug", "number", "text", "instruments"),
    [
        ("metalmecanica", 6, "30% Costo Proyecto asociativo", {"PDP"}),
        ("metalmecanica", 8, "30% Costo Proyecto asociativo", {"PROFO", "PDP"}),
        ("metalmecanica", 11, "30% Costo Proyecto asociativo", {"PROFO", "PDP"}),
        ("consultoria-ingenieria", 7, "30% Costo Proyecto asociativo", {"PROFO"}),
        ("metalmecanica", 5, "30% costo NCH 2909", {"FC (Fomento de la Calidad)"}),
        ("consultoria-ingenieria", 3, "30% costo NCH 2909", {"FC (Fomento de la Calidad)"}),
    ],
)
def test_a_private_share_is_linked_to_the_instrument_it_cofinances(
    plan_2006, slug, number, text, instruments
):
    from actions.models import Funding

    line = Funding.objects.get(
        strategy__cluster__slug=slug, strategy__number=number, text=text, kind="private"
    )
    assert set(line.instruments.values_list("name", flat=True)) == instruments
    # The report leaves it implicit: a note says so, and which public line it follows.
    assert "El informe no nombra el instrumento" in line.correction_note


# Oddities of the report, each with a note (item 6) --------------------------------------------


@pytest.mark.parametrize(
    ("model", "lookup", "words"),
    [
        (
            "goal",
            {"strategy__cluster__slug": "consultoria-ingenieria", "strategy__number": 7},
            "Marzo a Diciembre del 2007",
        ),
        (
            "activity",
            {"cluster__slug": "consultoria-ingenieria", "code": "8.3"},
            "«e envío de archivos»",
        ),
        ("objective", {"cluster__slug": "metalmecanica", "numeral": "II"}, "(2007 a 2009)"),
        (
            "goal",
            {
                "strategy__cluster__slug": "metalmecanica",
                "strategy__number": 5,
                "text__contains": "ambos estudios",
            },
            "un solo estudio",
        ),
    ],
)
def test_each_oddity_of_the_report_has_a_note(plan_2006, model, lookup, words):
    from django.apps import apps

    item = apps.get_model("actions", model).objects.get(**lookup)
    assert words in item.correction_note


# Each activity's own date (item 1, the dates its own sentence gives) --------------------------


def test_an_activity_dated_by_its_sentence_shows_the_phrase_and_falls_due_on_it(client, metal):
    from actions.models import Activity

    first_half = Activity.objects.get(cluster=metal, code="12.1")
    client.force_login(factories.StaffFactory(clusters=[metal]))
    page = client.get(f"/activities/{first_half.pk}/").content.decode()
    assert "«(I semestre del 2012)»" in page and "30-06-2012" in page
    # In August 2012 the first half's work is late; the second half's is not yet.
    late = client.get(
        "/clusters/metalmecanica/plan/", {"as_of": "2012-08-01", "overdue": "1"}
    ).content.decode()
    assert f'href="/activities/{first_half.pk}/"' in late
    second_half = Activity.objects.get(cluster=metal, code="12.2")
    assert f'href="/activities/{second_half.pk}/"' not in late
