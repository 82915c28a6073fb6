from django.db.models import Q

from portal.permissions import Role, is_municipal_user, scope_to_municipality
from vendors.models import Contract, Vendor


def visible_vendors(user):
    """Municipal staff see the shared vendor registry; vendor staff see only their own company."""
    if not user.is_authenticated:
        return Vendor.objects.none()
    if is_municipal_user(user):
        return Vendor.objects.all()
    if user.role == Role.VENDOR and user.vendor_id:
        return Vendor.objects.filter(pk=user.vendor_id)
    return Vendor.objects.none()


def visible_contracts(user):
    contracts = Contract.objects.select_related("vendor", "municipality").prefetch_related("projects__operation")
    if is_municipal_user(user):
        return scope_to_municipality(user, contracts)
    if user.is_authenticated and user.role == Role.VENDOR and user.vendor_id:
        return contracts.filter(Q(vendor_id=user.vendor_id))
    return contracts.none()
