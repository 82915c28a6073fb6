"""Answer page and API: save+submit in one step, submitting only the latest draft, amount and 説明 limits,
score parsing, and a comparison workbook with many vendors."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vendors import services
from vendors.models import RfiCostLine, RfiInvitation, RfiResponse, Vendor
from vendors.tests.conftest import cost, full_answers

TOO_BIG = "金額が大きすぎます。999,999,999,999,999円以下で入力してください。"


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _form(rfi, answered_questions, based_on="", version=""):
    data = {"what": "submit", "based_on": based_on, "version": version}
    for q in answered_questions:
        data[f"q{q.id}_gov_cloud"] = f"回答{q.number}"
    return data


# ---------------------------------------------------------------------------
# 1. Page: save + submit is one transaction; a refused submission leaves the page's version current
# ---------------------------------------------------------------------------
def test_submit_with_a_missing_answer_then_again_succeeds(users, city_rfi, client):
    client.force_login(users["vendor"])
    url = reverse("vendors:rfi_answer", args=[city_rfi.id])
    questions = list(city_rfi.questions.all())
    page = client.post(url, _form(city_rfi, questions[:-1]))
    html = page.content.decode()
    assert page.status_code == 400 and f"問{questions[-1].number}が未回答です" in html
    assert "回答1" in html  # input kept
    assert RfiResponse.objects.count() == 0  # nothing half-saved
    again = client.post(url, _form(city_rfi, questions, _hidden(html, "based_on"), _hidden(html, "version")))
    assert again.status_code == 302, again.content.decode()
    assert RfiResponse.objects.get().state == "submitted"


def test_submit_with_a_missing_answer_on_an_existing_draft_then_again_succeeds(users, city_rfi, client, answer):
    draft = answer(users["vendor"], city_rfi, submit=False)
    client.force_login(users["vendor"])
    url = reverse("vendors:rfi_answer", args=[city_rfi.id])
    html = client.get(url).content.decode()
    based_on, version = _hidden(html, "based_on"), _hidden(html, "version")
    assert (based_on, version) == (str(draft.id), str(draft.version))
    questions = list(city_rfi.questions.all())
    data = _form(city_rfi, questions, based_on, version)
    data[f"q{questions[0].id}_gov_cloud"] = data[f"q{questions[0].id}_local_cloud"] = ""
    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 400 and "問1が未回答です" in html
    assert (_hidden(html, "based_on"), _hidden(html, "version")) == (str(draft.id), str(draft.version))
    data = _form(city_rfi, questions, _hidden(html, "based_on"), _hidden(html, "version"))
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted" and draft.answers.get(question=questions[0]).gov_cloud == "回答1"


def test_after_a_conflict_the_page_carries_the_current_version(users, city_rfi, client, answer):
    draft = answer(users["vendor"], city_rfi, submit=False)
    client.force_login(users["vendor"])
    url = reverse("vendors:rfi_answer", args=[city_rfi.id])
    html = client.get(url).content.decode()
    seen = {"based_on": _hidden(html, "based_on"), "version": _hidden(html, "version")}
    # a colleague saves meanwhile
    services.save_response(
        actor=users["vendor"], invitation=draft.invitation, answers={}, based_on_id=draft.id,
        expected_version=draft.version,
    )  # fmt: skip
    questions = list(city_rfi.questions.all())
    conflict = client.post(url, _form(city_rfi, questions, **seen))
    html = conflict.content.decode()
    assert conflict.status_code == 400 and "先に更新したため" in html and "回答1" in html
    assert _hidden(html, "version") == str(draft.version + 1)
    assert client.post(url, _form(city_rfi, questions, str(draft.id), _hidden(html, "version"))).status_code == 302


def test_save_and_submit_service_saves_nothing_when_refused(users, city_rfi):
    invitation = RfiInvitation.objects.get(rfi=city_rfi, vendor=users["vendor"].vendor)
    with pytest.raises(ValidationError, match="未回答です"):
        services.save_and_submit_response(actor=users["vendor"], invitation=invitation, answers={})
    assert not invitation.responses.exists()
    submitted = services.save_and_submit_response(
        actor=users["vendor"], invitation=invitation, answers=full_answers(city_rfi)
    )
    assert (submitted.number, submitted.state) == (1, "submitted")


# ---------------------------------------------------------------------------
# 2. API: submit only this version, and only when it is the latest draft at the version read
# ---------------------------------------------------------------------------
def test_api_submit_of_an_old_version_changes_nothing(users, city_rfi, answer, client):
    first = answer(users["vendor"], city_rfi)  # 第1版 submitted
    second = services.save_response(
        actor=users["vendor"], invitation=first.invitation, answers={}, based_on_id=first.id,
        expected_version=first.version,
    )  # fmt: skip  # 第2版 draft
    client.force_login(users["vendor"])
    response = client.post(f"/api/v1/rfi-responses/{first.id}/submit/", {"version": second.version})
    assert response.status_code == 409
    assert "新しい第2版があります" in response.json()["detail"]
    second.refresh_from_db()
    assert second.state == "draft" and second.submitted_at is None  # the draft was not submitted behind the 409


def test_api_submit_checks_state_and_version_first(users, city_rfi, answer, client):
    submitted = answer(users["vendor"], city_rfi)
    client.force_login(users["vendor"])
    again = client.post(f"/api/v1/rfi-responses/{submitted.id}/submit/", {"version": submitted.version})
    assert again.status_code == 409 and "既に提出済みです" in again.json()["detail"]
    draft = services.save_response(
        actor=users["vendor"], invitation=submitted.invitation, answers=full_answers(city_rfi),
        based_on_id=submitted.id, expected_version=submitted.version,
    )  # fmt: skip
    stale = client.post(f"/api/v1/rfi-responses/{draft.id}/submit/", {"version": draft.version + 5})
    assert stale.status_code == 409 and stale.json()["current_version"] == draft.version
    draft.refresh_from_db()
    assert draft.state == "draft"
    ok = client.post(f"/api/v1/rfi-responses/{draft.id}/submit/", {"version": draft.version})
    assert ok.status_code == 200 and ok.json()["id"] == draft.id and ok.json()["state"] == "submitted"


def test_service_refuses_a_response_that_is_not_the_latest_draft(users, city_rfi, answer):
    from portal.concurrency import StaleObjectError

    first = answer(users["vendor"], city_rfi)
    second = services.save_response(
        actor=users["vendor"], invitation=first.invitation, answers={}, based_on_id=first.id,
        expected_version=first.version,
    )  # fmt: skip
    with pytest.raises(StaleObjectError):
        services.submit_response(
            actor=users["vendor"], invitation=first.invitation, expected_version=second.version, response_id=first.id
        )
    second.refresh_from_db()
    assert second.state == "draft"


# ---------------------------------------------------------------------------
# 4. Comparison workbook with more vendors than letters
# ---------------------------------------------------------------------------
def test_comparison_workbook_with_30_vendors(users, city_rfi, client):
    questions = list(city_rfi.questions.all())
    names = []
    for number in range(30):
        company = Vendor.objects.create(name=f"ベンダ{number:02d}", corporate_number=f"{number:013d}")
        invitation = RfiInvitation.objects.create(rfi=city_rfi, vendor=company)
        response = RfiResponse.objects.create(
            invitation=invitation, number=1, state=RfiResponse.State.SUBMITTED, submitted_at=timezone.now()
        )
        response.answers.create(question=questions[0], gov_cloud=f"回答{number}")
        RfiCostLine.objects.create(
            response=response, system_type="standard", environment="gov_cloud", category="design", amount=1000 + number
        )
        names.append(company.name)
    client.force_login(users["dx"])
    export = client.get(reverse("vendors:rfi_comparison_export", args=[city_rfi.id]))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[5]]
    # the two vendors of the fixture have not answered; column 32 is the ★ column
    assert header[0] == "項目" and header[1:31] == names
    assert sheet["AE5"].value == "ベンダ29"
    design = next(r for r in range(6, sheet.max_row + 1) if "標準準拠システム／ガバメントクラウドの場合／初期費用: 設計"
                  in str(sheet.cell(row=r, column=1).value))  # fmt: skip
    assert sheet.cell(row=design, column=31).value == 1029
    assert sheet.cell(row=design, column=32).value == "★最低額: ベンダ00"
    assert sheet.column_dimensions["AE"].width == 24 and sheet.column_dimensions["AF"].width == 24


# ---------------------------------------------------------------------------
# 5. Amounts: whole yen below 10**15, no "²"; 説明 at most 500 characters
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (10**20, TOO_BIG),
        (10**15, TOO_BIG),
        (1e20, TOO_BIG),
        ("100000000000000000000", TOO_BIG),
        ("9" * 5000, TOO_BIG),
        ("0" * 5000 + "1" + "0" * 15, TOO_BIG),
        ("²", "円単位の整数"),
        ("1²", "円単位の整数"),
        ("--5", "円単位の整数"),
        ("", None),
    ],
)
def test_cost_amount_bounds(amount, message):
    line = cost("standard", "gov_cloud", "design", amount)
    if message is None:
        assert services.clean_cost_lines([line]) == []
        return
    with pytest.raises(ValidationError) as raised:
        services.clean_cost_lines([line])
    text = raised.value.message_dict["cost_lines"][0]
    assert text.startswith("標準準拠システム／ガバメントクラウドの場合／初期費用「設計」: ") and message in text


def test_cost_amount_limits_accepted():
    lines = [
        cost("standard", "gov_cloud", "design", 10**15 - 1),
        cost("standard", "gov_cloud", "software", "１，２００"),  # full-width digits and comma
        cost("standard", "gov_cloud", "initial_other", 5, "説" * 500),
    ]
    amounts = [line["amount"] for line in services.clean_cost_lines(lines)]
    assert amounts == [10**15 - 1, 1200, 5]


def test_cost_description_length():
    with pytest.raises(ValidationError, match="その他費用の説明は500文字以内で入力してください（現在501文字）"):
        services.clean_cost_lines([cost("standard", "gov_cloud", "initial_other", 5, "説" * 501)])


def test_api_rejects_huge_amounts_and_long_descriptions_with_400(users, city_rfi, client):
    client.force_login(users["vendor"])
    for line, field_text in [
        (cost("standard", "gov_cloud", "design", 10**20), TOO_BIG),
        (cost("standard", "gov_cloud", "design", "²"), "円単位の整数"),
        (cost("standard", "gov_cloud", "initial_other", 5, "説" * 501), "500"),
    ]:
        body = {"rfi": city_rfi.id, "cost_lines": [line]}
        response = client.post("/api/v1/rfi-responses/", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert field_text in str(response.json())
    assert RfiResponse.objects.count() == 0


def test_answer_page_rejects_huge_amounts_and_long_descriptions(users, city_rfi, client):
    client.force_login(users["vendor"])
    data = {
        "what": "save",
        "c_standard_gov_cloud_design": "100000000000000000000",
        "c_standard_gov_cloud_software": "²",
        "c_standard_gov_cloud_initial_other": "10",
        "d_standard_gov_cloud_initial_other": "説" * 501,
    }
    page = client.post(reverse("vendors:rfi_answer", args=[city_rfi.id]), data)
    assert page.status_code == 400
    html = page.content.decode()
    assert f"標準準拠システム／ガバメントクラウドの場合／初期費用「設計」: {TOO_BIG}" in html
    assert (
        "標準準拠システム／ガバメントクラウドの場合／運用経費（年間）「ソフトウェア費用」: 金額は円単位の整数" in html
    )
    assert "その他費用の説明は500文字以内で入力してください（現在501文字）" in html
    assert 'value="100000000000000000000"' in html  # input kept
    assert RfiResponse.objects.count() == 0


def _cost_upload(client, rfi, cells):
    template = client.get(reverse("vendors:cost_template", args=[rfi.id]))
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["費用"]
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("費用表.xlsx", buffer.getvalue())


def test_cost_import_rejects_huge_amounts_superscripts_and_long_descriptions(users, city_rfi, client):
    client.force_login(users["vendor"])
    upload = _cost_upload(client, city_rfi, {"E2": 10**20, "E3": "²", "E4": 10**15 - 1, "E11": 100, "F11": "説" * 501})
    response = client.post("/api/v1/rfi-responses/import-costs/", {"rfi": city_rfi.id, "file": upload})
    assert response.status_code == 400, response.content
    problems = [(p["row"], p["column"], p["message"]) for p in response.json()["problems"]]
    assert problems[0] == (2, "金額（円）", TOO_BIG)
    assert problems[1][:2] == (3, "金額（円）") and "円単位の整数" in problems[1][2]
    assert problems[2][:2] == (11, "その他費用の説明") and "500文字以内" in problems[2][2]
    assert len(problems) == 3 and RfiResponse.objects.count() == 0
    page = client.post(
        reverse("vendors:rfi_answer", args=[city_rfi.id]),
        {"what": "import", "file": _cost_upload(client, city_rfi, {"E2": 10**20})},
    )
    assert page.status_code == 400 and TOO_BIG in page.content.decode()


def test_score_parsing_refuses_superscripts_and_huge_numbers(client, users, city, vendor, resident_project):
    rfp = services.create_rfp(actor=users["dx"], municipality=city, title="RFP", projects=[resident_project],
                              vendors=[vendor])  # fmt: skip
    criterion = services.add_criterion(actor=users["dx"], rfp=rfp, name="提案書", weight=100, max_score=5)
    client.force_login(users["dx"])
    url = reverse("vendors:rfp_detail", args=[rfp.id])
    field = f"s_{criterion.id}_{vendor.id}"
    page = client.post(url, {"what": "scores", field: "²"})
    assert page.status_code == 400 and "0以上の整数で入力してください" in page.content.decode()
    page = client.post(url, {"what": "scores", field: "9" * 5000})
    assert page.status_code == 400 and "0〜5の範囲で入力してください" in page.content.decode()
    assert client.post(url, {"what": "scores", field: "４"}).status_code == 302  # full-width digit
    assert rfp.criteria.get().scores.get().score == 4
