from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from portal.permissions import is_municipal_user


def municipal_user_required(view):
    """Pages of a municipality's own data: not for vendor accounts."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_municipal_user(request.user):
            raise PermissionDenied(gettext("このページは団体の職員向けです。"))
        return view(request, *args, **kwargs)

    return wrapper
