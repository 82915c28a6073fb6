"""Fit & Gap in Debian's Chromium: a department user filters the table and marks a gap 決定."""

import re

import pytest

from fitgap.models import GapItem
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def analysis_with_gaps(users, resident_project):
    from fitgap import services
    from fitgap.tests.conftest import SAMPLE, csv_upload

    catalogue, _ = services.import_catalogue(
        actor=users["dx"],
        municipality=resident_project.municipality,
        operation=resident_project.operation,
        title="住民記録システム標準仕様書（サンプル）",
        version_label="第1.0版",
        file=csv_upload(SAMPLE.read_text(encoding="utf-8")),
    )
    analysis = services.start_analysis(actor=users["dept"], project=resident_project, catalogue=catalogue)
    for key in ("SMPL-J-0009", "SMPL-J-0101"):
        item = analysis.items.get(key=key)
        services.update_item(
            actor=users["dept"],
            item=item,
            expected_version=1,
            data={"judgement": "gap", "impact": "high", "status": "in_progress"},
        )
    return analysis


def test_department_user_filters_the_table_and_decides_a_gap(page, live_server, users, analysis_with_gaps):
    log_in(page, live_server, "dept")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="Fit & Gap").click()
    page.get_by_role("heading", name=re.compile("Fit & Gap分析")).wait_for()
    page.get_by_role("link", name="住民基本台帳").click()
    page.get_by_role("heading", name=re.compile("住民基本台帳・市民課")).wait_for()
    assert "36行" in page.locator("table.fg-table caption").inner_text()

    filters = page.get_by_role("form", name="絞り込み")
    filters.get_by_label("判定").select_option(label="Gap")
    filters.get_by_label("影響度").select_option(label="高")
    filters.get_by_role("button", name="絞り込む").click()
    page.wait_for_url(re.compile(r"judgement=gap"))
    assert "2行（絞り込み中）" in page.locator("table.fg-table caption").inner_text()

    page.get_by_role("link", name="SMPL-J-0009「支援措置対象者の管理」を編集").click()
    form = page.get_by_role("form", name="SMPL-J-0009「支援措置対象者の管理」の編集")
    form.wait_for()
    assert page.evaluate("document.activeElement.name") == "current_support"  # focus moved into the form
    form.get_by_label("検討状況").select_option(label="決定")
    form.get_by_label("担当者").fill("市民課 佐藤")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("Gapを「決定」にするには対応方針を「未定」以外から選んでください。").wait_for()
    assert form.get_by_label("担当者").input_value() == "市民課 佐藤"  # what was typed is kept

    form.get_by_label("対応方針").select_option(label="業務運用の見直し(BPR)")
    form.get_by_label("決定内容").fill("証明書交付時の確認手順を窓口マニュアルで定める")
    form.get_by_role("button", name="保存").click()
    row = page.locator(f"#item-{analysis_with_gaps.items.get(key='SMPL-J-0009').id}")
    row.get_by_text("✔ 決定").wait_for()
    assert "市民課 佐藤" in row.inner_text()

    item = GapItem.objects.get(analysis=analysis_with_gaps, key="SMPL-J-0009")
    assert (item.status, item.policy, item.owner) == ("decided", "bpr", "市民課 佐藤")
    page.locator(".fg-percent").get_by_text("50%").wait_for()  # the summary reloads itself after the save
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "SMPL-J-0009「支援措置対象者の管理」を編集"  # keyboard focus stays on the row
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fitgap-table.png"), full_page=True)
