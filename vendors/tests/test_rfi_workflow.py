import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from portal.excel import write_cell
from vendors import selectors, services
from vendors.models import Rfi, RfiInvitation, RfiResponse
from vendors.tests.conftest import cost, full_answers, pdf


def test_create_rfi_prefills_the_standard_questions_and_send_mails_the_vendors(
    users, city, vendor, other_vendor, vendor_b, resident_project, today, django_capture_on_commit_callbacks
):
    rfi = services.create_rfi(
        actor=users["dx"], municipality=city, title="RFI", deadline=today + dt.timedelta(days=7),
        projects=[resident_project], vendors=[vendor, other_vendor],
    )  # fmt: skip
    assert [q.text for q in rfi.questions.all()][:2] == [
        "標準準拠パッケージ提供予定の有無（本団体の団体区分について）",
        "提供開始予定時期",
    ]
    services.add_rfi_question(actor=users["dx"], rfi=rfi, text="データ移行の方法は？")
    assert rfi.questions.count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        services.send_rfi(actor=users["dx"], rfi=rfi, expected_version=rfi.version)
    assert sorted(m.to[0] for m in mail.outbox) == ["vendor@example.jp", "vendor_b@example.jp"]
    assert "あおば市から情報提供依頼（RFI）「RFI」が届いています" in mail.outbox[0].body
    rfi.refresh_from_db()
    with pytest.raises(ValidationError, match="送付済みのRFIには質問を追加できません"):
        services.add_rfi_question(actor=users["dx"], rfi=rfi, text="遅れた質問")


def test_only_the_dx_office_creates_rfis(users, city, today):
    from django.core.exceptions import PermissionDenied

    for who in ["dept", "manager", "other_dx", "vendor"]:
        with pytest.raises(PermissionDenied):
            services.create_rfi(actor=users[who], municipality=city, title="x", deadline=today)


def test_deadline_locks_answers_and_reopen_for_one_vendor(users, vendor_b, city_rfi, answer, today, client):
    answer(users["vendor"], city_rfi, submit=False)
    Rfi.objects.filter(pk=city_rfi.pk).update(deadline=today - dt.timedelta(days=1))
    invitation = RfiInvitation.objects.get(rfi=city_rfi, vendor=users["vendor"].vendor)
    with pytest.raises(ValidationError, match="回答期限を過ぎたため"):
        answer(users["vendor"], city_rfi)
    client.force_login(users["vendor"])
    latest = invitation.responses.get()
    api = client.put(
        f"/api/v1/rfi-responses/{latest.id}/",
        {"version": latest.version, "answers": []},
        content_type="application/json",
    )
    assert api.status_code == 400 and "回答期限を過ぎたため" in api.json()["non_field_errors"][0]
    page = client.get(reverse("vendors:rfi_answer", args=[city_rfi.id])).content.decode()
    assert "締切（回答は変更できません）" in page and "提出する" not in page

    # the DX office reopens for this vendor only
    client.force_login(users["dx"])
    response = client.post(
        f"/api/v1/rfis/{city_rfi.id}/reopen/", {"vendor": users["vendor"].vendor_id, "until": str(today)}
    )
    assert response.status_code == 200, response.content
    submitted = answer(users["vendor"], city_rfi)
    assert submitted.state == RfiResponse.State.SUBMITTED
    with pytest.raises(ValidationError, match="回答期限を過ぎたため"):
        answer(vendor_b, city_rfi)


