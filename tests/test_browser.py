"""Main flows in Debian's Chromium, driven by Playwright (no browser download)."""

import re

import pytest

from migration.models import StepProgress
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_department_user_updates_a_step_and_sees_it_in_the_history(page, live_server, users, resident_project):
    log_in(page, live_server, "dept")
    page.get_by_role("link", name="住民基本台帳").click()
    page.get_by_role("heading", name=re.compile("住民基本台帳")).wait_for()

    page.get_by_role("link", name="手順3「標準仕様との比較分析」を編集").click()
    form = page.get_by_role("form", name="手順3「標準仕様との比較分析」の編集")
    form.get_by_label("状態").select_option(label="実施中")
    form.get_by_label("予定開始日").fill("2025-04-01")
    form.get_by_label("予定終了日").fill("2025-03-01")  # wrong on purpose: end before start
    form.get_by_label("実績開始日").fill("2025-04-07")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("予定終了日は予定開始日以降の日付にしてください。").wait_for()
    assert form.get_by_label("実績開始日").input_value() == "2025-04-07"  # what was typed is kept

    form.get_by_label("予定終了日").fill("2025-07-31")
    form.get_by_label("進捗率（%）").fill("25")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("手順3「標準仕様との比較分析」を保存しました。").wait_for()

    row = page.locator("#step-3")
    assert "実施中" in row.inner_text() and "R7.4.1〜R7.7.31" in row.inner_text()
    history = page.locator("table.history")
    assert "状態: 未着手 → 実施中" in history.inner_text()
    assert "予定終了日: （なし） → 令和7年7月31日" in history.inner_text()
    assert "dept" in history.locator("tbody tr").first.inner_text()

    step = StepProgress.objects.get(project=resident_project, step__number=3)
    assert (step.status, str(step.planned_end), step.percent_done) == ("in_progress", "2025-07-31", 25)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "project-detail.png"), full_page=True)


def test_keyboard_only_login_and_skip_link(page, live_server, users, resident_project):
    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # the form starts focused
    page.keyboard.type("manager")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-for-tests")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.locator("html").get_attribute("lang") == "ja"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    matrix = page.get_by_role("region", name=re.compile("進捗マトリクス"))
    matrix.get_by_role("link", name="住民基本台帳", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("住民基本台帳")).wait_for()
    assert page.get_by_role("link", name=re.compile("を編集")).count() == 0  # managers only read
