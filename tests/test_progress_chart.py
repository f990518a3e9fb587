"""The dashboard's chart of a CER's progress over time (issue 13): each point is the roll-up on
its date, the chart follows ?as_of, and its numbers are in a table for screen readers."""

import datetime
import re

import pytest

from actions.models import Activity
from actions.progress import services
from actions.reporting import plans
from tests import factories

D = datetime.date


@pytest.fixture
def cer(db):
    cluster = factories.ClusterWithPlanFactory(
        slug="cer-curva", plan__strategies=2, plan__start=D(2007, 1, 1), plan__end=D(2012, 12, 31)
    )
    staff = factories.StaffFactory(username="curva", clusters=[cluster])
    for code, progress, day in (("1.1", 50, D(2008, 5, 1)), ("2.1", 100, D(2010, 3, 1))):
        activity = Activity.objects.get(cluster=cluster, code=code)
        services.record_progress(
            activity_id=activity.pk,
            acting_user=staff,
            expected_version=activity.version,
            status="done" if progress == 100 else "in_progress",
            progress=progress,
            effective_on=day,
        )
    return cluster, staff


def chart_rows(html):
    table = html[html.index("Avance del CER por fecha") :]
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', table)


def test_each_point_is_the_rollup_on_its_date(client, cer):
    cluster, staff = cer
    client.force_login(staff)
    html = client.get("/clusters/cer-curva/?as_of=2011-06-30").content.decode()
    rows = chart_rows(html)
    assert [label for label, _value in rows] == ["2007", "2008", "2009", "2010", "30-06-2011"]
    for label, value in rows:
        day = D(int(label), 12, 31) if len(label) == 4 else D(2011, 6, 30)
        expected = plans.cluster_figures(cluster.pk, day)["progress"]
        assert value == f"{expected:.0f} %", label
    # 2007: nothing yet; 2008: 1.1 at 50 % (strategy 1: 25 %, CER: 12.5 %); 2010: 2.1 done too.
    assert rows[0][1] == "0 %" and rows[1][1] == "12 %" and rows[3][1] == "38 %"


def test_the_chart_is_a_picture_with_a_summary(client, cer):
    cluster, staff = cer
    client.force_login(staff)
    html = client.get("/clusters/cer-curva/?as_of=2011-06-30").content.decode()
    svg = re.search(r'<svg class="progress-svg"[^>]*>', html).group(0)
    assert 'role="img"' in svg
    assert 'aria-label="Avance del CER: 0 % en 2007, 38 % al 30-06-2011."' in svg
    assert html.count('class="pc-point"') == 5


def test_a_plan_without_strategies_draws_no_chart(client, db):
    cluster = factories.ClusterFactory(slug="cer-vacio")
    client.force_login(factories.StaffFactory(clusters=[cluster]))
    html = client.get("/clusters/cer-vacio/").content.decode()
    assert "Avance en el tiempo" not in html
