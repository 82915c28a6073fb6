"""The one place that decides what a user may see and do. Pages, API, admin actions and
services all call these functions; querysets are scoped here, so an object of another
municipality is simply not found (404) rather than forbidden."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions as drf_permissions

from portal.models import User

Role = User.Role


def is_municipal_user(user) -> bool:
    """Staff of a municipality (DX office, department, manager) or a superuser.

    Vendors and oversight users (prefectures, joint-use groups) are not: they see a
    municipality's data only where their own pages say so (oversight: the dashboard, read-only)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.role not in (Role.VENDOR, Role.OVERSIGHT) and user.municipality_id is not None)


def scope_to_municipality(user, queryset, field: str = "municipality"):
    """Rows of the user's own municipality; everything for a superuser; nothing for vendors."""
    if not is_municipal_user(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(**{field: user.municipality_id})


def department_ids(user) -> frozenset[int]:
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = frozenset(user.departments.values_list("id", flat=True)) if user.is_authenticated else frozenset()
        user._department_ids = cached
    return cached


def can_manage_municipality(user, municipality_id: int) -> bool:
    """DX office staff manage everything of their municipality."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.DX_OFFICE and user.municipality_id == municipality_id


def can_edit_project(user, project) -> bool:
    """Steps and reports of a project: the DX office, or staff of the owning department."""
    if can_manage_municipality(user, project.municipality_id):
        return True
    return (
        user.is_authenticated
        and user.role == Role.DEPARTMENT
        and user.municipality_id == project.municipality_id
        and project.department_id in department_ids(user)
    )


def is_oversight_user(user) -> bool:
    return user.is_authenticated and user.role == Role.OVERSIGHT and user.oversight_group_id is not None


def oversight_municipality_ids(user) -> frozenset[int]:
    """Municipalities of the oversight user's group (empty for everybody else)."""
    if not is_oversight_user(user):
        return frozenset()
    cached = getattr(user, "_oversight_municipality_ids", None)
    if cached is None:
        from portal.models import OversightGroup

        cached = frozenset(
            OversightGroup.municipalities.through.objects.filter(oversightgroup_id=user.oversight_group_id).values_list(
                "municipality_id", flat=True
            )
        )
        user._oversight_municipality_ids = cached
    return cached


def can_view_dashboard(user, municipality_id: int) -> bool:
    """A municipality's dashboard: its own staff, a superuser, or an oversight user of a group holding it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if is_municipal_user(user):
        return user.municipality_id == municipality_id
    return municipality_id in oversight_municipality_ids(user)


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("この操作を行う権限がありません。"))


class IsMunicipalUser(drf_permissions.BasePermission):
    message = gettext_lazy("この情報を参照する権限がありません。")

    def has_permission(self, request, view):
        return is_municipal_user(request.user)


class IsMunicipalUserOrReadOnlyReference(IsMunicipalUser):
    """Reference data (operations, steps) is readable by every signed-in user."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.method in drf_permissions.SAFE_METHODS
