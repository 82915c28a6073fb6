import pytest
from django.contrib import admin
from django.urls import reverse

from migration.models import ProcedureStep, TargetOperation


@pytest.fixture
def superuser(db, make_user):
    from portal.models import User

    return make_user("root", User.Role.DX_OFFICE, is_superuser=True, is_staff=True)


def test_every_model_has_a_working_admin_page(client, superuser, resident_project, vendor):
    client.force_login(superuser)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
    assert "管理サイト" in client.get("/admin/").content.decode()


@pytest.mark.parametrize("model", [TargetOperation, ProcedureStep])
def test_reference_data_is_read_only_in_admin(client, superuser, model):
    client.force_login(superuser)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    first = model.objects.first()
    change = client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]), {"name": "x"})
    assert change.status_code == 403
    assert model.objects.get(pk=first.pk).name != "x"


def test_admin_exports_registries_with_formulas_neutralised(client, superuser, vendor):
    from vendors.models import Vendor

    Vendor.objects.filter(pk=vendor.pk).update(contact_name="=cmd|' /C calc'!A0")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:vendors_vendor_export"),
        {
            "format": "1",
            "vendorresource_id": "on",
            "vendorresource_name": "on",
            "vendorresource_contact_name": "on",
            "export_items": [vendor.pk],
        },
    )
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "株式会社みらい自治体システムズ" in text and "'=cmd" in text
