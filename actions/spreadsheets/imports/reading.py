"""An uploaded file → a header and rows of plain values, or a FileRefused saying why not.

Checked before anything is parsed, in this order, so a hostile file costs little:

- size (MAX_BYTES) and emptiness;
- what the bytes are, from their content, never from the file name: an XLSX workbook (a zip with
  the OOXML parts), or CSV text (UTF-8 with or without BOM, else Windows-1252/Latin-1; delimiter
  "," or ";"). Old .xls, OpenDocument, PDF, images and other binaries are refused by name;
- for XLSX, the zip directory: the declared uncompressed sizes must stay under
  MAX_UNCOMPRESSED_BYTES (a decompression bomb is refused before a byte is inflated; zipfile
  itself stops at the declared size and fails the CRC if the directory lies). The XML is then
  parsed by openpyxl through defusedxml, which refuses entity tricks (billion laughs,
  external entities); we refuse to read XLSX at all if defusedxml is not active;
- for XLSX, each part of the zip, before openpyxl parses it (xlsx_parts): its uncompressed size,
  and the cells, rows and shared strings it holds; then at most MAX_COLUMNS + 1 columns of a row
  are ever built, however far right a cell claims to be;
- rows: at most MAX_ROWS data rows.

Formulas are never evaluated: openpyxl is opened with data_only=False, so a formula cell reads as
its text ("=SUM(A1)") and is treated like any other text.
"""

import csv
import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from actions.spreadsheets.imports import xlsx_parts
from actions.spreadsheets.imports.errors import FileRefused

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# A legitimate 5 MB workbook inflates to a few tens of MB of XML at most.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
# Blank rows are skipped but still cost time to walk; a file is refused past this many in all.
MAX_SCANNED_ROWS = 2 * MAX_ROWS + 1_000
MAX_COLUMNS = 200

XLSX_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

_BINARY_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"\x1f\x8b", "archive"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
)


