"""Files an import refuses as a whole, each with its message and nothing written.

Not a spreadsheet, corrupt, empty, too big, too many rows, a zip bomb, an XML bomb, missing or
unknown columns; and what is accepted: XLSX with formulas read as text, CSV in UTF-8 (with or
without BOM) or Latin-1, separated by "," or ";".
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from actions.spreadsheets.imports import KINDS, FileRefused, reading
from tests.helpers import import_state as state

PROGRESS_HEADER = ["cer", "código", "estado", "avance", "nota", "fecha"]


def xlsx(rows, sheet="Avances"):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, delimiter=",", encoding="utf-8-sig"):
    lines = [delimiter.join(str(value) for value in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def replace_member(data, name, content):
    """The same zip with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name else source.read(item))
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(client, roles, media):
    client.force_login(roles["staff_a"])
    return client


def upload(client, data, name="avances.xlsx", slug="cer-a", kind="progress"):
    return client.post(
        f"/clusters/{slug}/import/{kind}/",
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def refused_message(response):
    assert response.status_code == 200, response.status_code
    assert response.context["refused"], "the file was not refused"
    return response.context["refused"]


def preview(data, user, kind="progress", cluster=None):
    return KINDS[kind].preview(data, user=user, cluster=cluster)


def _zip_bomb():
    """A valid-looking workbook whose sheet declares 120 MB of XML (zeros compress ~1000:1)."""
    base = xlsx([PROGRESS_HEADER, ["cer-a", "1.1", "pendiente", 0, "", ""]])
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        with target.open("xl/media/padding.bin", "w") as padding:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(120):
                padding.write(chunk)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>
</sheetData></worksheet>"""


BAD_FILES = [
    ("pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "no es una planilla"),
    ("png", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "no es una planilla"),
    ("binary", lambda: bytes(range(256)) * 4, "no es una planilla"),
    ("old xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    ("truncated xlsx", lambda: xlsx([PROGRESS_HEADER])[:300], "dañado"),
    (
        "zip that is not a workbook",
        lambda: _plain_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
        "no es una planilla XLSX",
    ),
    (
        "opendocument",
        lambda: _plain_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        ".ods",
    ),
    (
        "corrupt workbook xml",
        lambda: replace_member(xlsx([PROGRESS_HEADER]), "xl/workbook.xml", b"<not-closed"),
        "dañado",
    ),
    ("empty", lambda: b"", "vacío"),
    ("blank", lambda: b" \r\n\r\n", "vacío"),
    ("header only", lambda: csv_bytes([PROGRESS_HEADER]), "solo tiene la fila de encabezados"),
    ("xlsx header only", lambda: xlsx([PROGRESS_HEADER]), "solo tiene la fila de encabezados"),
    ("zip bomb", _zip_bomb, "bomba de descompresión"),
    (
        "xml bomb",
        lambda: replace_member(xlsx([PROGRESS_HEADER]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS),
        "bomba XML",
    ),
    (
        "external entity",
        lambda: replace_member(
            xlsx([PROGRESS_HEADER]), "xl/worksheets/sheet1.xml", EXTERNAL_ENTITY
        ),
        "XML no permitido",
    ),
    (
        "missing columns",
        lambda: csv_bytes([["cer", "código", "nota"], ["cer-a", "1.1", "x"]]),
        "faltan las columnas «estado», «avance»",
    ),
    (
        "unknown column",
        lambda: csv_bytes([[*PROGRESS_HEADER, "Estado final"], ["cer-a", "1.1", "pendiente", 0]]),
        "columnas desconocidas: «Estado final» (G)",
    ),
    (
        "repeated column",
        lambda: csv_bytes([[*PROGRESS_HEADER, "Estado"], ["cer-a", "1.1", "pendiente", 0]]),
        "columnas repetidas: «Estado» (G)",
    ),
    (
        "data without a header",
        lambda: csv_bytes([PROGRESS_HEADER, ["cer-a", "1.1", "pendiente", 0, "", "", "¿y esto?"]]),
        "columna G, que no tiene encabezado",
    ),
    (
        "unclosed quote",
        lambda: csv_bytes([PROGRESS_HEADER]) + b'cer-a,"1.1,pendiente,0' + b"x" * 200_000,
        "dañado",
    ),
]


def _plain_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "make", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_with_its_message_and_nothing_is_written(
    staff_client, name, make, message
):
    before = state()
    response = upload(staff_client, make())
    if name in ("empty",):
        # Django's upload form catches an empty file before it is read.
        assert response.status_code == 200
        assert "El archivo está vacío." in response.content.decode()
    else:
        assert message in refused_message(response)
        assert "No se importó nada" in response.content.decode()
    assert state() == before
    assert not any((staff_client.session.get("cerplan_pending_imports") or {}).values())


def test_a_file_over_5_mb_is_refused_before_it_is_read(staff_client, monkeypatch):
    before = state()

    def never(*args, **kwargs):
        raise AssertionError("a file over the limit must not be read")

    monkeypatch.setattr(reading, "read_table", never)
    data = csv_bytes([PROGRESS_HEADER]) + b"x" * (5 * 1024 * 1024)
    response = upload(staff_client, data, name="grande.csv")
    assert response.status_code == 200
    assert "el máximo es 5 MB" in response.content.decode()
    assert state() == before


def test_the_reader_refuses_over_5_mb_too(roles):
    with pytest.raises(FileRefused, match="máximo es 5 MB"):
        reading.read_table(b"a" * (reading.MAX_BYTES + 1))


def test_a_file_over_20000_rows_is_refused(staff_client):
    rows = [PROGRESS_HEADER] + [["cer-a", "1.1", "pendiente", 0]] * 20_001
    before = state()
    message = refused_message(upload(staff_client, csv_bytes(rows), name="filas.csv"))
    assert "más de 20.000 filas" in message
    assert state() == before


def test_20000_rows_are_read(roles):
    rows = [PROGRESS_HEADER] + [["cer-a", "1.1", "pendiente", 0]] * 20_000
    table = reading.read_table(csv_bytes(rows))
    assert len(table.rows) == 20_000


def test_the_zip_bomb_is_refused_from_the_zip_directory_without_inflating(monkeypatch, roles):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(FileRefused, match="bomba de descompresión"):
        reading.read_table(_zip_bomb())


def test_xlsx_is_not_read_without_defusedxml(monkeypatch, roles):
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(FileRefused, match="de forma segura"):
        reading.read_table(xlsx([PROGRESS_HEADER, ["cer-a", "1.1", "pendiente", 0]]))


def test_formulas_are_read_as_text_never_evaluated(roles, cluster_a):
    data = xlsx([PROGRESS_HEADER, ["cer-a", "1.1", "=A1", "=1+1", '=HYPERLINK("x")', ""]])
    table = reading.read_table(data)
    assert table.rows == [(2, ["cer-a", "1.1", "=A1", "=1+1", '=HYPERLINK("x")'])]
    result = preview(data, roles["staff_a"], cluster=cluster_a)
    messages = [str(issue) for issue in result.rows[0].errors]
    assert (
        "fila 2, columna «estado»: «=A1» no es un estado válido; use pendiente, en curso, "
        "completada, bloqueada o cancelada." in messages
    )
    assert (
        "fila 2, columna «avance»: «=1+1» no es un número entero; se espera un número entero "
        "de 0 a 100." in messages
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-8", ";"), ("latin-1", ";"), ("cp1252", ",")],
)
def test_csv_in_utf8_or_latin1_with_comma_or_semicolon(roles, cluster_a, encoding, delimiter):
    rows = [
        ["CER", "Código", "Estado", "Avance (%)", "Nota", "Fecha"],
        ["cer-a", "1.1", "En curso", "30", "Reunión con la gerencia", ""],
    ]
    result = preview(csv_bytes(rows, delimiter, encoding), roles["staff_a"], cluster=cluster_a)
    (row,) = result.rows
    assert row.errors == [] and row.action == "update"
    assert ["nota", "—", "Reunión con la gerencia"] in [list(change) for change in row.changes]


def test_blank_rows_are_skipped_and_row_numbers_are_the_spreadsheets(roles, cluster_a):
    data = xlsx(
        [
            PROGRESS_HEADER,
            ["cer-a", "1.1", "pendiente", 0],
            [],
            [None, None],
            ["cer-a", "9.9", "x", 0],
        ]
    )
    result = preview(data, roles["staff_a"], cluster=cluster_a)
    assert [row.number for row in result.rows] == [2, 5]
    assert (
        str(result.rows[1].errors[0])
        == "fila 5, columna «código»: «9.9» no es una actividad del CER «cer-a»."
    )


def test_the_sheet_named_for_the_import_is_read_from_a_workbook(roles, cluster_a):
    workbook = Workbook()
    workbook.active.title = "Otra cosa"
    workbook.active.append(["nada"])
    sheet = workbook.create_sheet("Avances")
    sheet.append(PROGRESS_HEADER)
    sheet.append(["cer-a", "1.1", "pendiente", 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buffer.getvalue(), roles["staff_a"], cluster=cluster_a)
    assert [row.action for row in result.rows] == ["unchanged"]
