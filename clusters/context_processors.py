from clusters.permissions import is_admin


def roles(request):
    """Whether to show admin-only links; the views enforce the rule themselves."""
    user = getattr(request, "user", None)
    return {"user_is_portal_admin": bool(user) and is_admin(user)}
