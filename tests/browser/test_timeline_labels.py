"""The timeline in Chromium: a deadline revised to the far end of the axis keeps its «rev.»
note out of the status text beside it (issue 13, item 3), on a desktop and on a phone."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Activity, Objective, Strategy
from actions.progress import services
from tests import factories
from tests.browser.helpers import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each note's box and the status text's box in its row, in the SVG's own units.
BOXES = """
(layout) => [...document.querySelectorAll(`.timeline-${layout} .tl-row`)]
  .filter((row) => row.querySelector('.tl-note'))
  .map((row) => {
    const note = row.querySelector('.tl-note').getBBox();
    const status = row.querySelector('.tl-status').getBBox();
    return {note: [note.x, note.x + note.width], status: [status.x, status.x + status.width],
            noteTop: note.y, noteBottom: note.y + note.height,
            statusTop: status.y, statusBottom: status.y + status.height};
  })
"""


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


@pytest.fixture
def revised_to_the_end(transactional_db):
    cluster = factories.ClusterFactory(slug="cer-revisado")
    objective = Objective.objects.create(cluster=cluster, numeral="I", position=1, title="Uno")
    strategy = Strategy.objects.create(
        cluster=cluster,
        objective=objective,
        number=1,
        title="Con plazo",
        committed_period_text="2007-2009",
        committed_start=datetime.date(2007, 1, 1),
        committed_end=datetime.date(2009, 12, 31),
    )
    activity = Activity.objects.create(
        cluster=cluster,
        strategy=strategy,
        code="1.1",
        position=1,
        title="Misión tecnológica",
        planned_start=datetime.date(2007, 1, 1),
        planned_end=datetime.date(2009, 12, 31),
    )
    staff = factories.StaffFactory(username="cronista", clusters=[cluster])
    # Revised to the last month of the axis, which ends with that year.
    services.revise_deadline(
        activity_id=activity.pk,
        acting_user=staff,
        expected_version=activity.version,
        new_end=datetime.date(timezone.localdate().year + 1, 12, 15),
        reason="La feria se postergó.",
    )
    return cluster


@pytest.mark.parametrize(("layout", "viewport"), [("wide", DESKTOP), ("compact", PHONE)])
def test_a_revised_deadline_note_stays_clear_of_the_status(
    live_server, new_page, revised_to_the_end, layout, viewport
):
    page, errors = new_page(viewport=viewport)
    sign_in(page, live_server, "cronista")
    page.goto(f"{live_server.url}/clusters/cer-revisado/timeline/")
    boxes = page.evaluate(BOXES, layout)
    assert boxes, "the revised activity's row has a «rev.» note"
    for box in boxes:
        same_line = box["noteTop"] < box["statusBottom"] and box["statusTop"] < box["noteBottom"]
        assert not (same_line and overlaps(box["note"], box["status"])), box
    assert not errors.messages, errors.messages
