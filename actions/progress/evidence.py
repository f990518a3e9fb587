"""Checks on evidence files: which types are accepted, how big, and what the content really is.

A file is accepted only when its extension is one we allow AND its content is of that type: a
renamed executable, a zip called ".docx" or a PDF called ".png" are refused. Type detection uses
the `filetype` package for PDF and images, and looks inside containers for the rest: Office Open
XML is a zip with [Content_Types].xml and a word/, xl/ or ppt/ part; OpenDocument is a zip whose
"mimetype" entry names the kind; legacy Office is an OLE2 compound file whose directory names a
WordDocument, Workbook or PowerPoint Document stream; CSV is text (UTF-8 or Latin-1, no NUL).

The same checks run in the form (to show the error beside the field) and in the service (the
authority, also for imports).
"""

import codecs
import os
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> the content type the file is stored and served with.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "csv": "text/csv",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)

# Names of what a detected content is, for error messages.
KIND_NAMES = {
    "pdf": "PDF",
    "png": "PNG",
    "jpg": "JPEG",
    "gif": "GIF",
    "webp": "WebP",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "pptx": "PowerPoint (.pptx)",
    "odt": "OpenDocument texto (.odt)",
    "ods": "OpenDocument hoja de cálculo (.ods)",
    "odp": "OpenDocument presentación (.odp)",
    "doc": "Word 97-2003 (.doc)",
    "xls": "Excel 97-2003 (.xls)",
    "ppt": "PowerPoint 97-2003 (.ppt)",
    "csv": "CSV",
}

_HEAD_BYTES = 8192
_CHUNK_BYTES = 64 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# Stream names in an OLE2 directory are UTF-16LE.
_OLE2_STREAMS = (
    ("WordDocument".encode("utf-16-le"), "doc"),
    ("Workbook".encode("utf-16-le"), "xls"),
    ("Book\x00".encode("utf-16-le"), "xls"),  # Excel 5/95 workbooks
    ("PowerPoint Document".encode("utf-16-le"), "ppt"),
)
# filetype's names for the kinds we accept, mapped to our extensions.
_FILETYPE_KINDS = {
    "pdf": "pdf",
    "png": "png",
    "apng": "png",
    "jpg": "jpg",
    "gif": "gif",
    "webp": "webp",
}
# Text control characters a CSV may contain; any other C0 control means it is not text.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class CheckedEvidence:
    extension: str  # normalised: "jpeg" becomes "jpg"
    content_type: str
    original_name: str


def extension_of(name):
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


def content_type_for(name):
    """The content type a stored evidence file is served with, from its (checked) extension."""
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


def original_name_of(uploaded):
    # Browsers may send a path; keep the last part, as the user knows the file.
    name = os.path.basename((uploaded.name or "").replace("\\", "/")).strip()
    return name[-255:] if name else "evidencia"


def check_evidence(uploaded):
    """Check an uploaded file; return what it is, or raise ValidationError naming the file."""
    name = original_name_of(uploaded)
    size = uploaded.size
    limit = settings.EVIDENCE_MAX_BYTES
    if size is None or size > limit:
        raise ValidationError(
            _("«%(name)s» pesa más de %(limit)s MB, el máximo para una evidencia."),
            code="too_large",
            params={"name": name, "limit": limit // (1024 * 1024)},
        )
    if size == 0:
        raise ValidationError(_("«%(name)s» está vacío."), code="empty", params={"name": name})
    extension = extension_of(name)
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            _(
                "«%(name)s»: ese tipo de archivo no se acepta. Se aceptan PDF, imágenes "
                "(PNG, JPEG, GIF, WebP), documentos de Office u OpenDocument y CSV."
            ),
            code="extension",
            params={"name": name},
        )
    detected = detect_kind(uploaded)
    if detected is None:
        raise ValidationError(
            _(
                "El contenido de «%(name)s» no es un %(expected)s válido: el archivo está "
                "dañado o es de otro tipo."
            ),
            code="content",
            params={"name": name, "expected": KIND_NAMES[extension]},
        )
    if detected != extension:
        raise ValidationError(
            _(
                "El contenido de «%(name)s» no corresponde a su extensión: es un archivo "
                "%(actual)s, no %(expected)s."
            ),
            code="mismatch",
            params={
                "name": name,
                "actual": KIND_NAMES.get(detected, detected.upper()),
                "expected": KIND_NAMES[extension],
            },
        )
    return CheckedEvidence(
        extension=extension, content_type=CONTENT_TYPES[extension], original_name=name
    )


def detect_kind(uploaded):
    """What the content is, as one of our extensions, another type's name, or None."""
    try:
        uploaded.seek(0)
        head = uploaded.read(_HEAD_BYTES)
        if head.startswith(_OLE2_MAGIC):
            return _ole2_kind(uploaded)
        if head.startswith(_ZIP_MAGIC):
            return _zip_kind(uploaded)
        kind = filetype.guess(head)
        if kind is not None:
            return _FILETYPE_KINDS.get(kind.extension, kind.extension)
        return "csv" if _is_text(uploaded) else None
    finally:
        uploaded.seek(0)


def _ole2_kind(uploaded):
    # The directory may sit anywhere in the file; it is at most EVIDENCE_MAX_BYTES, checked before.
    uploaded.seek(0)
    content = uploaded.read()
    for stream_name, kind in _OLE2_STREAMS:
        if stream_name in content:
            return kind
    return "ole2"


def _zip_kind(uploaded):
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(n.startswith(prefix) for n in names):
                        return kind
                return "zip"
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return _OPENDOCUMENT.get(mimetype, "zip")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError):
        return None
    return "zip"


def _is_text(uploaded):
    """Text in UTF-8 (with or without BOM), or else Latin-1, with no NUL or stray controls."""
    uploaded.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    while chunk := uploaded.read(_CHUNK_BYTES):
        if b"\x00" in chunk:
            return False
        if utf8:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not utf8:
            text = chunk.decode("latin-1")
        if any(ord(c) < 32 and c not in _TEXT_CONTROLS for c in text):
            return False
    # Whatever is not UTF-8 reads as Latin-1, so a clean pass means text.
    return True
