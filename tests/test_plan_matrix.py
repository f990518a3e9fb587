"""The plan matrix (Tables 3 and 5 side by side): everything of the CER and nothing of another,
its filters kept in the URL, the errata notes, and no edit controls for owners."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Activity, Actor, Funding, Instrument, Involvement, Objective, Strategy
from clusters.models import Cluster
from tests import factories

D = datetime.date


def activity_items(html):
    return len(re.findall(r'<li id="activity-\d+" class="plan-activity[ "]', html))


def shown_codes(html):
    """Activity codes listed in the matrix, in order."""
    return re.findall(r'class="activity-code">([^<]+)</a>', html)


def test_the_matrix_lists_every_activity_of_the_cer_and_nothing_of_another(client, plan_2006):
    metal = Cluster.objects.get(slug="metalmecanica")
    other = Cluster.objects.get(slug="consultoria-ingenieria")
    client.force_login(factories.StaffFactory(username="coordinador", clusters=[metal, other]))
    html = client.get("/clusters/metalmecanica/plan/").content.decode()
    activities = Activity.objects.filter(cluster=metal)
    assert activities.count() == 48
    assert activity_items(html) == 48
    for activity in activities:
        assert f'id="activity-{activity.pk}"' in html
        assert f'href="/activities/{activity.pk}/"' in html
    for activity in Activity.objects.filter(cluster=other):
        assert f'id="activity-{activity.pk}"' not in html
        assert f'href="/activities/{activity.pk}/"' not in html
    for strategy in Strategy.objects.filter(cluster=metal):
        assert f'id="strategy-{strategy.number}"' in html
    for objective in Objective.objects.filter(cluster=metal):
        assert f'id="objective-{objective.numeral}"' in html
    # Tables 3 and 5 side by side: the report's columns.
    for column in (
        "Objetivo",
        "Estrategia",
        "Actividades",
        "Metas",
        "Recursos públicos",
        "Recursos privados",
        "Actores involucrados",
        "Responsable",
        "Plazo comprometido",
    ):
        assert f'<th scope="col">{column}</th>' in html
    # The committed period verbatim and as dates; open-ended ones "en adelante".
    assert "II SEMESTRE DEL 2006 (septiembre a diciembre )" in html
    assert "01-09-2006 – 31-12-2006" in html
    assert "Desde el año 2008 en adelante" in html
    # Errata are shown as marked notes, the source's text kept.
    assert html.count("Nota de corrección") >= 5
    assert "Clurter Minero" in html

    other_html = client.get("/clusters/consultoria-ingenieria/plan/").content.decode()
    assert activity_items(other_html) == 34


@pytest.fixture
def plan(db):
    """Two strategies with distinct actors, instruments, periods and statuses; another CER."""
    cluster = factories.ClusterFactory(slug="cer-matriz")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="Uno")
    early = Strategy.objects.create(
        cluster=cluster,
        objective=objective,
        number=1,
        title="Temprana",
        committed_period_text="2007- 2009 (3 AÑOS)",
        committed_start=D(2007, 1, 1),
        committed_end=D(2009, 12, 31),
        correction_note="El informe escribe «Clurter»; se conserva.",
    )
    late = Strategy.objects.create(
        cluster=cluster,
        objective=objective,
        number=2,
        title="Tardía",
        committed_period_text="Desde el año 2010 en adelante",
        committed_start=D(2010, 1, 1),
        committed_end=None,
    )
    afr, corfo, only_involved = (
        Actor.objects.create(name=name) for name in ("Director AFR", "CORFO", "AIA")
    )
    Involvement.objects.create(strategy=early, actor=afr, role="responsible", position=1)
    Involvement.objects.create(strategy=late, actor=corfo, role="responsible", position=1)
    Involvement.objects.create(strategy=late, actor=only_involved, role="involved", position=1)
    profo, fc, _unused = (Instrument.objects.create(name=n) for n in ("PROFO", "FC", "FNDR"))
    line = Funding.objects.create(strategy=early, kind="public", position=1, text="PROFO o FC")
    line.instruments.add(profo, fc)
    Funding.objects.create(strategy=late, kind="private", position=1, text="50% del costo")
    codes = {}
    for strategy, code, status, progress, start, end in (
        (early, "1.1", "done", 100, D(2007, 1, 1), D(2008, 12, 31)),
        (early, "1.2", "pending", 0, D(2007, 1, 1), D(2009, 12, 31)),
        (late, "2.1", "in_progress", 40, D(2010, 1, 1), None),
        (late, "2.2", "pending", 0, D(2010, 1, 1), timezone.localdate() + datetime.timedelta(10)),
    ):
        codes[code] = Activity.objects.create(
            cluster=cluster,
            strategy=strategy,
            code=code,
            position=int(code[-1]),
            title=f"Actividad {code}",
            planned_start=start,
            planned_end=end,
            status=status,
            progress=progress,
            completed_on=D(2008, 11, 30) if status == "done" else None,
        )
    other = factories.ClusterWithPlanFactory(slug="cer-ajena")  # its responsible, CORFO, is shared
    other_only = Actor.objects.create(name="Solo de la otra")
    Involvement.objects.create(
        strategy=Strategy.objects.get(cluster=other),
        actor=other_only,
        role="responsible",
        position=2,
    )
    line = Funding.objects.get(strategy__cluster=other)
    line.instruments.add(Instrument.objects.create(name="Ajeno"))
    return cluster


@pytest.fixture
def staff(client, plan):
    client.force_login(factories.StaffFactory(username="matriz", clusters=[plan]))
    return client


def get(client, **params):
    return client.get("/clusters/cer-matriz/plan/", params)


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({}, ["1.1", "1.2", "2.1", "2.2"]),
        ({"status": "pending"}, ["1.2", "2.2"]),
        ({"status": "done"}, ["1.1"]),
        ({"overdue": "1"}, ["1.2"]),
        ({"due_soon": "1"}, ["2.2"]),
        ({"year": "2009"}, ["1.2"]),
        ({"year": "2008"}, ["1.1", "1.2"]),
        ({"year": "2030"}, ["2.1"]),  # open-ended: planned every year from its start
        ({"status": "pending", "year": "2009"}, ["1.2"]),
    ],
)
def test_activity_filters(staff, params, codes):
    response = get(staff, **params)
    assert response.status_code == 200
    assert shown_codes(response.content.decode()) == codes


def test_responsible_actor_and_instrument_filters(staff):
    afr = Actor.objects.get(name="Director AFR")
    corfo = Actor.objects.get(name="CORFO")
    assert shown_codes(get(staff, actor=afr.pk).content.decode()) == ["1.1", "1.2"]
    assert shown_codes(get(staff, actor=corfo.pk).content.decode()) == ["2.1", "2.2"]
    fc = Instrument.objects.get(name="FC")
    assert shown_codes(get(staff, instrument=fc.pk).content.decode()) == ["1.1", "1.2"]
    both = get(staff, instrument=fc.pk, status="pending").content.decode()
    assert shown_codes(both) == ["1.2"]
    assert "1 actividad en 1 de 2 estrategias" in both


def test_filter_choices_list_only_what_this_cer_has(staff):
    form = get(staff).context["form"]
    assert [name for _pk, name in form.fields["actor"].choices[1:]] == ["CORFO", "Director AFR"]
    assert [name for _pk, name in form.fields["instrument"].choices[1:]] == ["FC", "PROFO"]
    years = [year for year, _label in form.fields["year"].widget.choices[1:]]
    assert years[0] == 2007 and years[-1] == timezone.localdate().year


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "terminada"}, "Estado"),
        ({"actor": "999999"}, "Responsable"),
        ({"instrument": "abc"}, "Instrumento"),
        ({"year": "dos mil"}, "Año"),
    ],
)
def test_an_unknown_filter_value_is_ignored_and_named(staff, params, named):
    html = get(staff, **params).content.decode()
    assert "Se ignoró un filtro" in html and named in html
    assert shown_codes(html) == ["1.1", "1.2", "2.1", "2.2"]


def test_a_filter_of_another_cers_actor_is_refused(staff):
    other_only = Actor.objects.get(name="Solo de la otra")
    html = get(staff, actor=other_only.pk).content.decode()
    assert "Se ignoró un filtro" in html
    assert "Solo de la otra" not in html


def test_filters_are_kept_when_the_date_changes_and_the_date_when_filtering(staff):
    html = get(staff, status="pending", year="2009", as_of="2009-06-30").content.decode()
    # The date form carries the filters…
    assert '<input type="hidden" name="status" value="pending">' in html
    assert '<input type="hidden" name="year" value="2009">' in html
    # …and the filter form carries the date.
    assert '<input type="hidden" name="as_of" value="2009-06-30">' in html
    assert "Mostrando el plan al 30-06-2009" in html
    # Removing one filter keeps the others and the date.
    assert 'href="?year=2009&amp;as_of=2009-06-30"' in html


def test_the_status_filter_uses_the_status_as_it_stood(staff, plan):
    staff_user = factories.StaffFactory(username="historia", clusters=[plan])
    from actions.progress import services

    activity = Activity.objects.get(cluster=plan, code="1.2")
    services.record_progress(
        activity_id=activity.pk,
        acting_user=staff_user,
        expected_version=activity.version,
        status="in_progress",
        progress=30,
        effective_on=D(2009, 3, 1),
    )
    assert shown_codes(get(staff, status="in_progress").content.decode()) == ["1.2", "2.1"]
    before = get(staff, status="in_progress", as_of="2009-02-01").content.decode()
    assert shown_codes(before) == ["2.1"]
    html = get(staff, as_of="2009-02-01").content.decode()
    assert "◐</span> en curso · 30 %" not in html


def test_an_empty_result_says_so(staff):
    html = get(staff, status="blocked").content.decode()
    assert "Ninguna actividad cumple estos filtros." in html


def test_staff_see_edit_links_and_owners_do_not(client, staff, plan):
    activity = Activity.objects.get(cluster=plan, code="1.2")
    assert f'href="/activities/{activity.pk}/update/?next=' in get(staff).content.decode()
    client.force_login(factories.OwnerFactory(username="duena", company__cluster=plan))
    html = get(client).content.decode()
    assert "/update/" not in html and "/revise/" not in html
    assert "Registrar avance" not in html
    assert f'href="/activities/{activity.pk}/"' in html


def test_the_matrix_marks_status_with_symbols_and_errata_with_notes(staff):
    html = get(staff).content.decode()
    assert "✓</span> completada" in html
    assert "◐</span> en curso · 40 %" in html
    assert "atrasada" in html  # 1.2 ended in 2009
    assert "Nota de corrección" in html and "El informe escribe «Clurter»" in html
    assert "completada el 30-11-2008" in html
    assert "Desde el año 2010 en adelante" in html and "en adelante" in html


def test_the_page_is_printable(staff):
    html = get(staff).content.decode()
    assert 'href="/static/css/print.css" media="print"' in html
    assert 'class="print-only print-meta"' in html
    assert "Generado el" in html
