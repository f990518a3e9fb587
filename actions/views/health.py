from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

HEALTHZ_PATH = "/healthz"


@require_safe
@never_cache
def healthz(request):
    """Readiness probe: 200 "ok" when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class HealthzMiddleware:
    """Answers /healthz before the session, authentication and messages middleware.

    The probe is called every few seconds by every load balancer, with whatever cookies it
    has: it needs none of them, and reading the session and the user cost more than the probe.
    Placed after the middleware that set the security headers (settings.MIDDLEWARE), so the
    answer carries them like every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH:
            request.get_host()  # refuse a host outside ALLOWED_HOSTS, as every other URL does
            return healthz(request)
        return self.get_response(request)
