import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED_KEY = "cerplan_session_started"
SESSION_REFRESHED_KEY = "cerplan_session_refreshed"
# How stale the idle clock may get: renewing the session's expiry at most once a minute saves
# a session write on almost every request, at the price of a minute's slack in the idle limit.
SESSION_REFRESH_EVERY = 60


class SessionLifetimeMiddleware:
    """Sessions end after SESSION_COOKIE_AGE idle, and SESSION_ABSOLUTE_MAX_AGE after sign-in.

    Django renews a session's expiry only when the session is saved; this renews it on activity
    (at most once a SESSION_REFRESH_EVERY seconds), and ends a signed-in session a fixed time
    after sign-in however active it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SESSION_REFRESHED_KEY, 0) > SESSION_REFRESH_EVERY:
                request.session[SESSION_REFRESHED_KEY] = now
        return self.get_response(request)
