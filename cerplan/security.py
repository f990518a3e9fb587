"""Who is asking, and how often: the client address behind the proxies, and the sign-in lock-out.

The client address
    REMOTE_ADDR is the proxy's address when the portal runs behind one. Each trusted proxy
    (settings.TRUSTED_PROXY_COUNT, from DJANGO_TRUSTED_PROXY_COUNT) appends the address it saw
    to X-Forwarded-For, so the client is the TRUSTED_PROXY_COUNT-th entry from the right;
    anything further left was written by the client and is ignored, so a forged header cannot
    choose the address. django-ipware reads the header (its proxy_count counts the proxies
    *inside* the header, one fewer than those in front, since the last one is REMOTE_ADDR);
    with no trusted proxy, or a header shorter than the chain, the address is REMOTE_ADDR.

The lock-out (django-axes, with LockoutHandler below)
    - per account and address: AXES_FAILURE_LIMIT failures in AXES_COOLOFF_TIME lock that
      address out of that account; the owner signing in from elsewhere is not affected;
    - per address, across accounts: SIGN_IN_ADDRESS_FAILURE_LIMIT failures lock the address out
      of every account, so one address cannot guess many accounts AXES_FAILURE_LIMIT - 1 times
      each. axes compares every parameter combination with one limit; this handler gives the
      address-wide combination a limit of its own.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from ipware.ip import get_client_ip

ACCOUNT_AND_ADDRESS = ("username", "ip_address")
ADDRESS = ("ip_address",)


def client_address(request):
    """The client's address as the trusted proxies saw it (AXES_CLIENT_IP_CALLABLE)."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            # Not strict: a longer header (the client's own entries on the left) is expected,
            # and the position counted from the right stays the trusted proxy's.
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR")


def _combination(parameter):
    return (parameter,) if isinstance(parameter, str) else tuple(parameter)


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the per-address limit apart from the per-account one."""

    def get_failures(self, request, credentials=None):
        failures = {}
        for parameter, attempts in zip(
            get_lockout_parameters(request, credentials),
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            failures[_combination(parameter)] = total
        per_account = failures.get(ACCOUNT_AND_ADDRESS, 0)
        if failures.get(ADDRESS, 0) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            # axes locks when this number reaches AXES_FAILURE_LIMIT.
            return max(per_account, settings.AXES_FAILURE_LIMIT)
        return per_account

    def reset_user_attempts(self, request, credentials=None):
        # A successful sign-in clears that account's failures from that address only: clearing
        # every failure of the address (axes' default with an address-wide parameter) would let
        # an attacker with an account of their own reset the address-wide count at will.
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
