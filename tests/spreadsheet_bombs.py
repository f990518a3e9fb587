"""Small XLSX files that cost a naive reader a great deal, written as an attacker would.

Used by tests/test_spreadsheet_bombs.py; `python -m tests.spreadsheet_bombs DIR` writes them to
DIR, to time the reader by hand (tests never assert times).
"""

import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

HEADER = ["cer", "código", "estado", "avance", "nota", "fecha"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows=(HEADER,), sheet="Avances"):
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_parts(data, parts):
    """The same workbook with some parts replaced or added (name → bytes or an iterator)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item.filename, source.read(item))
        for name, content in parts.items():
            with target.open(name, "w") as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return buffer.getvalue()


def sheet_xml(rows_xml, dimension="A1"):
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>'
    ).encode()
    yield from rows_xml
    yield b"</sheetData></worksheet>"


def far_column_bomb(rows=41_000, column="XFD"):
    """`rows` rows that each hold one empty cell at column XFD (16,384), and nothing else."""
    lines = (f'<row r="{n}"><c r="{column}{n}"/></row>'.encode() for n in range(1, rows + 1))
    return with_parts(
        workbook(), {"xl/worksheets/sheet1.xml": sheet_xml(lines, f"A1:{column}{rows}")}
    )


def far_column_rows(data_rows, column="XFD"):
    """A real header and `data_rows` valid rows, each also with an empty cell at `column`."""

    def lines():
        cells = "".join(
            f'<c r="{letter}1" t="inlineStr"><is><t>{text}</t></is></c>'
            for letter, text in zip("ABCDEF", HEADER, strict=True)
        )
        yield f'<row r="1">{cells}<c r="{column}1"/></row>'.encode()
        for n in range(2, data_rows + 2):
            yield (
                f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>cer-a</t></is></c>'
                f'<c r="B{n}" t="inlineStr"><is><t>1.1</t></is></c>'
                f'<c r="C{n}" t="inlineStr"><is><t>pendiente</t></is></c>'
                f'<c r="D{n}"><v>0</v></c><c r="{column}{n}"/></row>'
            ).encode()

    return with_parts(workbook(), {"xl/worksheets/sheet1.xml": sheet_xml(lines())})


def shared_strings_bomb(megabytes=98):
    """A shared-strings table of `megabytes` MB uncompressed (a few hundred KB compressed)."""
    entry = b"<si><t>x</t></si>"
    count = megabytes * 1024 * 1024 // len(entry)

    def strings():
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}" uniqueCount="{count}">'.encode()
        block = entry * 4096
        for _ in range(count // 4096):
            yield block
        yield b"</sst>"

    data = workbook()
    content_types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    return with_parts(
        data,
        {
            "[Content_Types].xml": content_types.replace(b"</Types>", override),
            "xl/sharedStrings.xml": strings(),
        },
    )


def many_cells(cells, per_row=100):
    """A sheet of `cells` cells that each hold a small number."""

    def lines():
        for n in range(1, cells // per_row + 1):
            yield f'<row r="{n}">'.encode() + b"<c><v>1</v></c>" * per_row + b"</row>"

    return with_parts(workbook(), {"xl/worksheets/sheet1.xml": sheet_xml(lines())})


def renamed_shared_strings(count):
    """A shared-strings table under another name (the workbook's relations say where it is)."""
    data = shared_strings_bomb(megabytes=1)
    source = zipfile.ZipFile(io.BytesIO(data))
    entry = b"<si><t>x</t></si>"

    def strings():
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode()
        for _ in range(count // 1000):
            yield entry * 1000
        yield b"</sst>"

    content_types = source.read("[Content_Types].xml").replace(
        b"/xl/sharedStrings.xml", b"/xl/textos.xml"
    )
    relations = source.read("xl/_rels/workbook.xml.rels")
    if b"sharedStrings" not in relations:
        relations = relations.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Target="textos.xml" Type="http://schemas.openxmlformats'
            b'.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        )
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item.filename, source.read(item))
    return with_parts(
        rebuilt.getvalue(),
        {
            "[Content_Types].xml": content_types,
            "xl/_rels/workbook.xml.rels": relations,
            "xl/textos.xml": strings(),
        },
    )


BOMBS = {
    "far-column": far_column_bomb,
    "shared-strings": shared_strings_bomb,
    "renamed-shared-strings": lambda: renamed_shared_strings(3_000_000),
    "many-cells": lambda: many_cells(2_000_000),
}

if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in BOMBS.items():
        data = make()
        (folder / f"{name}.xlsx").write_bytes(data)
        print(f"{name}.xlsx: {len(data) // 1024} KB")
