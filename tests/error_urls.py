"""The portal's URLs plus two views that fail on purpose, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from cerplan import urls as portal
from clusters.models import Cluster


def forbidden(request):
    raise PermissionDenied("Solo la administración cambia la estructura del plan.")


def needs_the_database(request):
    Cluster.objects.count()  # fails: the test made the database unreachable


urlpatterns = [
    path("tests/forbidden/", forbidden),
    path("tests/needs-the-database/", needs_the_database),
    *portal.urlpatterns,
]
handler400 = portal.handler400
