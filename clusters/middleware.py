import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED_KEY = "cerplan_session_started"


class SessionLifetimeMiddleware:
    """End a signed-in session SESSION_ABSOLUTE_MAX_AGE seconds after sign-in, however active.

    The idle limit is Django's own (SESSION_COOKIE_AGE, renewed on every request); this adds
    the absolute cap a security reviewer expects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
