from portal.permissions import Role


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"roles": Role, "user_role": user.role, "user_municipality": user.municipality}
