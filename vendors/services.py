from django.db import transaction

from portal.concurrency import claim_version
from portal.permissions import can_manage_municipality, is_municipal_user, require
from vendors.models import Contract, Vendor

CONTRACT_FIELDS = ["vendor", "package_name", "start_date", "end_date", "notes"]
VENDOR_FIELDS = ["name", "corporate_number", "address", "contact_name", "contact_email", "contact_phone"]


def _check_projects(municipality, projects) -> None:
    from django.core.exceptions import ValidationError

    if any(p.municipality_id != municipality.id for p in projects):
        raise ValidationError({"projects": "対象の移行案件は同じ団体の案件から選んでください。"})


@transaction.atomic
def create_vendor(*, actor, **fields) -> Vendor:
    """The vendor registry is shared; any DX office may add a company."""
    require(is_municipal_user(actor) and can_manage_municipality(actor, actor.municipality_id))
    vendor = Vendor(**{k: v for k, v in fields.items() if k in VENDOR_FIELDS})
    vendor.full_clean()
    vendor.save()
    return vendor


@transaction.atomic
def create_contract(*, actor, municipality, projects=(), **fields) -> Contract:
    require(can_manage_municipality(actor, municipality.id))
    contract = Contract(municipality=municipality, **{k: v for k, v in fields.items() if k in CONTRACT_FIELDS})
    contract.full_clean()
    _check_projects(municipality, projects)
    contract._history_user = actor
    contract.save()
    contract.projects.set(projects)
    return contract


@transaction.atomic
def update_contract(*, actor, contract: Contract, expected_version: int, data: dict) -> Contract:
    require(can_manage_municipality(actor, contract.municipality_id))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    claim_version(contract, expected_version)
    projects = data.pop("projects", None)
    for name, value in data.items():
        if name not in CONTRACT_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(contract, name, value)
    contract.full_clean()
    contract._history_user = actor
    contract.save()
    if projects is not None:
        _check_projects(contract.municipality, projects)
        contract.projects.set(projects)
    return contract
