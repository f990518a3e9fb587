"""Every page, as each role sees it, on a desktop and on a phone: axe-core's WCAG 2.1 A and AA
rules find no serious or critical violation, and no page is wider than the screen (issue 13,
item 10). axe-core 4.10.3 is vendored beside this file (MPL-2.0) and evaluated in the page
through Playwright, which the pages' Content-Security-Policy does not apply to."""

from pathlib import Path

import pytest

from actions.models import Activity, Goal
from clusters.models import Cluster
from tests import factories
from tests.browser.helpers import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-4.10.3.min.js").read_text(encoding="utf-8")
RUN_AXE = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
    }));
}"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def plan(transactional_db, plan_2006):
    return Cluster.objects.get(slug="metalmecanica")


def pages_for(role, plan, live_server):
    activity = Activity.objects.get(cluster=plan, code="2.1")
    goal = Goal.objects.filter(strategy__cluster=plan, target_value__isnull=False).first()
    base = f"{live_server.url}/clusters/{plan.slug}/"
    pages = {
        "dashboard": base,
        "plan": f"{base}plan/",
        "timeline": f"{base}timeline/",
        "obstacles": f"{base}obstacles/",
        "activity": f"{live_server.url}/activities/{activity.pk}/",
        "my-work": f"{live_server.url}/my-work/",
        "search": f"{live_server.url}/search/?q=mision",
    }
    if role in ("staff", "admin"):
        pages["progress-form"] = f"{live_server.url}/activities/{activity.pk}/update/"
        pages["measure-form"] = f"{live_server.url}/goals/{goal.pk}/measure/"
        pages["progress-import"] = f"{base}import/progress/"
    if role == "admin":
        pages["home"] = f"{live_server.url}/"
    return pages


def user_for(role, plan):
    if role == "staff":
        return factories.StaffFactory(username="coordinacion", clusters=[plan])
    if role == "owner":
        return factories.OwnerFactory(username="empresaria", company__cluster=plan)
    return factories.AdminFactory(username="administracion")


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
@pytest.mark.parametrize("role", ["staff", "owner", "admin"])
def test_every_page_passes_axe_and_fits_the_screen(
    live_server, new_page, plan, role, viewport_name
):
    user = user_for(role, plan)
    page, errors = new_page({"desktop": DESKTOP, "phone": PHONE}[viewport_name])
    sign_in(page, live_server, user.username)
    problems = {}
    for name, url in pages_for(role, plan, live_server).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.evaluate(AXE)
        violations = page.evaluate(RUN_AXE)
        overflow = page.evaluate(WIDER_THAN_SCREEN)
        if violations or overflow > 0:
            problems[name] = {"violations": violations, "wider by px": overflow}
    assert not problems, problems
    assert not errors.messages, errors.messages