@dataclass
class Table:
    """The first row's cells as header texts, and the data rows with their spreadsheet numbers."""

    headers: list
    rows: list = field(default_factory=list)  # [(row number, [values])]
    sheet: str | None = None
    file_format: str = "csv"


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def read_table(data, *, preferred_sheets=()):
    """Read `data` (bytes) into a Table; raise FileRefused with a message for anything else."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _(
                "El archivo pesa %(size)s MB y el máximo es %(limit)s MB: divídalo en archivos "
                "más pequeños."
            )
            % {"size": megabytes(len(data)), "limit": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise FileRefused(_("El archivo está vacío."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        table = _read_xlsx(data, preferred_sheets)
    else:
        _refuse_known_binaries(data)
        table = _read_csv(data)
    if not any(str(header).strip() for header in table.headers):
        if not table.rows:
            raise FileRefused(_("El archivo está vacío."))
        raise FileRefused(
            _("La fila 1 debe tener los nombres de las columnas (los encabezados), y está vacía.")
        )
    if not table.rows:
        raise FileRefused(
            _("El archivo solo tiene la fila de encabezados: no hay filas de datos que importar.")
        )
    return table


def _refuse_known_binaries(data):
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            if kind == "xls":
                raise FileRefused(
                    _(
                        "El archivo es una planilla de Excel antigua (.xls) o un archivo "
                        "protegido con contraseña. Guárdelo como .xlsx (Libro de Excel) o .csv, "
                        "sin contraseña, y vuelva a subirlo."
                    )
                )
            raise FileRefused(_not_a_spreadsheet())


def _not_a_spreadsheet():
    return _(
        "El archivo no es una planilla: suba un archivo .xlsx (Libro de Excel) o .csv "
        "(texto separado por comas o punto y coma)."
    )


# XLSX ------------------------------------------------------------------------------------------


def _check_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused(
            _("El archivo XLSX está dañado o incompleto y no se puede leer.")
        ) from None
    names = {member.filename for member in members}
    if "mimetype" in names and not set(XLSX_REQUIRED_PARTS) <= names:
        raise FileRefused(
            _(
                "El archivo es una planilla OpenDocument (.ods) u otro documento comprimido. "
                "Guárdelo como .xlsx (Libro de Excel) o .csv y vuelva a subirlo."
            )
        )
    if not set(XLSX_REQUIRED_PARTS) <= names:
        raise FileRefused(
            _(
                "El archivo es un .zip o un documento de Office que no es una planilla XLSX. "
                "Suba un archivo .xlsx (Libro de Excel) o .csv."
            )
        )
    declared = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or declared > MAX_UNCOMPRESSED_BYTES:
        logger.warning(
            "import refused: zip of %s bytes declares %s bytes in %s members",
            len(data),
            declared,
            len(members),
        )
        raise FileRefused(
            _(
                "El archivo XLSX se expande a %(size)s MB al descomprimirlo (el máximo es "
                "%(limit)s MB): parece una «bomba de descompresión» y no se leyó."
            )
            % {
                "size": megabytes(declared),
                "limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
            }
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise FileRefused(
            _("El archivo XLSX está cifrado: guárdelo sin contraseña y vuelva a subirlo.")
        )
    try:
        xlsx_parts.check_parts(archive, members, max_rows=MAX_SCANNED_ROWS)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise FileRefused(
            _("El archivo XLSX está dañado o incompleto y no se puede leer.")
        ) from None


def _norm_name(text):
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _cell_value(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):  # date, datetime, time
        return value
    # Array and data-table formulas come as objects: keep their text, never their result.
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)


def _read_xlsx(data, preferred_sheets):
    _check_zip(data)
    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:
        # openpyxl only parses through defusedxml when it is importable and not disabled by
        # OPENPYXL_DEFUSEDXML; without it an XML bomb would be expanded. Refuse, loudly.
        logger.error("XLSX import refused: openpyxl is not using defusedxml")
        raise FileRefused(
            _(
                "El servidor no puede leer archivos XLSX de forma segura en este momento; "
                "suba el archivo como .csv o avise a la administración."
            )
        )
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds on a malformed workbook
        if _caused_by(error, DefusedXmlException):
            raise FileRefused(_xml_refused()) from None
        logger.info("import refused: unreadable XLSX", exc_info=True)
        raise FileRefused(
            _("El archivo XLSX está dañado o no es un libro de Excel válido y no se puede leer.")
        ) from None
    try:
        sheet = _pick_sheet(workbook, preferred_sheets)
        table = Table(headers=[], sheet=sheet.title, file_format="xlsx")
        sheet.reset_dimensions()  # do not trust the file's <dimension>: read every row there is
        # ... but never wider than one column past the limit: a cell at column XFD would
        # otherwise make every row 16,384 values wide. A value in that extra column is refused;
        # anything further right is never looked at.
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        _collect_rows(table, rows, _cell_value)
    except FileRefused:
        raise
    except Exception as error:
        if _caused_by(error, DefusedXmlException):
            raise FileRefused(_xml_refused()) from None
        logger.info("import refused: unreadable XLSX sheet", exc_info=True)
        raise FileRefused(
            _("El archivo XLSX está dañado o no es un libro de Excel válido y no se puede leer.")
        ) from None
    finally:
        workbook.close()
    return table


def _caused_by(error, kind):
    """Whether `error` is, or was raised while handling, an exception of `kind` (openpyxl
    wraps the parser's errors in its own ValueError)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _xml_refused():
    return _(
        "El archivo XLSX contiene XML no permitido (entidades o referencias externas, como en "
        "una «bomba XML») y no se leyó."
    )


def _pick_sheet(workbook, preferred_sheets):
    worksheets = list(workbook.worksheets)
    if not worksheets:
        raise FileRefused(_("El libro no tiene hojas con datos."))
    wanted = [_norm_name(name) for name in preferred_sheets]
    for name in wanted:
        for sheet in worksheets:
            if _norm_name(sheet.title) == name:
                return sheet
    return worksheets[0]


# CSV -------------------------------------------------------------------------------------------


def _decode(data):
    if b"\x00" in data:
        raise FileRefused(_not_a_spreadsheet())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n")
    if controls > max(2, len(text) // 100):
        raise FileRefused(_not_a_spreadsheet())
    return text


def _delimiter(text):
    """ "," or ";": whichever splits the header line into more columns."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {}
    for delimiter in (",", ";"):
        try:
            counts[delimiter] = len(next(csv.reader([first_line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            counts[delimiter] = 0
    return ";" if counts[";"] > counts[","] else ","


def _read_csv(data):
    text = _decode(data)
    table = Table(headers=[], file_format="csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        _collect_rows(table, reader, lambda value: value)
    except csv.Error:
        raise FileRefused(
            _(
                "El archivo CSV está dañado (por ejemplo, comillas sin cerrar o un campo "
                "demasiado largo) y no se puede leer."
            )
        ) from None
    return table


# Both ------------------------------------------------------------------------------------------


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _collect_rows(table, rows, convert):
    data_rows = 0
    for number, raw in enumerate(rows, start=1):
        if number > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        if raw.count(None) == len(raw) and number > 1:
            continue  # an empty row, skipped cheaply (openpyxl fills missing rows with None)
        width = len(raw)
        while width and raw[width - 1] is None:  # openpyxl pads every row to max_col
            width -= 1
        values = [convert(value) for value in raw[:width]]
        while values and _blank(values[-1]):
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise FileRefused(
                _(
                    "El archivo tiene más de %(limit)s columnas con datos: no es una de "
                    "nuestras planillas."
                )
                % {"limit": MAX_COLUMNS}
            )
        if number == 1:
            table.headers = ["" if value is None else str(value).strip() for value in values]
            continue
        if not values:
            continue  # a blank row: skipped, and the numbering stays the spreadsheet's
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _too_many_rows()
        table.rows.append((number, values))


def _too_many_rows():
    return FileRefused(
        _("El archivo tiene más de %(limit)s filas: divídalo en archivos más pequeños.")
        % {"limit": f"{MAX_ROWS:,}".replace(",", ".")}
    )
