"""From the plan, whoever may record a goal's measurement reaches its form in one tap and comes
back to the plan, with the filters they had, once it is saved (issue 13, item 2)."""

import datetime
import re
from urllib.parse import unquote

import pytest

from actions.models import GoalMeasurement
from tests import factories

MEASURE_LINK = re.compile(r'href="(/goals/(\d+)/measure/\?next=[^"]+)"')


@pytest.fixture
def measured_goal(cluster_a):
    strategy = factories.StrategyFactory(
        objective__cluster=cluster_a, objective__numeral="IX", number=99
    )
    factories.ActivityFactory(strategy=strategy, position=1, status="in_progress", progress=40)
    return factories.GoalFactory(strategy=strategy, position=1, target_value=80, unit="%")


@pytest.mark.parametrize("role", ["staff_a", "admin"])
def test_a_recorder_goes_from_the_plan_to_the_measurement_and_back(
    client, roles, measured_goal, role
):
    client.force_login(roles[role])
    plan = "/clusters/cer-a/plan/?status=in_progress"
    links = dict(
        (int(pk), url.replace("&amp;", "&"))
        for url, pk in MEASURE_LINK.findall(client.get(plan).content.decode())
    )
    assert measured_goal.pk in links
    url = links[measured_goal.pk]
    assert unquote(url.split("next=", 1)[1]) == plan
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"value": "45", "measured_on": "2010-06-30", "source": "encuesta 2010", "next": plan},
    )
    assert response.status_code == 302 and response["Location"] == plan
    measurement = GoalMeasurement.objects.get(goal=measured_goal)
    assert measurement.value == 45 and measurement.measured_on == datetime.date(2010, 6, 30)


def test_an_owner_sees_no_measurement_link_on_the_plan(client, roles, measured_goal):
    client.force_login(roles["owner_a"])
    response = client.get("/clusters/cer-a/plan/")
    assert response.status_code == 200
    assert not MEASURE_LINK.findall(response.content.decode())
