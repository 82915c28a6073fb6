"""Vendor isolation: a vendor user sees only its own company's RFIs, answers, files and contracts;
municipal staff only their municipality's. Two vendors, two municipalities, every page/API/download."""

import datetime as dt

import pytest
from django.urls import reverse

from vendors import services
from vendors.models import RfiAttachment, RfiResponse
from vendors.tests.conftest import pdf


@pytest.fixture
def world(users, vendor_b, city_rfi, town_rfi, answer, city, town, vendor, other_vendor, today):
    """B answers both RFIs (with files); A answers the city's; contracts for each municipality."""
    a_response = answer(users["vendor"], city_rfi, with_file=True)
    b_city = answer(vendor_b, city_rfi, with_file=True)
    b_town = answer(vendor_b, town_rfi, with_file=True)
    city_contract = services.create_contract(
        actor=users["dx"], municipality=city, vendor=vendor, package_name="Aパッケージ",
        start_date=dt.date(2024, 4, 1), end_date=dt.date(2027, 3, 31),
    )  # fmt: skip
    town_contract = services.create_contract(
        actor=users["other_dx"], municipality=town, vendor=other_vendor, package_name="Bパッケージ",
        start_date=dt.date(2024, 4, 1), end_date=dt.date(2027, 3, 31),
    )  # fmt: skip
    city_doc = services.add_contract_document(actor=users["dx"], contract=city_contract, file=pdf("契約書A.pdf"))
    town_doc = services.add_contract_document(actor=users["other_dx"], contract=town_contract, file=pdf("契約書B.pdf"))
    return {
        "a_response": a_response,
        "b_city": b_city,
        "b_town": b_town,
        "city_contract": city_contract,
        "town_contract": town_contract,
        "city_doc": city_doc,
        "town_doc": town_doc,
    }


def ids(response):
    return sorted(row["id"] for row in response.json()["results"])


def test_vendor_pages_show_only_own_company(client, users, vendor_b, world, city_rfi, town_rfi):
    client.force_login(users["vendor"])
    inbox = client.get(reverse("vendors:rfi_inbox")).content.decode()
    assert city_rfi.title in inbox and town_rfi.title not in inbox
    assert "Aパッケージ" in inbox and "Bパッケージ" not in inbox
    assert client.get(reverse("vendors:rfi_answer", args=[city_rfi.id])).status_code == 200
    assert client.get(reverse("vendors:rfi_answer", args=[town_rfi.id])).status_code == 404
    assert client.get(reverse("vendors:cost_template", args=[town_rfi.id])).status_code == 404
    # another vendor's answer to the same RFI, and to another municipality's RFI
    assert client.get(reverse("vendors:response_detail", args=[world["b_city"].id])).status_code == 404
    assert client.get(reverse("vendors:response_detail", args=[world["b_town"].id])).status_code == 404
    assert client.get(reverse("vendors:response_detail", args=[world["a_response"].id])).status_code == 200
    page = client.get(reverse("vendors:rfi_answer", args=[city_rfi.id])).content.decode()
    assert "株式会社ひかり情報サービス" not in page  # never learns who else was invited
    # municipal pages are closed to vendors
    for name, args in [
        ("vendors:home", []), ("vendors:rfi_detail", [city_rfi.id]), ("vendors:rfi_comparison", [city_rfi.id]),
        ("vendors:rfi_comparison_export", [city_rfi.id]), ("vendors:rfp_create", []),
    ]:  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_vendor_file_downloads_only_own(client, users, vendor_b, world, city_rfi, town_rfi):
    client.force_login(users["vendor"])
    a_file = world["a_response"].files.get()
    b_file = world["b_city"].files.get()
    own = client.get(reverse("vendors:download", args=["response", a_file.id]))
    assert own.status_code == 200
    assert "filename*=utf-8''%E6%8F%90%E6%A1%88%E8%B3%87%E6%96%99.pdf" in own["Content-Disposition"]  # 提案資料.pdf
    assert b"".join(own.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("vendors:download", args=["response", b_file.id])).status_code == 404
    city_att = RfiAttachment.objects.get(rfi=city_rfi)
    town_att = RfiAttachment.objects.get(rfi=town_rfi)
    assert client.get(reverse("vendors:download", args=["rfi", city_att.id])).status_code == 200
    assert client.get(reverse("vendors:download", args=["rfi", town_att.id])).status_code == 404
    assert client.get(reverse("vendors:download", args=["contract", world["city_doc"].id])).status_code == 200
    assert client.get(reverse("vendors:download", args=["contract", world["town_doc"].id])).status_code == 404

    client.force_login(vendor_b)
    assert client.get(reverse("vendors:download", args=["rfi", town_att.id])).status_code == 200
    assert client.get(reverse("vendors:download", args=["response", a_file.id])).status_code == 404
    assert client.get(reverse("vendors:download", args=["contract", world["city_doc"].id])).status_code == 404