def test_resubmission_keeps_earlier_versions_and_the_dx_office_sees_all(
    users, city_rfi, answer, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = answer(users["vendor"], city_rfi, text="第一案", with_file=True)
    assert "への回答（第1版）を受け付けました" in mail.outbox[-1].body
    second = answer(users["vendor"], city_rfi, text="第二案")
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.state == "submitted" and first.answers.first().gov_cloud == "第一案（ガバクラ）"
    assert second.answers.first().gov_cloud == "第二案（ガバクラ）"
    assert second.files.get().original_name == "提案資料.pdf"  # carried into the new version
    client.force_login(users["dx"])
    listed = client.get(f"/api/v1/rfi-responses/?rfi={city_rfi.id}").json()["results"]
    assert sorted(r["number"] for r in listed) == [1, 2]
    comparison = selectors.rfi_comparison(city_rfi)
    assert comparison["responses"][0].number == 2  # the comparison uses the latest submitted version
    page = client.get(reverse("vendors:rfi_detail", args=[city_rfi.id])).content.decode()
    assert "第1版" in page and "第2版" in page


def test_stale_draft_is_refused(users, city_rfi, answer):
    draft = answer(users["vendor"], city_rfi, submit=False)
    invitation = draft.invitation
    services.save_response(
        actor=users["vendor"], invitation=invitation, answers={}, based_on_id=draft.id, expected_version=draft.version
    )
    from portal.concurrency import StaleObjectError

    with pytest.raises(StaleObjectError):
        services.save_response(
            actor=users["vendor"],
            invitation=invitation,
            answers={},
            based_on_id=draft.id,
            expected_version=draft.version,
        )


def test_submission_needs_every_question_answered(users, city_rfi):
    invitation = RfiInvitation.objects.get(rfi=city_rfi, vendor=users["vendor"].vendor)
    draft = services.save_response(actor=users["vendor"], invitation=invitation, answers={})
    with pytest.raises(ValidationError, match="問1、問2、問3、問4が未回答です"):
        services.submit_response(actor=users["vendor"], invitation=invitation, expected_version=draft.version)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (cost("standard", "gov_cloud", "design", -1), "0円以上"),
        (cost("standard", "gov_cloud", "design", 1.5), "小数は使えません"),
        (cost("standard", "gov_cloud", "design", "12万"), "円単位の整数"),
        (cost("standard", "gov_cloud", "initial_other", 1000), "その他費用の説明を入力してください"),
        (cost("standard", "mars", "design", 1), "区分・環境・費目の指定が正しくありません"),
    ],
)
def test_cost_validation(line, message):
    with pytest.raises(ValidationError, match=message):
        services.clean_cost_lines([line])


def test_cost_totals_and_five_year_total(users, city_rfi, answer):
    response = answer(
        users["vendor"], city_rfi, costs=[
            cost("standard", "gov_cloud", "design", 1_000_000),
            cost("standard", "gov_cloud", "data_migration", "2,000,000"),
            cost("standard", "gov_cloud", "initial_other", 500_000, "文字フォント"),
            cost("standard", "gov_cloud", "software", 300_000),
            cost("non_standard", "gov_cloud", "maintenance", 100_000),
            cost("standard", "local_cloud", "design", 900_000),
        ],
    )  # fmt: skip
    totals = selectors.cost_totals(selectors.cost_cells(response))
    assert totals[("standard", "gov_cloud")] == {"initial": 3_500_000, "annual": 300_000, "five_year": 5_000_000}
    assert totals[("all", "gov_cloud")] == {"initial": 3_500_000, "annual": 400_000, "five_year": 5_500_000}
    assert totals[("all", "local_cloud")]["five_year"] == 900_000


