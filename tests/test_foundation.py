import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError


@pytest.mark.django_db
def test_migrations_are_complete():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


EXPECTED_STRATEGY_KEYS = {
    "number",
    "title",
    "activities",
    "goals",
    "funding_public",
    "funding_private",
    "actors",
    "responsible",
    "deadline_text",
    "deadline_start",
    "deadline_end",
}


def test_export_plan_has_the_design_shape(plan_2006, tmp_path):
    output = tmp_path / "plan.json"
    call_command("export_plan", "--output", str(output))
    data = json.loads(output.read_text(encoding="utf-8"))
    assert set(data) == {"clusters"}
    # Ordered by name, as the admin and the home page list them.
    assert [c["slug"] for c in data["clusters"]] == ["metalmecanica", "consultoria-ingenieria"]
    for cluster in data["clusters"]:
        assert set(cluster) == {"slug", "name", "obstacles", "objectives"}
        for obstacle in cluster["obstacles"]:
            assert set(obstacle) == {"title", "measures"}
            assert all(isinstance(m, str) for m in obstacle["measures"])
        for objective in cluster["objectives"]:
            assert set(objective) == {"numeral", "title", "strategies"}
            for strategy in objective["strategies"]:
                assert set(strategy) == EXPECTED_STRATEGY_KEYS
                for activity in strategy["activities"]:
                    assert set(activity) == {
                        "code",
                        "title",
                        "status",
                        "progress",
                        "planned_start",
                        "planned_end",
                        "revised_end",
                    }
                for goal in strategy["goals"]:
                    assert set(goal) == {"text", "target_value", "unit", "due"}


def test_export_plan_of_one_cluster(plan_2006):
    out = StringIO()
    call_command("export_plan", "--cluster", "metalmecanica", stdout=out)
    data = json.loads(out.getvalue())
    assert [c["slug"] for c in data["clusters"]] == ["metalmecanica"]
    strategy = data["clusters"][0]["objectives"][0]["strategies"][0]
    assert strategy["number"] == 1
    assert strategy["deadline_start"] == "2006-09-01"
    assert strategy["deadline_end"] == "2006-12-31"
    assert strategy["activities"][0] == {
        "code": "1.1",
        "title": strategy["activities"][0]["title"],
        "status": "pending",
        "progress": 0,
        "planned_start": "2006-09-01",
        "planned_end": "2006-12-31",
        "revised_end": None,
    }


def test_export_plan_refuses_an_unknown_cluster(plan_2006):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no-such-cer"):
        call_command("export_plan", "--cluster", "no-such-cer")


def test_export_plan_query_count_does_not_grow_with_the_plan(
    plan_2006, django_assert_max_num_queries
):
    from actions.reporting.export_plan import export_plan

    with django_assert_max_num_queries(9):
        export_plan()