def test_municipal_downloads_only_own_municipality(client, users, world, city_rfi, town_rfi):
    client.force_login(users["dx"])
    b_city_file = world["b_city"].files.get()
    b_town_file = world["b_town"].files.get()
    assert client.get(reverse("vendors:download", args=["response", b_city_file.id])).status_code == 200
    assert client.get(reverse("vendors:download", args=["response", b_town_file.id])).status_code == 404
    town_att = RfiAttachment.objects.get(rfi=town_rfi)
    assert client.get(reverse("vendors:download", args=["rfi", town_att.id])).status_code == 404
    assert client.get(reverse("vendors:download", args=["contract", world["town_doc"].id])).status_code == 404
    for name in ["vendors:rfi_detail", "vendors:rfi_comparison", "vendors:rfi_comparison_export"]:
        assert client.get(reverse(name, args=[town_rfi.id])).status_code == 404, name
    assert client.get(reverse("vendors:response_detail", args=[world["b_town"].id])).status_code == 404
    assert client.get(reverse("vendors:contract_edit", args=[world["town_contract"].id])).status_code == 404


def test_municipal_staff_never_see_drafts(client, users, city_rfi, answer):
    draft = answer(users["vendor"], city_rfi, submit=False)
    client.force_login(users["dx"])
    assert client.get(reverse("vendors:response_detail", args=[draft.id])).status_code == 404
    assert client.get("/api/v1/rfi-responses/").json()["count"] == 0


def test_api_isolation_for_vendors(client, users, vendor_b, world, city_rfi, town_rfi):
    client.force_login(users["vendor"])
    assert ids(client.get("/api/v1/rfis/")) == [city_rfi.id]
    assert client.get(f"/api/v1/rfis/{town_rfi.id}/").status_code == 404
    detail = client.get(f"/api/v1/rfis/{city_rfi.id}/").json()
    assert "invitations" not in detail and "projects" not in detail
    assert detail["attachments"][0]["original_name"] == "RFI資料_あおば市.pdf"
    assert ids(client.get("/api/v1/rfi-responses/")) == [world["a_response"].id]
    assert client.get(f"/api/v1/rfi-responses/{world['b_city'].id}/").status_code == 404
    assert client.get(f"/api/v1/rfi-responses/{world['b_town'].id}/").status_code == 404
    assert ids(client.get("/api/v1/contracts/")) == [world["city_contract"].id]
    assert client.get(f"/api/v1/contracts/{world['town_contract'].id}/").status_code == 404
    assert [v["name"] for v in client.get("/api/v1/vendors/").json()["results"]] == ["株式会社みらい自治体システムズ"]
    assert client.get("/api/v1/rfps/").status_code == 403
    assert client.get(f"/api/v1/rfis/{city_rfi.id}/comparison/").status_code == 403
    # cannot write another vendor's answer, nor answer an RFI it was not invited to
    put = client.put(
        f"/api/v1/rfi-responses/{world['b_city'].id}/", {"version": 1, "answers": []}, content_type="application/json"
    )
    assert put.status_code == 404
    post = client.post("/api/v1/rfi-responses/", {"rfi": town_rfi.id, "answers": []}, content_type="application/json")
    assert post.status_code == 404
    assert client.post(f"/api/v1/rfi-responses/{world['b_city'].id}/submit/", {"version": 1}).status_code == 404
    # vendors cannot create RFIs or contracts
    create = client.post("/api/v1/rfis/", {"title": "x", "deadline": "2030-01-01"}, content_type="application/json")
    assert create.status_code == 403
    assert client.post(f"/api/v1/rfis/{city_rfi.id}/send/", {"version": 1}).status_code == 403


def test_api_isolation_for_municipalities(client, users, world, city_rfi, town_rfi):
    client.force_login(users["dx"])
    assert ids(client.get("/api/v1/rfis/")) == [city_rfi.id]
    assert client.get(f"/api/v1/rfis/{town_rfi.id}/").status_code == 404
    assert ids(client.get("/api/v1/rfi-responses/")) == sorted([world["a_response"].id, world["b_city"].id])
    assert client.get(f"/api/v1/rfi-responses/{world['b_town'].id}/").status_code == 404
    assert ids(client.get("/api/v1/contracts/")) == [world["city_contract"].id]
    detail = client.get(f"/api/v1/rfis/{city_rfi.id}/").json()
    names = {i["vendor_name"] for i in detail["invitations"]}
    assert names == {"株式会社みらい自治体システムズ", "株式会社ひかり情報サービス"}
    assert client.get(f"/api/v1/rfis/{town_rfi.id}/comparison/").status_code == 404
    # managers read only
    client.force_login(users["manager"])
    assert client.post(f"/api/v1/rfis/{city_rfi.id}/send/", {"version": 1}).status_code == 403