def test_comparison_marks_the_lowest_and_lists_vendors_without_answers(
    users, vendor_b, city_rfi, answer, client, django_assert_max_num_queries
):
    answer(
        users["vendor"],
        city_rfi,
        costs=[cost("standard", "gov_cloud", "design", 100), cost("standard", "gov_cloud", "software", 50)],
    )
    answer(
        vendor_b,
        city_rfi,
        costs=[cost("standard", "gov_cloud", "design", 80), cost("standard", "gov_cloud", "software", 60)],
    )
    data = selectors.rfi_comparison(city_rfi)
    names = [v.name for v in data["vendors"]]
    design = next(
        r for r in data["cost_rows"] if r.label.endswith("初期費用: 設計") and "標準準拠システム／ガバ" in r.label
    )
    assert design.values[names.index("株式会社ひかり情報サービス")] == 80
    assert design.lowest == {names.index("株式会社ひかり情報サービス")}
    five = next(r for r in data["total_rows"] if "ガバメント" in r.label and "5年間" in r.label)
    assert five.values[names.index("株式会社みらい自治体システムズ")] == 100 + 5 * 50
    assert five.lowest == {names.index("株式会社みらい自治体システムズ")}  # 350 < 80 + 300

    client.force_login(users["dx"])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("vendors:rfi_comparison", args=[city_rfi.id]))
    assert "★最低" in page.content.decode()
    export = client.get(reverse("vendors:rfi_comparison_export", args=[city_rfi.id]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[5]]
    assert header[0] == "項目" and set(header[1:3]) == set(names)
    rows = {sheet.cell(row=r, column=1).value: r for r in range(6, sheet.max_row + 1)}
    label = "合計（ガバメントクラウドの場合）／初期費用＋5年間の運用経費"
    row = rows[label]
    values = {sheet.cell(row=5, column=c).value: sheet.cell(row=row, column=c).value for c in (2, 3)}
    assert values == {"株式会社みらい自治体システムズ": 350, "株式会社ひかり情報サービス": 380}
    assert sheet.cell(row=row, column=4).value == "★最低額: 株式会社みらい自治体システムズ"


def test_comparison_lists_missing_vendor_and_neutralises_formulas(users, vendor_b, city_rfi, answer, client):
    answer(users["vendor"], city_rfi, text='=HYPERLINK("http://x")')
    client.force_login(users["dx"])
    page = client.get(reverse("vendors:rfi_comparison", args=[city_rfi.id])).content.decode()
    assert "未回答のベンダ" in page and "— 株式会社ひかり情報サービス" in page
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("vendors:rfi_comparison_export", args=[city_rfi.id])).content)
    ).active
    assert "株式会社ひかり情報サービス" in sheet["A2"].value
    cell = sheet["B6"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_cost_table_xlsx_round_trip(users, city_rfi, client):
    client.force_login(users["vendor"])
    template = client.get(reverse("vendors:cost_template", args=[city_rfi.id]))
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["費用"]
    assert [c.value for c in sheet[1]] == [
        "区分",
        "環境",
        "費用の種類",
        "費目",
        "金額（円）",
        "その他費用の説明",
        "コード",
    ]
    assert sheet.max_row == 1 + 2 * 2 * 14
    codes = {sheet.cell(row=r, column=7).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=codes["standard:gov_cloud:design"], column=5, value=1_200_000)
    sheet.cell(row=codes["standard:gov_cloud:initial_other"], column=5, value=30_000)
    write_cell(sheet, codes["standard:gov_cloud:initial_other"], 6, "=外字作成")  # typed as text
    sheet.cell(row=codes["non_standard:local_cloud:hardware"], column=5, value=45_000)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("費用表.xlsx", buffer.getvalue())
    response = client.post("/api/v1/rfi-responses/import-costs/", {"rfi": city_rfi.id, "file": upload})
    assert response.status_code == 200, response.content
    lines = {(c["system_type"], c["environment"], c["category"]): (c["amount"], c["description"])
             for c in response.json()["cost_lines"]}  # fmt: skip
    assert lines == {
        ("standard", "gov_cloud", "design"): (1_200_000, ""),
        ("standard", "gov_cloud", "initial_other"): (30_000, "=外字作成"),
        ("non_standard", "local_cloud", "hardware"): (45_000, ""),
    }
    # downloading again gives the saved values back, the formula-like text stays text
    again = load_workbook(io.BytesIO(client.get(reverse("vendors:cost_template", args=[city_rfi.id])).content))["費用"]
    assert again.cell(row=codes["standard:gov_cloud:design"], column=5).value == 1_200_000
    other = again.cell(row=codes["standard:gov_cloud:initial_other"], column=6)
    assert other.value == "=外字作成" and other.data_type == "s"


def test_cost_table_upload_is_all_or_nothing_with_cell_errors(users, city_rfi, client):
    client.force_login(users["vendor"])
    book = load_workbook(io.BytesIO(client.get(reverse("vendors:cost_template", args=[city_rfi.id])).content))
    sheet = book["費用"]
    sheet["E2"] = 1000  # valid
    sheet["E3"] = -5
    sheet["E4"] = 10.5
    sheet["E11"] = 100  # standard:gov_cloud:initial_other without 説明
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        "/api/v1/rfi-responses/import-costs/",
        {"rfi": city_rfi.id, "file": SimpleUploadedFile("c.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (3, "金額（円）"),
        (4, "金額（円）"),
        (11, "その他費用の説明"),
    ]
    assert RfiResponse.objects.count() == 0  # nothing saved
    page = client.post(
        reverse("vendors:rfi_answer", args=[city_rfi.id]),
        {"what": "import", "file": SimpleUploadedFile("c.xlsx", buffer.getvalue())},
    )
    assert page.status_code == 400
    assert "3件の問題があったため、取り込みませんでした" in page.content.decode()


def test_files_checked_by_content_and_size(users, city_rfi, settings):
    invitation = RfiInvitation.objects.get(rfi=city_rfi, vendor=users["vendor"].vendor)
    fake = SimpleUploadedFile("偽物.pdf", b"MZ\x90\x00 this is an exe")
    with pytest.raises(ValidationError, match="このファイルの形式は受け付けられません"):
        services.add_response_file(actor=users["vendor"], invitation=invitation, file=fake)
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="ファイルが大きすぎます"):
        services.add_response_file(actor=users["vendor"], invitation=invitation, file=pdf())


def test_stored_files_are_under_media_root_not_static(users, city_rfi, answer, settings):
    from pathlib import Path

    response = answer(users["vendor"], city_rfi, with_file=True)
    stored = response.files.get()
    path = Path(stored.file.path).resolve()
    assert str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    assert "static" not in path.parts and path.name != "提案資料.pdf"


def test_deadline_reminder_is_sent_once_three_days_before(
    users, vendor_b, city_rfi, answer, today, django_capture_on_commit_callbacks
):
    from vendors.tasks import send_rfi_deadline_reminders

    Rfi.objects.filter(pk=city_rfi.pk).update(deadline=today + dt.timedelta(days=3))
    answer(vendor_b, city_rfi)  # B already submitted: no reminder for B
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_rfi_deadline_reminders.delay().get() == 1
    assert [m.to for m in mail.outbox] == [["vendor@example.jp"]]
    assert "回答期限" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert send_rfi_deadline_reminders.delay().get() == 0
    assert len(mail.outbox) == 1
    assert RfiInvitation.objects.get(rfi=city_rfi, vendor=users["vendor"].vendor).reminder_sent_on == today
    assert "あと3日" in mail.outbox[0].body


def test_no_reminder_too_early_or_after_the_deadline(users, city_rfi, today, django_capture_on_commit_callbacks):
    for days in (4, -1):
        Rfi.objects.filter(pk=city_rfi.pk).update(deadline=today + dt.timedelta(days=days))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_rfi_deadline_reminders(today=today) == 0
    assert mail.outbox == []


def test_answer_page_keeps_input_on_errors_and_submits(users, city_rfi, client):
    client.force_login(users["vendor"])
    questions = list(city_rfi.questions.all())
    data = {"what": "submit", "based_on": "", "version": ""}
    for q in questions:
        data[f"q{q.id}_gov_cloud"] = f"回答{q.number}"
    data["c_standard_gov_cloud_design"] = "-3"
    data["c_standard_gov_cloud_annual_other"] = "5000"
    page = client.post(reverse("vendors:rfi_answer", args=[city_rfi.id]), data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "標準準拠システム／ガバメントクラウドの場合／初期費用「設計」: 金額は0円以上で入力してください。" in html
    assert "「その他」に金額を入れた場合は、その他費用の説明を入力してください。" in html
    assert 'value="-3"' in html and "回答1" in html  # input kept
    assert RfiResponse.objects.count() == 0
    data["c_standard_gov_cloud_design"] = "1,000"
    data["d_standard_gov_cloud_annual_other"] = "回線費"
    page = client.post(reverse("vendors:rfi_answer", args=[city_rfi.id]), data)
    assert page.status_code == 302
    response = RfiResponse.objects.get()
    assert response.state == "submitted" and response.cost_lines.count() == 2


def test_api_vendor_answers_and_submits(users, city_rfi, client, django_capture_on_commit_callbacks):
    client.force_login(users["vendor"])
    body = {
        "rfi": city_rfi.id,
        "answers": [
            {"question": q, "gov_cloud": g, "local_cloud": loc} for q, (g, loc) in full_answers(city_rfi).items()
        ],
        "cost_lines": [cost("standard", "gov_cloud", "design", 5000)],
    }
    created = client.post("/api/v1/rfi-responses/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == "draft" and data["number"] == 1
    upload = client.post(
        f"/api/v1/rfi-responses/{data['id']}/files/", {"file": pdf("見積書.pdf"), "version": data["version"]}
    )
    assert upload.status_code == 201, upload.content
    current = client.get(f"/api/v1/rfi-responses/{data['id']}/").json()
    assert current["files"][0]["original_name"] == "見積書.pdf"
    bad = client.put(
        f"/api/v1/rfi-responses/{data['id']}/",
        {"version": current["version"], "cost_lines": [cost("standard", "gov_cloud", "design", -1)]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "0円以上" in bad.json()["cost_lines"][0]
    stale = client.post(f"/api/v1/rfi-responses/{data['id']}/submit/", {"version": 1})
    assert stale.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"/api/v1/rfi-responses/{data['id']}/submit/", {"version": current["version"]})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"
    assert mail.outbox[-1].subject.startswith("【受付】")
    totals = {(t["system_type"], t["environment"]): t for t in submitted.json()["totals"]}
    assert totals[("standard", "gov_cloud")]["five_year"] == 5000


def test_api_dx_office_creates_edits_and_sends_an_rfi(
    client, users, vendor, other_vendor, resident_project, town_project, today, django_capture_on_commit_callbacks
):
    client.force_login(users["dx"])
    deadline = str(today + dt.timedelta(days=20))
    body = {"title": "API RFI", "deadline": deadline, "projects": [resident_project.id], "vendors": [vendor.id]}
    created = client.post("/api/v1/rfis/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    rfi = created.json()
    assert len(rfi["questions"]) == 4 and [i["vendor"] for i in rfi["invitations"]] == [vendor.id]
    foreign = client.post("/api/v1/rfis/", {**body, "projects": [town_project.id]}, content_type="application/json")
    assert foreign.status_code == 400  # another municipality's project is not offered
    question = client.post(f"/api/v1/rfis/{rfi['id']}/questions/", {"text": "連携方式は？"})
    assert question.status_code == 201 and question.json()["number"] == 5
    attachment = client.post(f"/api/v1/rfis/{rfi['id']}/attachments/", {"file": pdf("仕様書.pdf")})
    assert attachment.status_code == 201 and attachment.json()["original_name"] == "仕様書.pdf"
    edited = client.patch(
        f"/api/v1/rfis/{rfi['id']}/",
        {"version": rfi["version"], "vendors": [vendor.id, other_vendor.id]},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert len(edited.json()["invitations"]) == 2
    stale = client.patch(
        f"/api/v1/rfis/{rfi['id']}/", {"version": rfi["version"], "title": "x"}, content_type="application/json"
    )
    assert stale.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/rfis/{rfi['id']}/send/", {"version": edited.json()["version"]})
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert len(mail.outbox) == 1  # only vendor A has a user with an e-mail address

    client.force_login(users["vendor"])
    for method, url, data in [
        ("patch", f"/api/v1/rfis/{rfi['id']}/", {"version": 3, "title": "x"}),
        ("post", f"/api/v1/rfis/{rfi['id']}/questions/", {"text": "x"}),
        ("post", f"/api/v1/rfis/{rfi['id']}/reopen/", {"vendor": vendor.id, "until": deadline}),
    ]:
        response = getattr(client, method)(url, data, content_type="application/json")
        assert response.status_code == 403, url
