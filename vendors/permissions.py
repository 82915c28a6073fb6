"""Who may see and do what with vendors, contracts, RFIs and RFPs. Vendor staff see only their own
company's invitations, answers, files and contracts; municipal staff only their municipality's."""

from portal.permissions import Role, can_manage_municipality, is_municipal_user


def is_vendor_user(user) -> bool:
    return bool(user.is_authenticated and user.role == Role.VENDOR and user.vendor_id and user.is_active)


def can_manage_rfi(user, rfi) -> bool:
    return can_manage_municipality(user, rfi.municipality_id)


def can_view_rfi(user, rfi) -> bool:
    """Municipal staff of the RFI's municipality; vendor staff of an invited vendor once it is sent."""
    if is_municipal_user(user):
        return user.is_superuser or user.municipality_id == rfi.municipality_id
    if is_vendor_user(user):
        return rfi.state == "sent" and rfi.invitations.filter(vendor_id=user.vendor_id).exists()
    return False


def can_answer(user, invitation) -> bool:
    return is_vendor_user(user) and invitation.vendor_id == user.vendor_id and invitation.rfi.state == "sent"


def can_view_response(user, response) -> bool:
    """The vendor's own staff (every version and draft); the municipality's staff (submitted versions)."""
    invitation = response.invitation
    if is_vendor_user(user):
        return invitation.vendor_id == user.vendor_id
    if is_municipal_user(user):
        same = user.is_superuser or user.municipality_id == invitation.rfi.municipality_id
        return same and response.state == "submitted"
    return False


def can_view_contract(user, contract) -> bool:
    if is_vendor_user(user):
        return contract.vendor_id == user.vendor_id
    if is_municipal_user(user):
        return user.is_superuser or user.municipality_id == contract.municipality_id
    return False
