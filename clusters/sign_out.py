"""Signing out, with a word that it happened.

Django's LogoutView redirects to the sign-in page (LOGOUT_REDIRECT_URL) without a word, so on a
shared computer nobody can tell whether the session really ended. The message travels in the
messages cookie: the session it could have used is gone.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, _("Cerró su sesión. Hasta pronto."))
        return response
