"""Headers on every response: security headers, and no caching of what depends on the user."""

from django.conf import settings
from django.utils.cache import has_vary_header, patch_cache_control


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response that varies on the session cookie.

    A response depends on the user exactly when the session was read to make it: Django's
    SessionMiddleware (and the CSRF middleware, for a page with a form) then adds
    `Vary: Cookie`. That covers signed-in pages, exports, evidence downloads and the sign-in
    and reset forms, without this middleware evaluating request.user itself (which would query
    the database, also while the 500 page is rendered because the database is down). Static
    files are answered by WhiteNoise before the session is touched, so they keep their
    long-lived cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class SecurityHeadersMiddleware:
    """nosniff, Referrer-Policy and Cross-Origin-Opener-Policy on every response.

    SecurityMiddleware sets them, but not on a response it did not get back: the 400 it answers
    itself when the HTTPS redirect reads a bad Host. Outermost, this sets what is missing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if settings.SECURE_REFERRER_POLICY:
            response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            response.headers.setdefault(
                "Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
            )
        return response
