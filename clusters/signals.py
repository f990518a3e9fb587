"""Security log: sign-ins, sign-outs, failures and lock-outs, never with passwords."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from cerplan.security import client_address

logger = logging.getLogger("cerplan.security")


def _address(request):
    # The client's address behind the trusted proxies, as the lock-out counts it.
    return getattr(request, "axes_ip_address", None) or client_address(request)


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    logger.info("sign-in: user=%s address=%s", user.get_username(), _address(request))


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    logger.info("sign-out: user=%s", user.get_username() if user else None)


@receiver(user_login_failed)
def log_sign_in_failure(sender, credentials, request=None, **kwargs):
    # credentials are already scrubbed of the password by Django; log the username only.
    logger.warning(
        "sign-in refused: user=%s address=%s", credentials.get("username"), _address(request)
    )


@receiver(user_locked_out)
def log_lock_out(sender, request, username, ip_address, **kwargs):
    logger.warning("sign-in locked out: user=%s address=%s", username, ip_address)
