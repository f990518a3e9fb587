"""Small spreadsheets that would cost a naive reader minutes: each is refused, saying which
limit it met, and nothing is written. (Their times are measured by hand, see
tests/spreadsheet_bombs.py; tests never assert times.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.spreadsheets.imports import reading, xlsx_parts
from tests import spreadsheet_bombs as bombs
from tests.helpers import import_state as state


@pytest.fixture
def staff_client(client, roles, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(roles["staff_a"])
    return client


def refusal(client, data):
    """The message an upload of `data` to the progress import is refused with."""
    response = client.post(
        "/clusters/cer-a/import/progress/",
        {"file": SimpleUploadedFile("avances.xlsx", data)},
    )
    assert response.status_code == 200
    assert response.context["refused"], "the file was not refused"
    assert "No se importó nada" in response.content.decode()
    assert not any((client.session.get("cerplan_pending_imports") or {}).values())
    return response.context["refused"]


def test_41000_rows_with_an_empty_cell_at_column_xfd_are_read_as_the_empty_sheet_they_are(
    staff_client,
):
    before = state()
    data = bombs.far_column_bomb(rows=41_000)
    assert len(data) < 250 * 1024
    assert "vacío" in refusal(staff_client, data)
    assert state() == before


def test_more_rows_than_the_reader_walks_are_refused_before_parsing(staff_client, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    before = state()
    message = refusal(staff_client, bombs.far_column_bomb(rows=41_001))
    assert "más de 41.000 filas, contando las vacías" in message
    assert state() == before


def test_real_rows_with_an_empty_cell_far_right_are_read(roles):
    table = reading.read_table(bombs.far_column_rows(50))
    assert table.headers == bombs.HEADER
    assert len(table.rows) == 50
    assert table.rows[0] == (2, ["cer-a", "1.1", "pendiente", 0])


def test_a_value_beyond_column_200_is_refused(staff_client):
    before = state()
    data = bombs.workbook([bombs.HEADER, ["cer-a", "1.1", "pendiente", 0] + [None] * 196 + ["x"]])
    assert "más de 200 columnas" in refusal(staff_client, data)
    assert state() == before


def test_a_huge_shared_strings_table_is_refused_from_the_zip_directory(staff_client, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    before = state()
    data = bombs.shared_strings_bomb(megabytes=98)
    assert len(data) < 300 * 1024
    message = refusal(staff_client, data)
    assert "«xl/sharedStrings.xml»" in message
    assert "ocupa 97,9 MB al descomprimirla y el máximo es 20 MB" in message
    assert state() == before


def test_too_many_shared_strings_under_another_name_are_refused(staff_client):
    before = state()
    data = bombs.renamed_shared_strings(xlsx_parts.MAX_SHARED_STRINGS + 1000)
    assert "más de 250.000 textos en su tabla de textos compartidos" in refusal(staff_client, data)
    assert state() == before


def test_too_many_cells_are_refused(staff_client):
    before = state()
    data = bombs.many_cells(xlsx_parts.MAX_CELLS + 100)
    assert "más de 600.000 celdas" in refusal(staff_client, data)
    assert state() == before
