"""Structured logs: one JSON object a line on stdout, for a log collector to read.

Used by settings.LOGGING and by gunicorn.conf.py, so Django's records and gunicorn's (errors
and the access log) come out in the same shape.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
) | {"message", "asctime", "taskName"}

# gunicorn's access-log atoms, renamed to what a reader expects.
_ACCESS_ATOMS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "D": "duration_us",
    "a": "user_agent",
    "f": "referer",
}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time, level, logger, message, and any extras."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            # gunicorn passes the request's atoms as the record's args; keep them as fields
            # rather than one Apache-style string.
            entry["message"] = "request"
            for atom, field in _ACCESS_ATOMS.items():
                value = record.args.get(atom)
                if value not in (None, "-", ""):
                    entry[field] = _number_or_text(value)
        else:
            entry["message"] = record.getMessage()
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _number_or_text(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def _jsonable(value):
    # django.request puts the HttpRequest itself in `extra`; log what identifies it, not the object.
    if hasattr(value, "method") and hasattr(value, "get_full_path"):
        return f"{value.method} {value.get_full_path()}"
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return str(value)
