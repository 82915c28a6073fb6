"""A vendor answers an RFI with a file and submits; the DX office opens the comparison."""

import datetime as dt
import re

import pytest

from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def sent_rfi(users, city, vendor, resident_project):
    from django.utils import timezone

    from vendors import services

    rfi = services.create_rfi(
        actor=users["dx"],
        municipality=city,
        title="住民記録システムRFI",
        deadline=timezone.localdate() + dt.timedelta(days=14),
        projects=[resident_project],
        vendors=[vendor],
    )
    return services.send_rfi(actor=users["dx"], rfi=rfi, expected_version=rfi.version)


def test_vendor_answers_with_a_file_and_the_dx_office_compares(page, live_server, users, sent_rfi, tmp_path):
    from vendors.models import RfiResponse

    log_in(page, live_server, "vendor")
    page.get_by_role("link", name="情報提供依頼（RFI）の一覧へ").first.click()
    page.get_by_role("link", name="住民記録システムRFI").click()
    page.get_by_role("heading", name="RFI「住民記録システムRFI」への回答").wait_for()

    for question in sent_rfi.questions.all():
        page.locator(f"#q{question.id}_gov_cloud").fill(f"問{question.number}: 令和7年度に提供予定")
        page.locator(f"#q{question.id}_local_cloud").fill("提供予定なし")
    page.get_by_label("標準準拠システム／ガバメントクラウドの場合 初期費用 設計").fill("1,000,000")
    page.get_by_label("標準準拠システム／ガバメントクラウドの場合 運用経費（年間） ソフトウェア費用").fill("200000")
    page.get_by_label("標準準拠システム／ガバメントクラウドの場合 初期費用 その他", exact=True).fill("50000")
    page.get_by_role("button", name="下書き保存").click()
    page.get_by_text("「その他」に金額を入れた場合は、その他費用の説明を入力してください。").wait_for()
    assert page.get_by_label("標準準拠システム／ガバメントクラウドの場合 初期費用 設計").input_value() == "1,000,000"
    page.get_by_label("標準準拠システム／ガバメントクラウドの場合 初期費用 その他費用の説明").fill("外字作成")
    page.get_by_role("button", name="下書き保存").click()
    page.get_by_text("下書き（第1版）を保存しました。").wait_for()

    attachment = tmp_path / "提案概要.pdf"
    attachment.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("#id_file").set_input_files(str(attachment))
    page.get_by_role("button", name="ファイルを添付").click()
    page.get_by_text("ファイル「提案概要.pdf」を添付しました。").wait_for()
    assert page.get_by_role("link", name="提案概要.pdf").is_visible()

    page.get_by_role("button", name="提出する").click()
    page.get_by_text("回答（第1版）を提出しました。").wait_for()
    response = RfiResponse.objects.get()
    assert response.state == "submitted" and response.files.get().original_name == "提案概要.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vendor-rfi-answer.png"), full_page=True)

    page.get_by_role("button", name=re.compile("ログアウト")).click()
    log_in(page, live_server, "dx")
    page.goto(f"{live_server.url}/vendors/")
    page.get_by_role("link", name="「住民記録システムRFI」の回答比較").click()
    page.get_by_role("heading", name="RFI「住民記録システムRFI」の回答比較").wait_for()
    body = page.locator("main").inner_text()
    assert "株式会社みらい自治体システムズ" in body
    assert "問1: 令和7年度に提供予定" in body
    assert "2,050,000円" in body  # 1,050,000 + 5 × 200,000
    page.screenshot(path=str(ARTIFACTS / "rfi-comparison.png"), full_page=True)
