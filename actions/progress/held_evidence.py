"""Evidence files held while the progress form is shown again with an error.

A browser cannot put a file back into a file input, so without this a coordinator who attached a
report and mistyped the percentage would have to find the file again. When the form comes back
with an error, a file that passed its own checks is kept under MEDIA_ROOT/held-evidence/ with a
random token; the form carries the token, and the token is good only in the session that sent the
file, for the same activity, for TTL_SECONDS. Saving uses the held file unless a new one is
chosen; the file is deleted once saved, when its form is abandoned (by the sweep that runs on each
hold) or when the session keeps too many.
"""

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File

SUBDIRECTORY = "held-evidence"
TTL_SECONDS = 60 * 60
SESSION_KEY = "cerplan_held_evidence"
MAX_HELD_PER_SESSION = 5


def _directory():
    directory = Path(settings.MEDIA_ROOT) / SUBDIRECTORY
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _sweep_expired():
    limit = time.time() - TTL_SECONDS
    for path in _directory().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def hold(request, activity_id, uploaded):
    """Keep an uploaded file for the next submission of this activity's form; return its token."""
    _sweep_expired()
    token = secrets.token_urlsafe(32)
    with open(_directory() / token, "wb") as target:
        for chunk in uploaded.chunks():
            target.write(chunk)
    held = request.session.get(SESSION_KEY, {})
    held[token] = {"activity": activity_id, "name": os.path.basename(uploaded.name)}
    while len(held) > MAX_HELD_PER_SESSION:
        oldest = next(iter(held))
        held.pop(oldest)
        (_directory() / oldest).unlink(missing_ok=True)
    request.session[SESSION_KEY] = held
    return token


def name_of(request, activity_id, token):
    """The original name of a file held for this activity in this session, or ""."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if not entry or entry["activity"] != activity_id or not (_directory() / token).is_file():
        return ""
    return entry["name"]


def open_held(request, activity_id, token):
    """The held file as an uploaded-file-like object, or None when the token is not good."""
    name = name_of(request, activity_id, token)
    if not name:
        return None
    return File(open(_directory() / token, "rb"), name=name)


def release(request, token):
    """Forget a file this session holds (after it was saved with the update, or replaced by a
    new one) and delete it. A token the session does not hold is ignored: it names no file of
    this user's to delete."""
    held = request.session.get(SESSION_KEY, {})
    if token not in held:
        return
    held.pop(token)
    request.session[SESSION_KEY] = held
    (_directory() / token).unlink(missing_ok=True)
