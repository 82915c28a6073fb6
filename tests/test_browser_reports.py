"""Monthly report flow in Debian's Chromium: a department submits a report with a step change and a
new 高 issue; the DX office returns it, sees it resubmitted and accepts it."""

import re

import pytest

from migration.models import MonthlyReport, RiskIssue, StepProgress
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def _log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(re.compile(r"/(login/)?"))


def test_department_submits_dx_office_returns_and_accepts(page, live_server, users, resident_project):
    log_in(page, live_server, "dept")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="進捗報告").click()
    page.get_by_role("heading", name=re.compile("進捗報告の提出状況")).wait_for()
    page.get_by_role("button", name="報告を作成").click()
    page.get_by_role("heading", name=re.compile("進捗報告書の編集")).wait_for()

    page.get_by_label("今月の実施作業").fill("現行システムの概要調査を実施")
    page.get_by_label("手順3 状態", exact=True).select_option(label="実施中")
    page.get_by_label("手順3 予定開始日", exact=True).fill("2025-04-01")
    page.get_by_label("手順3 進捗率（%）", exact=True).fill("40")
    page.get_by_label("打合せ1 日付").fill("2026-12-10")
    page.get_by_label("打合せ1 相手先").fill("ベンダA")
    page.get_by_text("新しい課題・リスクを追加する").click()
    page.get_by_label("認識されたリスク・課題").fill("外字の文字同定に想定以上の工数がかかる")
    page.get_by_label("重要度").select_option(label="高")
    page.get_by_role("group", name="関係者").get_by_label("事務局").check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-form.png"), full_page=True)
    page.get_by_role("button", name="保存して提出").click()
    page.get_by_text("進捗報告を提出しました。").wait_for()
    assert "↑ 提出済" in page.inner_text("main")
    assert "外字の文字同定" in page.locator("table.issues").inner_text()
    assert "▲ 高" in page.locator("table.issues").inner_text()

    step = StepProgress.objects.get(project=resident_project, step__number=3)
    assert (step.status, step.percent_done) == ("in_progress", 40)
    assert RiskIssue.objects.get().importance == "high"
    report = MonthlyReport.objects.get()
    _log_out(page)

    log_in(page, live_server, "dx")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="住民基本台帳").click()
    page.get_by_label("差戻しの理由（修正してほしい点）").fill("次月の予定を具体的に書いてください")
    page.get_by_role("button", name="差し戻す").click()
    page.get_by_text("進捗報告を差し戻しました。").wait_for()
    assert "↩ 差戻し" in page.inner_text("main")
    _log_out(page)

    log_in(page, live_server, "dept")
    page.goto(f"{live_server.url}/reports/{report.id}/")
    assert "次月の予定を具体的に書いてください" in page.inner_text("main")
    page.get_by_role("link", name="報告を編集").click()
    page.get_by_label("次月の検討・作業予定").fill("Fit&Gap分析に着手（12月中に帳票の比較）")
    page.get_by_role("button", name="保存して提出").click()
    page.get_by_text("進捗報告を提出しました。").wait_for()
    _log_out(page)

    log_in(page, live_server, "dx")
    page.goto(f"{live_server.url}/reports/")
    row = page.locator("table.report-board tbody tr", has_text="住民基本台帳")
    assert "↑ 提出済" in row.inner_text()
    row.get_by_role("link", name="住民基本台帳").click()
    assert "Fit&Gap分析に着手" in page.inner_text("main")
    page.get_by_role("button", name="確認済にする").click()
    page.get_by_text("進捗報告を確認済にしました。").wait_for()
    assert "✔ 確認済" in page.inner_text("main")
    report.refresh_from_db()
    assert report.state == "accepted"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-accepted.png"), full_page=True)

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="課題管理").click()
    assert "外字の文字同定" in page.locator("table.issues").inner_text()
