import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from migration.models import MigrationProject, StepProgress
from portal.models import User
from vendors import selectors, services
from vendors.models import Contract, RfpScore


@pytest.fixture
def rfp(users, city, vendor, other_vendor, resident_project, make_project):
    """An RFP for 住民基本台帳 (current vendor A) and 個人住民税 (current vendor B)."""
    MigrationProject.objects.filter(pk=resident_project.pk).update(current_vendor=vendor)
    tax = make_project(city, 4, "税務課", current_vendor=other_vendor)
    rfp = services.create_rfp(
        actor=users["dx"], municipality=city, title="住民記録・税RFP", projects=[resident_project, tax],
        vendors=[vendor, other_vendor],
    )  # fmt: skip
    services.add_criterion(actor=users["dx"], rfp=rfp, name="提案書", weight=60, max_score=5)
    services.add_criterion(actor=users["dx"], rfp=rfp, name="デモ", weight=40, max_score=5)
    return rfp


def _select(users, rfp, vendor, **extra):
    rfp.refresh_from_db()
    return services.record_selection(
        actor=users["dx"], rfp=rfp, expected_version=rfp.version, vendor=vendor, reason="総合評価が最も高い",
        decided_on=dt.date(2025, 1, 20), package_name="標準準拠パッケージ", start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2030, 3, 31), amount=120_000_000, **extra,
    )  # fmt: skip


def test_scores_weighted_totals_and_ranking(users, rfp, vendor, other_vendor):
    proposal, demo = rfp.criteria.all()
    scores = {
        (proposal.id, vendor.id): 5,
        (demo.id, vendor.id): 2,
        (proposal.id, other_vendor.id): 3,
        (demo.id, other_vendor.id): 5,
    }
    services.save_scores(actor=users["dx"], rfp=rfp, scores=scores)
    # the owning department evaluates too
    services.save_scores(actor=users["dept"], rfp=rfp, scores={(proposal.id, vendor.id): 3})
    ranking = selectors.rfp_ranking(rfp)
    a = next(r for r in ranking if r["vendor"] == vendor)
    b = next(r for r in ranking if r["vendor"] == other_vendor)
    assert a["total"] == pytest.approx(4 / 5 * 60 + 2 / 5 * 40)  # mean of 5 and 3 for 提案書
    assert b["total"] == pytest.approx(3 / 5 * 60 + 5 / 5 * 40)
    assert (a["rank"], b["rank"]) == (2, 1)
    with pytest.raises(ValidationError, match="0〜5の範囲"):
        services.save_scores(actor=users["dx"], rfp=rfp, scores={(proposal.id, vendor.id): 6})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_scores(actor=users["manager"], rfp=rfp, scores={(proposal.id, vendor.id): 1})
    assert RfpScore.objects.count() == 5


def test_selection_creates_contract_and_sets_patterns(users, rfp, vendor, other_vendor, resident_project):
    _select(users, rfp, vendor)
    rfp.refresh_from_db()
    contract = rfp.contract
    assert (contract.vendor, contract.amount, contract.kind) == (vendor, 120_000_000, "introduction")
    assert set(contract.projects.values_list("operation__number", flat=True)) == {1, 4}
    patterns = dict(MigrationProject.objects.values_list("operation__number", "migration_pattern"))
    assert patterns == {1: "B", 4: "A"}  # 住民 stays with A (same vendor), 税 changes B → A
    step9 = StepProgress.objects.get(project=resident_project, step__number=9)
    assert step9.status == "not_applicable"  # Bパターン: RFP/selection not needed

    # changing the decision updates the same contract, and the patterns follow
    _select(users, rfp, other_vendor)
    assert Contract.objects.count() == 1
    contract.refresh_from_db()
    assert contract.vendor == other_vendor and contract.version == 2
    patterns = dict(MigrationProject.objects.values_list("operation__number", "migration_pattern"))
    assert patterns == {1: "A", 4: "B"}
    assert rfp.history.count() >= 2


