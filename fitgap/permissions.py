"""Who may do what in the Fit & Gap analysis (built on portal.permissions)."""

from portal.permissions import can_edit_project, can_manage_municipality, is_municipal_user


def can_view(user, municipality_id: int) -> bool:
    """Every municipal user of the municipality reads catalogues and analyses; vendors see none."""
    return is_municipal_user(user) and (user.is_superuser or user.municipality_id == municipality_id)


def can_manage_catalogues(user, municipality_id: int) -> bool:
    """Importing a 標準仕様書 version: the DX office."""
    return can_manage_municipality(user, municipality_id)


def can_edit_analysis(user, project) -> bool:
    """A project's analysis: the owning department, or the DX office. Managers only read."""
    return can_edit_project(user, project)


def can_see_alerts(user, municipality_id: int) -> bool:
    """The list of high-impact gaps close to their deadline is for the DX office (and managers)."""
    from portal.models import User

    return can_manage_municipality(user, municipality_id) or (
        can_view(user, municipality_id) and user.role == User.Role.MANAGER
    )
