"""Uploaded files waiting for confirmation, kept server-side between preview and confirm.

The client never sends the data back: the file is stored under MEDIA_ROOT/imports/ with a random
token, and the token is good only for the session that uploaded it, for the same user, import kind
and CER, for TTL_SECONDS. Beside the file, a JSON file keeps the preview the user saw (its rows to
show, and its digest to compare at confirmation), and another the cells as they were read, with
their types, so the confirmation checks them again without parsing the file once more (a third of
a 10,000-row confirmation's time was reading the XLSX again). Files are deleted on confirm, on
cancel, when a session keeps too many, and by the sweep of expired files that runs on every upload.
"""

import datetime
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from actions.spreadsheets.imports.reading import Table

logger = logging.getLogger(__name__)

SUBDIRECTORY = "imports"
TTL_SECONDS = 60 * 60
SESSION_KEY = "cerplan_pending_imports"
MAX_PENDING_PER_SESSION = 5
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,64}")


def _directory():
    directory = Path(settings.MEDIA_ROOT) / SUBDIRECTORY
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _paths(token):
    directory = _directory()
    return (
        directory / f"{token}.upload",
        directory / f"{token}.json",
        directory / f"{token}.table.json",
    )


# How cell values that JSON has no type for are kept: {"<type>": text}.
_CELL_TYPES = {
    "datetime": (datetime.datetime, datetime.datetime.isoformat, datetime.datetime.fromisoformat),
    "date": (datetime.date, datetime.date.isoformat, datetime.date.fromisoformat),
    "time": (datetime.time, datetime.time.isoformat, datetime.time.fromisoformat),
    "timedelta": (
        datetime.timedelta,
        datetime.timedelta.total_seconds,
        lambda seconds: datetime.timedelta(seconds=seconds),
    ),
}


class _UnknownCell(TypeError):
    pass


def _encode_cell(value):
    if value is None or isinstance(value, str | bool | int | float):
        return value
    for name, (kind, encode, _decode) in _CELL_TYPES.items():
        if type(value) is kind:
            return {name: encode(value)}
    raise _UnknownCell(type(value).__name__)


def _decode_cell(value):
    if isinstance(value, dict):
        ((name, text),) = value.items()
        return _CELL_TYPES[name][2](text)
    return value


def _encode_table(table):
    """The table as JSON bytes, or None when a cell has a type this codec does not keep (then
    the confirmation reads the file again, as it would without this file)."""
    try:
        rows = [[number, [_encode_cell(v) for v in values]] for number, values in table.rows]
    except _UnknownCell as unknown:
        logger.info("pending import kept without its table: a %s cell", unknown)
        return None
    payload = {
        "headers": [_encode_cell(h) for h in table.headers],
        "rows": rows,
        "sheet": table.sheet,
        "file_format": table.file_format,
    }
    return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode()


def _write(path, content):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


@dataclass
class PendingImport:
    token: str
    meta: dict

    @property
    def preview(self):
        return self.meta["preview"]

    @property
    def filename(self):
        return self.meta["filename"]

    def data(self):
        upload, _meta, _table = _paths(self.token)
        return upload.read_bytes()

    def table(self):
        """The cells as the preview read them (a reading.Table), or None if not kept."""
        _upload, _meta, table_path = _paths(self.token)
        try:
            payload = json.loads(table_path.read_bytes())
        except FileNotFoundError:
            return None
        return Table(
            headers=[_decode_cell(h) for h in payload["headers"]],
            rows=[(n, [_decode_cell(v) for v in values]) for n, values in payload["rows"]],
            sheet=payload["sheet"],
            file_format=payload["file_format"],
        )


def save(request, *, kind, cluster, filename, data, preview):
    """Store an uploaded file and its preview; return the token that names them."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    upload, meta_path, table_path = _paths(token)
    meta = {
        "user_id": request.user.pk,
        "kind": kind.key,
        "cluster_id": cluster.pk if cluster is not None else None,
        "filename": filename,
        "created": time.time(),
        "preview": preview.as_dict(),
    }
    _write(upload, data)
    _write(meta_path, json.dumps(meta, default=str).encode())
    table = _encode_table(preview.table) if preview.table is not None else None
    if table is not None:
        _write(table_path, table)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = meta["created"]
    while len(pending) > MAX_PENDING_PER_SESSION:
        oldest = min(pending, key=pending.get)
        pending.pop(oldest)
        _delete(oldest)
    request.session[SESSION_KEY] = pending
    return token


def load(request, token, *, kind, cluster):
    """The pending import `token` of this session, user, kind and CER; None if there is none."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    if token not in request.session.get(SESSION_KEY, {}):
        return None
    _upload, meta_path, _table = _paths(token)
    try:
        meta = json.loads(meta_path.read_bytes())
    except (OSError, ValueError):
        discard(request, token)
        return None
    expected = {
        "user_id": request.user.pk,
        "kind": kind.key,
        "cluster_id": cluster.pk if cluster is not None else None,
    }
    expired = time.time() - meta.get("created", 0) > TTL_SECONDS
    if expired or any(meta.get(key) != value for key, value in expected.items()):
        if expired:
            discard(request, token)
        return None
    return PendingImport(token=token, meta=meta)


def discard(request, token):
    pending = dict(request.session.get(SESSION_KEY, {}))
    if pending.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending
    if TOKEN_PATTERN.fullmatch(token or ""):
        _delete(token)


def _delete(token):
    for path in _paths(token):
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            logger.warning("could not delete pending import file %s", path, exc_info=True)


def purge_expired(now=None):
    """Delete the pending files older than TTL_SECONDS, whoever uploaded them."""
    now = now or time.time()
    for path in _directory().iterdir():
        try:
            if now - path.stat().st_mtime > TTL_SECONDS:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            logger.warning("could not delete expired import file %s", path, exc_info=True)