def test_selection_validation(users, rfp, city):
    from vendors.models import Vendor

    outsider = Vendor.objects.create(name="外部", corporate_number="2010001012343")
    with pytest.raises(ValidationError) as error:
        _select(users, rfp, outsider)
    assert "選定ベンダは提案ベンダの中から選んでください。" in error.value.message_dict["vendor"]


def test_selection_through_the_api(client, users, rfp, vendor):
    client.force_login(users["dx"])
    body = {"version": rfp.version, "vendor": vendor.id, "reason": "価格", "decided_on": "2025-01-20",
            "package_name": "P", "start_date": "2025-04-01", "end_date": "2030-03-31", "amount": 1000}  # fmt: skip
    response = client.post(f"/api/v1/rfps/{rfp.id}/select/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["selected_vendor_name"] == vendor.name
    again = client.post(f"/api/v1/rfps/{rfp.id}/select/", body, content_type="application/json")
    assert again.status_code == 409  # stale version
    criteria = client.post(f"/api/v1/rfps/{rfp.id}/criteria/", {"name": "プレゼン", "weight": 10})
    assert criteria.status_code == 201
    scores = client.post(
        f"/api/v1/rfps/{rfp.id}/scores/",
        [{"criterion": criteria.json()["id"], "vendor": vendor.id, "score": 4}],
        content_type="application/json",
    )
    assert scores.status_code == 200 and scores.json()["ranking"][0]["vendor"] == vendor.id


def test_selection_page_keeps_input_on_error(client, users, rfp, vendor):
    client.force_login(users["dx"])
    url = reverse("vendors:rfp_detail", args=[rfp.id])
    page = client.post(url, {"what": "select", "version": rfp.version, "vendor": vendor.id, "reason": "理由あり",
                             "decided_on": "2025-01-20", "package_name": "残るパッケージ名", "kind": "introduction",
                             "start_date": "2025-04-01", "end_date": "2024-03-31"})  # fmt: skip
    html = page.content.decode()
    assert "契約終了日は契約開始日以降の日付にしてください。" in html and "残るパッケージ名" in html
    page = client.post(url, {"what": "scores", f"s_{rfp.criteria.first().id}_{vendor.id}": "x"})
    assert "0以上の整数で入力してください" in page.content.decode()


def test_step_suggestions_after_rfi_and_selection(client, users, city_rfi, resident_project, rfp, vendor, today):
    suggestions = selectors.step_suggestions(rfi=city_rfi)
    assert [(s.progress.step.number, s.status) for s in suggestions] == [(5, "done"), (6, "in_progress")]
    client.force_login(users["dx"])
    url = reverse("vendors:step_suggestions", args=["rfi", city_rfi.id])
    page = client.get(url).content.decode()
    assert "手順5" in page and "RFI資料を作成し送付しました" in page
    chosen = [s.key for s in suggestions if s.progress.step.number == 5]
    assert client.post(url, {"apply": chosen}).status_code == 302
    step5 = StepProgress.objects.get(project=resident_project, step__number=5)
    assert (step5.status, step5.actual_end) == ("done", today)
    assert StepProgress.objects.get(project=resident_project, step__number=6).status == "not_started"  # not ticked
    assert [s.progress.step.number for s in selectors.step_suggestions(rfi=city_rfi)] == [6]
    # after selection: 9/10 done (unless 対象外 by pattern B) and 11 in progress
    _select(users, rfp, vendor)
    rfp.refresh_from_db()
    numbers = {(s.progress.project.operation.number, s.progress.step.number, s.status)
               for s in selectors.step_suggestions(rfp=rfp)}  # fmt: skip
    assert (1, 11, "in_progress") in numbers and (1, 9, "done") not in numbers  # 住民 is B: 9 is 対象外
    assert (4, 9, "done") in numbers and (4, 10, "done") in numbers  # 税 is A: RFP and selection happened


def test_department_cannot_apply_suggestions_of_other_department(client, users, city_rfi, resident_project):
    client.force_login(users["tax"])
    url = reverse("vendors:step_suggestions", args=["rfi", city_rfi.id])
    suggestions = selectors.step_suggestions(rfi=city_rfi)
    page = client.post(url, {"apply": [s.key for s in suggestions]})
    assert page.status_code == 200 and "権限がありません" in page.content.decode()
    assert StepProgress.objects.get(project=resident_project, step__number=5).status == "not_started"


def test_contract_kind_amount_documents_and_warnings(client, users, city, vendor, resident_project, today):
    MigrationProject.objects.filter(pk=resident_project.pk).update(target_go_live=today + dt.timedelta(days=400))
    services.create_contract(
        actor=users["dx"], municipality=city, vendor=vendor, package_name="延長が必要な契約", kind="maintenance",
        amount=5_500_000, start_date=dt.date(2020, 4, 1), end_date=today + dt.timedelta(days=300),
        projects=[resident_project],
    )  # fmt: skip
    services.create_contract(
        actor=users["dx"], municipality=city, vendor=vendor, package_name="もうすぐ終わる契約", kind="saas",
        start_date=dt.date(2020, 4, 1), end_date=today + dt.timedelta(days=60),
    )  # fmt: skip
    services.create_contract(
        actor=users["dx"], municipality=city, vendor=vendor, package_name="長い契約", kind="consulting",
        start_date=dt.date(2020, 4, 1), end_date=today + dt.timedelta(days=2000),
    )  # fmt: skip
    warnings = {w.contract.package_name: w for w in selectors.contract_warnings(users["dx"])}
    assert set(warnings) == {"延長が必要な契約", "もうすぐ終わる契約"}
    assert warnings["延長が必要な契約"].needs_extension == [resident_project]
    assert warnings["もうすぐ終わる契約"].ending_soon
    city.contract_warning_months = 12
    city.save()
    users["dx"].municipality.refresh_from_db()
    assert selectors.contract_warnings(users["dx"])[0].ending_soon
    client.force_login(users["dx"])
    html = client.get(reverse("vendors:home")).content.decode()
    assert "⚠ 契約延長が必要" in html and "保守・運用" in html and "5,500,000円" in html
    # API: kind and amount
    created = client.post(
        "/api/v1/contracts/",
        {"vendor": vendor.id, "package_name": "API契約", "kind": "gov_cloud_assistant", "amount": 100,
         "start_date": "2025-04-01", "end_date": "2026-03-31", "projects": [resident_project.id]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["kind_display"] == "ガバメントクラウド運用管理補助者"
    negative = client.post(
        "/api/v1/contracts/",
        {"vendor": vendor.id, "package_name": "x", "amount": -1, "start_date": "2025-04-01", "end_date": "2026-03-31"},
        content_type="application/json",
    )
    assert negative.status_code == 400


def test_contract_page_with_document_upload(client, users, city, vendor, resident_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["dx"])
    response = client.post(
        reverse("vendors:contract_create"),
        {"vendor": vendor.id, "package_name": "新契約", "kind": "introduction", "projects": [resident_project.id],
         "start_date": "2025-04-01", "end_date": "2030-03-31", "amount": "3000000", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get(package_name="新契約")
    upload = client.post(
        reverse("vendors:contract_document_upload", args=[contract.id]),
        {"file": SimpleUploadedFile("契約書（写し）.pdf", b"%PDF-1.7\n%%EOF")},
    )
    assert upload.status_code == 302
    document = contract.documents.get()
    download = client.get(reverse("vendors:download", args=["contract", document.id]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    bad = client.post(
        reverse("vendors:contract_document_upload", args=[contract.id]),
        {"file": SimpleUploadedFile("virus.pdf", b"\x00\x01binary")},
    )
    assert bad.status_code == 200 and "このファイルの形式は受け付けられません" in bad.content.decode()


def test_invitation_email_sets_the_password_once(client, users, vendor, django_capture_on_commit_callbacks):
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("vendors:vendor_detail", args=[vendor.id]),
            {"username": "mirai_sato", "last_name": "佐藤", "first_name": "花子", "email": "sato@mirai.example.jp"},
        )
    assert page.status_code == 302
    user = User.objects.get(username="mirai_sato")
    assert (user.role, user.vendor, user.has_usable_password()) == ("vendor", vendor, False)
    assert mail.outbox[-1].to == ["sato@mirai.example.jp"]
    link = re.search(r"https?://\S+(/vendor/welcome/\S+/)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("vendors:vendor_detail", args=[vendor.id]), {"resend": user.id})
    assert len(mail.outbox) == 2 and "/vendor/welcome/" in mail.outbox[-1].body
    client.logout()
    form = client.get(link, follow=True)
    assert "パスワードの設定" in form.content.decode()
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(set_url, {"new_password1": "Aoba-Portal-2025!", "new_password2": "Aoba-Portal-2025!"})
    assert done.status_code == 302
    assert client.login(username="mirai_sato", password="Aoba-Portal-2025!")
    client.logout()
    reused = client.get(link, follow=True).content.decode()
    assert "このリンクは使用済みか、有効期限が切れています" in reused
    with pytest.raises(ValidationError, match="既にパスワードを設定済み"):
        services.resend_invitation(actor=users["dx"], user=User.objects.get(username="mirai_sato"))
    # the same ID again is refused in Japanese, input kept
    client.force_login(users["dx"])
    again = client.post(
        reverse("vendors:vendor_detail", args=[vendor.id]),
        {"username": "mirai_sato", "last_name": "鈴木", "email": "x@example.jp"},
    )
    assert "このログインIDは既に使われています" in again.content.decode() and "鈴木" in again.content.decode()


def test_vendor_registry_validates_corporate_number(client, users):
    client.force_login(users["dx"])
    page = client.post(reverse("vendors:vendor_create"), {"name": "新ベンダ", "corporate_number": "1234567890123"})
    assert page.status_code == 200 and "新ベンダ" in page.content.decode()
    assert "法人番号" in page.content.decode()
    client.force_login(users["dept"])
    assert client.post(reverse("vendors:vendor_create"), {"name": "x"}).status_code == 403


def test_dx_pages_render(client, users, city_rfi, rfp, vendor):
    client.force_login(users["dx"])
    for name, args in [
        ("vendors:home", []), ("vendors:rfi_create", []), ("vendors:rfi_detail", [city_rfi.id]),
        ("vendors:rfi_edit", [city_rfi.id]), ("vendors:rfp_create", []), ("vendors:rfp_detail", [rfp.id]),
        ("vendors:vendor_detail", [vendor.id]), ("vendors:vendor_create", []), ("vendors:contract_create", []),
    ]:  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 200, name
    client.force_login(users["dept"])
    assert client.get(reverse("vendors:home")).status_code == 200
    assert client.get(reverse("vendors:rfi_create")).status_code == 403


def test_rfi_created_and_sent_from_pages(
    client, users, vendor, resident_project, today, django_capture_on_commit_callbacks
):
    from vendors.models import Rfi

    client.force_login(users["dx"])
    url = reverse("vendors:rfi_create")
    page = client.post(url, {"title": "ページから", "deadline": "", "vendors": [vendor.id]})
    assert page.status_code == 200 and "ページから" in page.content.decode()
    page = client.post(url, {"title": "ページから", "deadline": str(today + dt.timedelta(days=5)),
                             "vendors": [vendor.id], "projects": [resident_project.id]})  # fmt: skip
    rfi = Rfi.objects.get(title="ページから")
    assert page.status_code == 302 and rfi.invitations.count() == 1
    client.post(reverse("vendors:rfi_action", args=[rfi.id, "question"]), {"text": "独自の質問"})
    assert rfi.questions.filter(is_standard=False).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("vendors:rfi_action", args=[rfi.id, "send"]), {"version": rfi.version})
    assert sent.status_code == 302
    rfi.refresh_from_db()
    assert rfi.state == "sent" and mail.outbox[-1].to == ["vendor@example.jp"]
    resend = client.post(reverse("vendors:rfi_action", args=[rfi.id, "send"]), {"version": rfi.version})
    assert resend.status_code == 400 and "既に送付済み" in resend.content.decode()


def test_vendor_edit_page_and_api_are_versioned(client, users, vendor):
    client.force_login(users["dx"])
    url = reverse("vendors:vendor_edit", args=[vendor.id])
    data = {"version": 1, "name": "株式会社みらい自治体システムズ", "corporate_number": vendor.corporate_number,
            "address": "鹿児島市山下町1-1", "contact_name": "", "contact_email": "", "contact_phone": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    vendor.refresh_from_db()
    assert (vendor.address, vendor.version) == ("鹿児島市山下町1-1", 2)
    stale = client.post(url, {**data, "address": "古い画面からの住所"})
    assert "この内容を先に更新したため、保存できませんでした" in stale.content.decode()
    assert "古い画面からの住所" in stale.content.decode()
    api = client.patch(f"/api/v1/vendors/{vendor.id}/", {"version": 2, "contact_name": "田中"},
                       content_type="application/json")  # fmt: skip
    assert api.status_code == 200 and api.json()["version"] == 3
    assert (
        client.patch(f"/api/v1/vendors/{vendor.id}/", {"version": 2}, content_type="application/json").status_code
        == 409
    )
    client.force_login(users["vendor"])
    assert (
        client.patch(f"/api/v1/vendors/{vendor.id}/", {"version": 3}, content_type="application/json").status_code
        == 403
    )


def test_selection_changing_b_to_a_brings_steps_9_and_10_back(users, rfp, vendor, other_vendor, resident_project):
    _select(users, rfp, vendor)  # 住民基本台帳 stays with its vendor: B, steps 9–10 対象外
    statuses = dict(
        StepProgress.objects.filter(project=resident_project, step__number__in=[9, 10]).values_list(
            "step__number", "status"
        )
    )
    assert statuses == {9: "not_applicable", 10: "not_applicable"}
    _select(users, rfp, other_vendor)  # now the vendor changes: A
    resident_project.refresh_from_db()
    assert resident_project.migration_pattern == "A"
    steps = StepProgress.objects.filter(project=resident_project, step__number__in=[9, 10]).order_by("step__number")
    assert [s.status for s in steps] == ["not_started", "not_started"]
    assert all(s.history.first().history_user == users["dx"] for s in steps)
    # and the suggestions now offer 9 and 10 as done for 住民基本台帳 too
    rfp.refresh_from_db()
    numbers = {(s.progress.project.operation.number, s.progress.step.number, s.status)
               for s in selectors.step_suggestions(rfp=rfp)}  # fmt: skip
    assert {(1, 9, "done"), (1, 10, "done")} <= numbers


def test_step_suggestions_after_the_deadline(client, users, city_rfi, resident_project, today):
    from vendors.models import Rfi

    Rfi.objects.filter(pk=city_rfi.pk).update(deadline=today - dt.timedelta(days=1))
    city_rfi.refresh_from_db()
    suggestions = selectors.step_suggestions(rfi=city_rfi)
    assert [(s.progress.step.number, s.status) for s in suggestions] == [
        (5, "done"),
        (6, "done"),
        (7, "in_progress"),
    ]
    client.force_login(users["dx"])
    url = reverse("vendors:step_suggestions", args=["rfi", city_rfi.id])
    assert "RFIの回答期限が過ぎました" in client.get(url).content.decode()
    assert client.post(url, {"apply": [s.key for s in suggestions]}).status_code == 302
    statuses = dict(
        StepProgress.objects.filter(project=resident_project, step__number__in=[5, 6, 7]).values_list(
            "step__number", "status"
        )
    )
    assert statuses == {5: "done", 6: "done", 7: "in_progress"}
    assert selectors.step_suggestions(rfi=city_rfi) == []  # only forward moves: nothing left


def test_step_suggestions_after_creating_an_rfp(client, users, rfp):
    suggestions = selectors.step_suggestions(rfp=rfp)
    assert {(s.progress.project.operation.number, s.progress.step.number, s.status) for s in suggestions} == {
        (1, 9, "in_progress"),
        (4, 9, "in_progress"),
    }
    client.force_login(users["dx"])
    url = reverse("vendors:step_suggestions", args=["rfp", rfp.id])
    assert "RFP（提案依頼）を実施中です" in client.get(url).content.decode()
    client.force_login(users["vendor"])
    assert client.get(url).status_code == 403
