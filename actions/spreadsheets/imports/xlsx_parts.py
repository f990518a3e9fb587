"""The XLSX zip's parts, bounded before openpyxl parses any of them.

openpyxl's cost grows with what the XML holds, not with the file's size: a 200 KB file can hold
a 100 MB shared-strings table (parsed whole when the workbook opens) or tens of thousands of
cells. So, before openpyxl sees the file:

1. from the zip directory alone (nothing inflated): each part's declared uncompressed size, the
   shared-strings table's apart (zipfile stops at the declared size, so a lying directory only
   makes the part fail its CRC);
2. then each XML part is inflated once, in chunks, and its elements counted by a regular
   expression at C speed: cells (<c>), rows (<row>) and shared strings (<si>), whatever the
   part's name or namespace prefix. The count stops as soon as a limit is passed.

Each refusal names the limit it met. The limits sit well above the largest file an import
accepts (MAX_ROWS rows of the widest import), so a real file never meets them.
"""

import logging
import re
from collections import Counter

from django.utils.translation import gettext as _

from actions.spreadsheets.imports.errors import FileRefused

logger = logging.getLogger(__name__)

MAX_PART_BYTES = 60 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
MAX_CELLS = 600_000
MAX_SHARED_STRINGS = 250_000
CHUNK_BYTES = 1024 * 1024

# An element's start tag, with or without a namespace prefix: <c r="A1">, <x:row>, <si/>.
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|si)[\s/>]")
# A start tag is never longer than this before the character that ends its name.
_OVERLAP = 64


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def thousands(number):
    return f"{number:,}".replace(",", ".")


def check_parts(archive, members, *, max_rows):
    """Refuse the workbook if one of its parts is too big or holds too much (FileRefused)."""
    for member in members:
        name = member.filename
        limit = MAX_SHARED_STRINGS_BYTES if _is_shared_strings(name) else MAX_PART_BYTES
        if member.file_size > limit:
            logger.warning("import refused: XLSX part %s declares %s bytes", name, member.file_size)
            raise FileRefused(
                _(
                    "La parte «%(part)s» del archivo XLSX ocupa %(size)s MB al descomprimirla y "
                    "el máximo es %(limit)s MB: no se leyó."
                )
                % {"part": name, "size": megabytes(member.file_size), "limit": limit // 2**20}
            )
    cells = strings = 0
    for member in members:
        if member.is_dir() or not member.filename.lower().endswith(".xml"):
            continue
        rows = 0
        for counted in _element_counts(archive, member):
            cells += counted[b"c"]
            rows += counted[b"row"]
            strings += counted[b"si"]
            if cells > MAX_CELLS:
                raise _refused(
                    _("El archivo XLSX tiene más de %(limit)s celdas: no se leyó."), MAX_CELLS
                )
            if rows > max_rows:
                raise _refused(
                    _(
                        "Una hoja del archivo XLSX tiene más de %(limit)s filas, contando las "
                        "vacías: divídalo en archivos más pequeños."
                    ),
                    max_rows,
                )
            if strings > MAX_SHARED_STRINGS:
                raise _refused(
                    _(
                        "El archivo XLSX tiene más de %(limit)s textos en su tabla de textos "
                        "compartidos: no se leyó."
                    ),
                    MAX_SHARED_STRINGS,
                )


def _is_shared_strings(name):
    return name.lower().rsplit("/", 1)[-1].startswith("sharedstrings")


def _refused(message, limit):
    logger.warning("import refused: %s", message % {"limit": limit})
    return FileRefused(message % {"limit": thousands(limit)})


def _element_counts(archive, member):
    """Counts of the counted elements of one part, a Counter per chunk inflated."""
    with archive.open(member) as part:
        tail = b""
        while True:
            chunk = part.read(CHUNK_BYTES)
            buffer = tail + chunk
            # Count up to the last "<": a tag that starts before it ends before it, so a tag
            # cut by the chunk's end is counted with the next chunk, once.
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            if cut <= 0:
                cut = len(buffer) if len(buffer) > _OVERLAP else 0
            yield Counter(_ELEMENT.findall(buffer, 0, cut))
            if not chunk:
                return
            tail = buffer[cut:]
