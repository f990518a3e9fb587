"""Evidence files: accepted types by name AND content, the size limit, private storage, and the
download view's permissions and headers."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Activity, ProgressUpdate
from actions.progress import services
from actions.progress.evidence import check_evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zipped(entries, *, stored_first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            name, data = stored_first
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ooxml(part):
    return zipped(
        {"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", part: "<x/>"}
    )


def opendocument(kind):
    return zipped(
        {"content.xml": "<office:document-content/>"},
        stored_first=("mimetype", f"application/vnd.oasis.opendocument.{kind}"),
    )


def ole2(stream_name):
    return OLE2 + stream_name.encode("utf-16-le") + b"\x00" * 64


CSV_UTF8 = "región;exportaciones\nAntofagasta;1.234,5\n".encode()
CSV_LATIN1 = "región;año\nAntofagasta;2008\n".encode("latin-1")

ACCEPTED = {
    "acta.pdf": PDF,
    "foto.png": PNG,
    "foto.jpg": JPEG,
    "foto.JPEG": JPEG,
    "logo.gif": GIF,
    "imagen.webp": WEBP,
    "informe.docx": ooxml("word/document.xml"),
    "cifras.xlsx": ooxml("xl/workbook.xml"),
    "charla.pptx": ooxml("ppt/presentation.xml"),
    "informe.odt": opendocument("text"),
    "cifras.ods": opendocument("spreadsheet"),
    "charla.odp": opendocument("presentation"),
    "informe.doc": ole2("WordDocument"),
    "cifras.xls": ole2("Workbook"),
    "charla.ppt": ole2("PowerPoint Document"),
    "datos.csv": CSV_UTF8,
    "datos-latin1.csv": CSV_LATIN1,
}

REFUSED = {
    # name: (content, error code)
    "informe.pdf": (EXE, "mismatch"),  # an executable called .pdf
    "foto.png": (PDF, "mismatch"),
    "informe.docx": (zipped({"a.txt": "hola"}), "mismatch"),  # a plain zip
    "cifras.xlsx": (ooxml("word/document.xml"), "mismatch"),  # a Word file called .xlsx
    "informe.odt": (opendocument("spreadsheet"), "mismatch"),
    "cifras.xls": (ole2("WordDocument"), "mismatch"),
    "datos.csv": (b"a,b\n\x00\x01\x02", "content"),  # binary with NUL bytes
    "datos2.csv": (PNG, "mismatch"),
    "roto.pdf": (b"esto no es un pdf", "mismatch"),
    "programa.exe": (EXE, "extension"),
    "pagina.html": (b"<html><script>alert(1)</script></html>", "extension"),
    "sin-extension": (PDF, "extension"),
    "vacio.pdf": (b"", "empty"),
    "dañado.docx": (b"PK\x03\x04" + b"\x00" * 40, "content"),
}


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_types(name):
    checked = check_evidence(upload(name, ACCEPTED[name]))
    assert checked.original_name == name
    assert checked.extension == name.rsplit(".", 1)[1].lower().replace("jpeg", "jpg")


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_types_name_the_file(name):
    content, code = REFUSED[name]
    with pytest.raises(ValidationError) as excinfo:
        check_evidence(upload(name, content))
    assert excinfo.value.code == code
    assert f"«{name}»" in excinfo.value.messages[0]


def test_an_exe_called_pdf_is_named_for_what_it_is():
    with pytest.raises(ValidationError) as excinfo:
        check_evidence(upload("informe.pdf", EXE))
    assert "EXE" in excinfo.value.messages[0]


def test_ten_megabytes_at_most(settings):
    limit = settings.EVIDENCE_MAX_BYTES
    assert limit == 10 * 1024 * 1024
    exactly = PDF + b"\n" * (limit - len(PDF))
    check_evidence(upload("grande.pdf", exactly))
    with pytest.raises(ValidationError) as excinfo:
        check_evidence(upload("enorme.pdf", exactly + b"\n"))
    assert excinfo.value.code == "too_large"
    assert "«enorme.pdf»" in excinfo.value.messages[0] and "10 MB" in excinfo.value.messages[0]


def test_a_path_in_the_name_is_dropped():
    checked = check_evidence(upload("C:\\Users\\ana\\acta.pdf", PDF))
    assert checked.original_name == "acta.pdf"


# Through the progress form -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(cluster_a):
    return Activity.objects.filter(cluster=cluster_a).order_by("code").first()


def post_progress(client, activity, evidence, **data):
    payload = {
        "status": "in_progress",
        "progress": "10",
        "note": "",
        "version": str(Activity.objects.get(pk=activity.pk).version),
        **data,
    }
    if evidence is not None:
        payload["evidence"] = evidence
    return client.post(reverse("activity-update", kwargs={"pk": activity.pk}), payload)


def test_the_form_refuses_a_disguised_file_beside_the_field(client, roles, activity):
    client.force_login(roles["staff_a"])
    response = post_progress(client, activity, upload("informe.pdf", EXE))
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors
    html = response.content.decode()
    assert 'id="error_1_id_evidence"' in html
    assert "«informe.pdf»" in html
    assert not ProgressUpdate.objects.exists()


def test_the_form_refuses_a_file_over_10_mb(client, roles, activity, settings):
    client.force_login(roles["staff_a"])
    big = PDF + b"\n" * settings.EVIDENCE_MAX_BYTES
    response = post_progress(client, activity, upload("enorme.pdf", big))
    assert response.status_code == 200
    assert "10 MB" in " ".join(response.context["form"].errors["evidence"])
    assert not ProgressUpdate.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_the_form_stores_an_accepted_file_outside_static_files(client, roles, activity, settings):
    client.force_login(roles["staff_a"])
    response = post_progress(client, activity, upload("Acta N°3.pdf", PDF))
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    stored = settings.MEDIA_ROOT / update.evidence.name
    assert stored.read_bytes() == PDF
    for static_dir in settings.STATICFILES_DIRS:
        assert not stored.is_relative_to(static_dir)
    assert update.evidence_name == "Acta N°3.pdf"


# Download ------------------------------------------------------------------------------------


@pytest.fixture
def evidence_of(roles, cluster_a, cluster_b):
    """One progress update with a PDF in each CER, recorded by staff of both."""

    def make(cluster, name="acta.pdf", content=PDF):
        activity = Activity.objects.filter(cluster=cluster).order_by("code").first()
        return services.record_progress(
            activity_id=activity.pk,
            acting_user=roles["staff_both"],
            expected_version=Activity.objects.get(pk=activity.pk).version,
            status="in_progress",
            progress=10,
            evidence=upload(name, content),
        )

    return {"A": make(cluster_a), "B": make(cluster_b, "foto.png", PNG)}


def download(client, update):
    return client.get(reverse("evidence-download", kwargs={"pk": update.pk}))


@pytest.mark.parametrize("role", ["owner_a", "staff_a", "staff_both", "admin"])
def test_readers_of_the_cer_download_with_safe_headers(client, roles, evidence_of, role):
    client.force_login(roles[role])
    response = download(client, evidence_of["A"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="acta.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["owner_a", "staff_a"])
def test_another_cers_file_is_not_found(client, roles, evidence_of, role):
    client.force_login(roles[role])
    assert download(client, evidence_of["B"]).status_code == 404


def test_staff_of_both_cers_downloads_the_other(client, roles, evidence_of):
    client.force_login(roles["staff_both"])
    response = download(client, evidence_of["B"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_visitors_are_sent_to_sign_in(client, evidence_of):
    response = download(client, evidence_of["A"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_update_without_a_file_or_a_lost_file_is_not_found(client, roles, evidence_of, settings):
    client.force_login(roles["admin"])
    activity = evidence_of["A"].activity
    plain = services.record_progress(
        activity_id=activity.pk,
        acting_user=roles["admin"],
        expected_version=Activity.objects.get(pk=activity.pk).version,
        status="in_progress",
        progress=20,
    )
    assert download(client, plain).status_code == 404
    (settings.MEDIA_ROOT / evidence_of["A"].evidence.name).unlink()
    assert download(client, evidence_of["A"]).status_code == 404


def test_download_is_get_only(client, roles, evidence_of):
    client.force_login(roles["admin"])
    url = reverse("evidence-download", kwargs={"pk": evidence_of["A"].pk})
    assert client.post(url).status_code == 405


def test_no_public_url_serves_the_stored_files(client, roles, evidence_of, settings):
    client.force_login(roles["admin"])
    stored = evidence_of["A"].evidence.name
    for prefix in (settings.MEDIA_URL, "/media/", "/static/"):
        response = client.get(prefix + stored)
        assert response.status_code == 404, prefix


def test_the_activity_page_links_to_the_view_not_to_the_file(client, roles, evidence_of):
    client.force_login(roles["owner_a"])
    update = evidence_of["A"]
    html = client.get(update.activity.get_absolute_url()).content.decode()
    assert reverse("evidence-download", kwargs={"pk": update.pk}) in html
    assert update.evidence.name not in html
