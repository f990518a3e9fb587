"""Password reset by e-mail, without leaking links, accounts or mail to whoever asks.

- No transport, no reset: in production (DEBUG off) with a backend that only prints or writes
  files (console, filebased), a reset mail would put a one-time link in the logs. The reset
  page then says reset by e-mail is not available and sends nothing. (Chosen over refusing to
  start: the portal works without mail, and the administration can set a new password.)
- Rate limits, in the shared cache (so across workers and servers), over a sliding hour:
  PASSWORD_RESET_LIMIT_PER_ADDRESS requests from one client address, and
  PASSWORD_RESET_LIMIT_PER_ACCOUNT for one e-mail address whether or not an account has it.
  Past a limit the answer is 429 and nothing is sent.
- The same answer, in the same time, whether an account has the address or not: when none does,
  the form goes through Django's own steps for a stand-in user (token, both mail templates
  rendered) and drops the result; and mail is sent only after the response has gone out
  (the WSGI server calls the response's close() once the client has it), so how long the mail
  server takes never shows in the response time.
"""

import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template import loader

from cerplan.security import client_address

logger = logging.getLogger("cerplan.security")

PRINTING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
WINDOW_SECONDS = 60 * 60


def reset_by_mail_available():
    """Whether a reset mail would reach a mail server rather than a log or a file."""
    return settings.DEBUG or settings.EMAIL_BACKEND not in PRINTING_BACKENDS


class PortalPasswordResetForm(PasswordResetForm):
    """Django's form, keeping its mail for after the response, with a stand-in when no
    account has the address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outbox = []

    def get_users(self, email):
        users = list(super().get_users(email))
        if users:
            yield from users
            return
        stand_in = get_user_model()(username="", email=email, password=make_password(None))
        stand_in.is_stand_in = True
        yield stand_in

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Django's send_mail, rendering the same templates, without sending.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(
                loader.render_to_string(html_email_template_name, context), "text/html"
            )
        if not getattr(context["user"], "is_stand_in", False):
            self.outbox.append(message)


class RedirectThenSend(HttpResponseRedirect):
    """A redirect that sends its mail once the client has it (in close())."""

    def __init__(self, url, messages):
        super().__init__(url)
        self.pending_messages = messages

    def close(self):
        super().close()
        messages, self.pending_messages = self.pending_messages, []
        for message in messages:
            try:
                message.send()
            except Exception:  # the user was already answered; the log must say it failed
                logger.exception("password reset mail not sent")


def over_limit(key, limit):
    """Count one more request under `key` in the last hour; whether that passes `limit`."""
    now = time.time()
    recent = [moment for moment in cache.get(key, []) if moment > now - WINDOW_SECONDS]
    recent.append(now)
    cache.set(key, recent[-(limit + 1) :], WINDOW_SECONDS)
    return len(recent) > limit


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_available=reset_by_mail_available(), **kwargs)

    def post(self, request, *args, **kwargs):
        if not reset_by_mail_available():
            return self.get(request, *args, **kwargs)
        address = client_address(request)
        if over_limit(
            f"password-reset:address:{address}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        ):
            logger.warning("password reset refused: too many requests from address=%s", address)
            return self.too_many()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if over_limit(f"password-reset:account:{email}", settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT):
            logger.warning(
                "password reset refused: too many requests for one e-mail address, address=%s",
                client_address(self.request),
            )
            return self.too_many()
        form.save(
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return RedirectThenSend(self.get_success_url(), form.outbox)

    def too_many(self):
        return render(self.request, "registration/password_reset_limited.html", status=429)
