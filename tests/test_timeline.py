"""The timeline: every strategy and activity on a time axis, planned vs revised vs done, a line
for the as-of date, open-ended periods drawn as ongoing."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Activity, Objective, Strategy
from actions.progress import services
from actions.reporting import plans
from actions.reporting.timeline import COMPACT, WIDE, timeline_chart
from tests import factories

D = datetime.date


@pytest.fixture
def cluster(db):
    cluster = factories.ClusterFactory(slug="cer-tiempo")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="Uno")
    closed = Strategy.objects.create(
        cluster=cluster,
        objective=objective,
        number=1,
        title="Con plazo",
        committed_period_text="2007-2009",
        committed_start=D(2007, 1, 1),
        committed_end=D(2009, 12, 31),
    )
    ongoing = Strategy.objects.create(
        cluster=cluster,
        objective=objective,
        number=2,
        title="Permanente",
        committed_period_text="Desde el año 2008 en adelante",
        committed_start=D(2008, 1, 1),
    )
    for strategy, code, end in (
        (closed, "1.1", D(2008, 12, 31)),
        (closed, "1.2", D(2009, 12, 31)),
        (ongoing, "2.1", None),
    ):
        Activity.objects.create(
            cluster=cluster,
            strategy=strategy,
            code=code,
            position=int(code[-1]),
            title=f"Actividad {code}",
            planned_start=strategy.committed_start,
            planned_end=end,
        )
    staff = factories.StaffFactory(username="cronista", clusters=[cluster])
    one = Activity.objects.get(cluster=cluster, code="1.1")
    services.record_progress(
        activity_id=one.pk,
        acting_user=staff,
        expected_version=one.version,
        status="done",
        progress=100,
        effective_on=D(2008, 10, 15),
    )
    two = Activity.objects.get(cluster=cluster, code="1.2")
    services.revise_deadline(
        activity_id=two.pk,
        acting_user=staff,
        expected_version=two.version,
        new_end=D(2011, 6, 30),
        reason="El fondo se adjudicó un año tarde.",
        effective_on=D(2009, 11, 1),
    )
    factories.ClusterWithPlanFactory(slug="cer-fuera")
    return cluster


@pytest.fixture
def staff(client, cluster):
    client.force_login(factories.StaffFactory(username="lectora", clusters=[cluster]))
    return client


def rows(cluster, as_of=None, layout="wide"):
    chart = timeline_chart(
        plans.timeline_strategies(cluster, as_of), cluster, as_of, timezone.localdate(), layout
    )
    return chart, {row.label.split(" ")[0]: row for row in chart["rows"]}


def test_every_strategy_and_activity_has_a_row_and_a_link(staff, cluster):
    html = staff.get("/clusters/cer-tiempo/timeline/").content.decode()
    assert html.count("<svg") >= 2  # a wide and a compact (phone) drawing
    for activity in Activity.objects.filter(cluster=cluster):
        assert f'href="/activities/{activity.pk}/"' in html
    for number in (1, 2):
        assert f'href="/clusters/cer-tiempo/plan/#strategy-{number}"' in html
    for activity in Activity.objects.filter(cluster__slug="cer-fuera"):
        assert f'href="/activities/{activity.pk}/"' not in html
    assert f"Hoy {timezone.localdate():%d-%m-%Y}" in html


def test_planned_revised_done_and_open_ended(cluster):
    chart, by_code = rows(cluster)
    # The axis runs from the first start to a year past today, as 2.1 is open-ended.
    years = [int(y["label"]) for y in chart["years"] if y["label"]]
    assert years[0] == 2007 and years[-1] == timezone.localdate().year + 1
    done, revised, ongoing = by_code["1.1"], by_code["1.2"], by_code["2.1"]
    assert done.done_x and done.status == "done" and "completada" in done.status_text
    assert [bar.css for bar in revised.bars] == ["tl-planned tl-pending", "tl-revised"]
    assert revised.revised_label == "rev. 06-2011"
    assert revised.overdue and "⚠" in revised.status_text
    assert ongoing.arrow and not ongoing.overdue
    assert by_code["2."].arrow  # the strategy's committed period is open-ended too
    assert "en adelante" in by_code["2."].status_text
    # Bars sit on the axis: the revised extension starts where the planned bar ends.
    planned, extension = revised.bars
    assert float(planned.x) + float(planned.width) == pytest.approx(float(extension.x), abs=0.1)


def test_as_of_shows_the_plan_as_it_stood(staff, cluster):
    chart, by_code = rows(cluster, D(2009, 6, 30))
    # Before the revision (2009-11-01) and after 1.1 was done (2008-10-15).
    assert [bar.css for bar in by_code["1.2"].bars] == ["tl-planned tl-pending"]
    assert by_code["1.1"].done_x
    assert not by_code["1.2"].overdue
    assert chart["as_of_label"] == "Al 30-06-2009"
    chart, by_code = rows(cluster, D(2008, 6, 30))
    assert not by_code["1.1"].done_x and by_code["1.1"].status == "pending"
    html = staff.get("/clusters/cer-tiempo/timeline/?as_of=2009-06-30").content.decode()
    assert "Mostrando el plan al 30-06-2009" in html and "Al 30-06-2009" in html


def test_the_as_of_line_lies_on_the_axis(cluster):
    for layout in ("wide", "compact"):
        chart, _ = rows(cluster, D(2009, 7, 2), layout)
        first_year = int(chart["years"][0]["label"])
        x_2009 = float(chart["years"][2009 - first_year]["x"])
        geometry = WIDE if layout == "wide" else COMPACT
        year = geometry.chart_width / len(chart["years"])
        assert float(chart["as_of_x"]) == pytest.approx(x_2009 + year / 2, abs=year * 0.05)


@pytest.mark.parametrize("language", ["es", "en"])
def test_svg_numbers_are_never_localised(staff, cluster, language):
    """Spanish writes 12,5; an SVG attribute must say 12.5 (the browser rejects the comma)."""
    staff.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = staff.get("/clusters/cer-tiempo/timeline/").content.decode()
    attributes = re.findall(r' (x|y|cx|cy|r|width|height|x1|x2|y1|y2|points)="([^"]*)"', html)
    assert len(attributes) > 100
    for name, value in attributes:
        for number in re.split(r"[ ,]", value) if name == "points" else [value]:
            float(number)


def test_an_activity_has_the_plan_tables_name_with_the_schedules_wording_beside(cluster):
    """One name everywhere (issue 12, item 7): Table 3's; Table 5's wording in the tooltip."""
    Activity.objects.filter(cluster=cluster, code="1.2").update(
        title="Difundir y Promover cada año la misión tecnológica",
        schedule_title="Promover anualmente la misión",
    )
    _chart, by_code = rows(cluster)
    row = by_code["1.2"]
    assert row.label.startswith("1.2 Difundir y Promover")
    assert row.full_label == (
        "1.2 Difundir y Promover cada año la misión tecnológica "
        "(en la matriz de plazos: «Promover anualmente la misión»)"
    )
