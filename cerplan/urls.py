from django.contrib import admin
from django.urls import include, path

from actions.views.health import healthz
from clusters.password_reset import PasswordResetView
from clusters.sign_out import SignOutView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before Django's own: the reset request is rate-limited and never logs a link.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    # Before Django's own: signing out says so on the sign-in page it lands on.
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("actions.urls")),
]

# The 400 page says why when it can (cerplan/views.py); 403, 404 and 500 are Django's views with
# the portal's templates (templates/403.html, 404.html, 500.html).
handler400 = "cerplan.views.bad_request"
