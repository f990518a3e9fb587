"""Evidence files, served only through this view and only to those who may read the activity.

The files live under MEDIA_ROOT, which no URL exposes. The response is a download (attachment)
with the content type checked on upload, never sniffed, and sandboxed should a browser render it.
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from actions.permissions import get_readable_evidence
from actions.progress.evidence import content_type_for


@login_required
@require_safe
@never_cache
def evidence_download(request, pk):
    update = get_readable_evidence(request.user, pk)
    stored_name = update.evidence.name
    try:
        handle = update.evidence.storage.open(stored_name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=update.evidence_name or os.path.basename(stored_name),
        content_type=content_type_for(stored_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
