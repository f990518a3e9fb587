"""A bare Django view, for `make bench`: the ceiling of Django under gunicorn on this machine.

Served by the same gunicorn settings as `make serve` (gunicorn.conf.py), side by side with the
portal, so /healthz and the cached dashboard are compared with the cheapest request Django can
answer: one URL, no middleware, no apps, no database. Not part of the portal: nothing routes it.

    .venv/bin/gunicorn --config gunicorn.conf.py bench.bare:application
"""

import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse("ok")


settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-only-bare-view",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
    LOGGING_CONFIG=None,
)
django.setup()

urlpatterns = [path("", bare)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