def test_rfps_are_scoped_to_the_municipality(client, users, city, town, vendor, resident_project, town_project):
    city_rfp = services.create_rfp(
        actor=users["dx"], municipality=city, title="あおば市RFP", projects=[resident_project], vendors=[vendor]
    )
    town_rfp = services.create_rfp(
        actor=users["other_dx"], municipality=town, title="みなみ町RFP", projects=[town_project], vendors=[vendor]
    )
    client.force_login(users["dx"])
    assert ids(client.get("/api/v1/rfps/")) == [city_rfp.id]
    assert client.get(f"/api/v1/rfps/{town_rfp.id}/").status_code == 404
    assert client.get(reverse("vendors:rfp_detail", args=[town_rfp.id])).status_code == 404
    assert client.get(reverse("vendors:rfp_detail", args=[city_rfp.id])).status_code == 200
    client.force_login(users["vendor"])
    assert client.get(reverse("vendors:rfp_detail", args=[city_rfp.id])).status_code == 403


def test_rfi_not_yet_sent_is_invisible_to_vendors(client, users, city, vendor, today):
    rfi = services.create_rfi(
        actor=users["dx"], municipality=city, title="下書きRFI", deadline=today + dt.timedelta(days=5), vendors=[vendor]
    )
    client.force_login(users["vendor"])
    assert client.get(f"/api/v1/rfis/{rfi.id}/").status_code == 404
    assert client.get(reverse("vendors:rfi_answer", args=[rfi.id])).status_code == 404
    assert RfiResponse.objects.count() == 0


def test_vendor_cannot_write_to_another_vendors_response(client, users, vendor_b, world, city_rfi, town_rfi):
    from vendors.models import RfiResponseFile

    client.force_login(users["vendor"])
    files_before = RfiResponseFile.objects.count()
    for other in (world["b_city"], world["b_town"]):
        upload = client.post(f"/api/v1/rfi-responses/{other.id}/files/", {"file": pdf("混入.pdf"), "version": 1})
        assert upload.status_code == 404
    assert RfiResponseFile.objects.count() == files_before
    template = client.get(reverse("vendors:cost_template", args=[city_rfi.id])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    foreign = client.post(
        "/api/v1/rfi-responses/import-costs/",
        {"rfi": town_rfi.id, "file": SimpleUploadedFile("費用表.xlsx", template)},
    )
    assert foreign.status_code == 404
    own = client.post(
        "/api/v1/rfi-responses/import-costs/",
        {"rfi": city_rfi.id, "file": SimpleUploadedFile("費用表.xlsx", template)},
    )
    assert own.status_code == 200, own.content
    assert own.json()["vendor"] == users["vendor"].vendor_id  # only its own answer got a new version
    assert RfiResponse.objects.filter(invitation__vendor=vendor_b.vendor).count() == 2  # B's untouched
    assert not RfiResponse.objects.filter(invitation__vendor=vendor_b.vendor, state="draft").exists()


def test_dx_office_cannot_touch_another_municipalitys_rfi(client, users, world, town_rfi, vendor_b, today):
    client.force_login(users["dx"])
    attachments_before = RfiAttachment.objects.filter(rfi=town_rfi).count()
    assert client.post(f"/api/v1/rfis/{town_rfi.id}/attachments/", {"file": pdf("混入.pdf")}).status_code == 404
    reopen = client.post(
        f"/api/v1/rfis/{town_rfi.id}/reopen/",
        {"vendor": vendor_b.vendor_id, "until": str(today)},
        content_type="application/json",
    )
    assert reopen.status_code == 404
    # the same through the pages
    page = client.post(reverse("vendors:rfi_action", args=[town_rfi.id, "attachment"]), {"file": pdf("混入.pdf")})
    assert page.status_code == 404
    invitation = town_rfi.invitations.get()
    page = client.post(
        reverse("vendors:rfi_action", args=[town_rfi.id, "reopen"]),
        {"invitation": invitation.id, "until": str(today)},
    )
    assert page.status_code == 404
    assert RfiAttachment.objects.filter(rfi=town_rfi).count() == attachments_before
    invitation.refresh_from_db()
    assert invitation.reopened_until is None


def test_vendor_user_cannot_invite_staff_or_add_contract_documents(client, users, world, vendor):
    from portal.models import User
    from vendors.models import ContractDocument

    client.force_login(users["vendor"])
    users_before = User.objects.count()
    invite = client.post(
        f"/api/v1/vendors/{vendor.id}/invite/",
        {"username": "intruder", "email": "intruder@example.jp", "last_name": "侵入"},
        content_type="application/json",
    )
    assert invite.status_code == 403
    assert User.objects.count() == users_before
    documents_before = ContractDocument.objects.count()
    own_company = client.post(f"/api/v1/contracts/{world['city_contract'].id}/documents/", {"file": pdf("偽.pdf")})
    assert own_company.status_code == 403  # it may read its company's contract, never add to it
    other = client.post(f"/api/v1/contracts/{world['town_contract'].id}/documents/", {"file": pdf("偽.pdf")})
    assert other.status_code == 404
    page = client.post(
        reverse("vendors:contract_document_upload", args=[world["city_contract"].id]), {"file": pdf("偽.pdf")}
    )
    assert page.status_code == 403
    assert ContractDocument.objects.count() == documents_before


def test_step_suggestions_of_another_municipality_are_not_found(client, users, town_rfi):
    client.force_login(users["dx"])
    url = reverse("vendors:step_suggestions", args=["rfi", town_rfi.id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"apply": ["1:done"]}).status_code == 404
