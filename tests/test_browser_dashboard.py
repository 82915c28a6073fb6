"""The DX office's dashboard in Debian's Chromium: matrix → step, start a monthly report workbook,
watch it finish and download it."""

import datetime as dt
import io
import re

import openpyxl
import pytest

from migration.models import StepProgress
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_dx_office_starts_a_monthly_report_watches_it_and_downloads_it(page, live_server, users, resident_project):
    StepProgress.objects.filter(project=resident_project, step__number=1).update(
        status="done", actual_start=dt.date(2025, 4, 1), actual_end=dt.date(2025, 5, 1), planned_end=dt.date(2025, 5, 1)
    )
    StepProgress.objects.filter(project=resident_project, step__number=2).update(planned_end=dt.date(2025, 6, 30))
    log_in(page, live_server, "dx")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    page.get_by_role("heading", name=re.compile("ダッシュボード")).wait_for()
    matrix = page.get_by_role("table", name=re.compile("移行案件の手順ごとの状態"))
    assert "⚠遅延" in matrix.inner_text()
    assert page.get_by_role("img", name="完了手順の累計（バーンアップ）").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # a cell opens the project's step
    matrix.get_by_role("link", name=re.compile("住民基本台帳 2\\. .*遅延")).click()
    page.wait_for_url(re.compile(rf"/projects/{resident_project.id}/#step-2$"))
    page.go_back()

    page.get_by_role("link", name="月次報告書（Excel）").click()
    page.get_by_label("対象月", exact=True).select_option(label="令和7年9月")
    page.get_by_role("button", name="作成する").click()
    page.get_by_role("heading", name=re.compile("月次報告書 令和7年9月分")).wait_for()
    status = page.locator("#run-status")
    status.get_by_text("完了").wait_for()
    assert page.locator("#run-progress").get_attribute("value") == "100"
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("をダウンロード")).click()
    download = download_info.value
    assert download.suggested_filename == "月次報告書_あおば市_202509.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert book.sheetnames[0] == "概要" and book["進捗一覧"]["D2"].value == "✔完了"

    page.get_by_role("link", name="月次報告書の一覧へ").click()
    assert "令和7年9月分" in page.get_by_role("table", name=re.compile("作成の記録")).inner_text()


def test_oversight_user_reads_its_group_by_keyboard(page, live_server, users, city, town, resident_project, make_user):
    from portal.models import OversightGroup, User

    group = OversightGroup.objects.create(name="あおば市のみ", kind="prefecture")
    group.municipalities.set([city])
    make_user("watcher", User.Role.OVERSIGHT, oversight_group=group)
    log_in(page, live_server, "watcher")
    page.wait_for_url(re.compile(r"/oversight/$"))
    table = page.get_by_role("table", name=re.compile("1団体"))
    assert "あおば市" in table.inner_text() and "みなみ町" not in table.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "oversight.png"), full_page=True)
    table.get_by_role("link", name="あおば市").focus()
    page.keyboard.press("Enter")
    page.get_by_text("閲覧専用の表示です").wait_for()
    assert page.get_by_role("link", name=re.compile("住民基本台帳")).count() == 0  # no links it may not open
    assert page.get_by_role("button", name="Excel").count() == 0
    page.screenshot(path=str(ARTIFACTS / "oversight-dashboard.png"), full_page=True)
