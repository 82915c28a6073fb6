"""Regressions: meeting rows across saves, API create of an existing report, reminder mails and months,
the /issues/ export, 版数 in the register workbook, bad query parameters, labels and captions."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from openpyxl import load_workbook

from migration import services
from migration.models import MonthlyReport, ReportReminder, RiskIssue
from migration.report_excel import HEADERS
from migration.tests.conftest import OCTOBER
from migration.tests.test_register_excel import _row, _workbook
from migration.tests.test_reports_pages import _report_form_data
from portal.imports import ImportRejected

JSON = "application/json"


def _results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


# --- 1. meeting rows (次月の打合せ予定) do not depend on ids across saves -----------------------


def _meeting_rows(rows, initial):
    data = {"meeting-TOTAL_FORMS": len(rows), "meeting-INITIAL_FORMS": initial}
    for index, (date, party, purpose, old_id) in enumerate(rows):
        data.update({f"meeting-{index}-date": date, f"meeting-{index}-party": party,
                     f"meeting-{index}-purpose": purpose})  # fmt: skip
        if old_id:
            data[f"meeting-{index}-id"] = old_id  # what a page rendered before the fix still posts
    return data


def test_a_stale_form_with_meeting_rows_gets_the_conflict_message_and_a_fresh_one_saves(client, users, october_report):
    report = services.save_report(
        actor=users["dept"], report=october_report, expected_version=1, data={},
        meetings=[{"date": dt.date(2025, 11, 10), "party": "ベンダA", "purpose": "移行計画"}],
    )  # fmt: skip
    old_id = report.meetings.get().id
    client.force_login(users["dept"])
    page = client.get(f"/reports/{report.id}/edit/").content.decode()
    assert 'value="ベンダA"' in page and "meeting-0-id" not in page  # rows are shown without ids

    # someone else saves (the meeting rows are replaced as a whole)
    services.save_report(
        actor=users["dx"], report=report, expected_version=2, data={"next_plan": "事務局案"},
        meetings=[{"date": dt.date(2025, 11, 10), "party": "ベンダA", "purpose": "移行計画（事務局）"}],
    )  # fmt: skip
    data = _report_form_data(october_report, version=2, next_plan="課の案")
    data.update(
        _meeting_rows([("2025-11-10", "ベンダA", "移行計画", old_id), ("2025-11-20", "コンサルB", "", None)], 1)
    )
    html = client.post(f"/reports/{report.id}/edit/", data).content.decode()
    assert "先に更新したため、保存できませんでした" in html and "あなたの入力は残してあります" in html
    assert "Id:" not in html and "正しく選択してください" not in html
    assert "課の案" in html
    assert 'value="コンサルB"' in html  # the typed rows are kept
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert version == "3"

    data["version"] = version  # the second person saves again, on purpose, from the same form
    response = client.post(f"/reports/{report.id}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.next_plan == "課の案"
    assert [(m.party, m.purpose) for m in report.meetings.order_by("date")] == [
        ("ベンダA", "移行計画"), ("コンサルB", ""),
    ]  # fmt: skip


def test_meeting_rows_can_be_deleted_and_blank_rows_are_ignored(client, users, october_report):
    services.save_report(
        actor=users["dept"], report=october_report, expected_version=1, data={},
        meetings=[{"date": dt.date(2025, 11, 10), "party": "ベンダA", "purpose": ""},
                  {"date": dt.date(2025, 11, 11), "party": "ベンダB", "purpose": ""}],
    )  # fmt: skip
    client.force_login(users["dept"])
    data = _report_form_data(october_report, version=2)
    data.update(_meeting_rows([("2025-11-10", "ベンダA", "", None), ("2025-11-11", "ベンダB", "", None),
                               ("", "", "", None)], 2))  # fmt: skip
    data["meeting-0-DELETE"] = "on"
    assert client.post(f"/reports/{october_report.id}/edit/", data).status_code == 302
    assert [m.party for m in october_report.meetings.all()] == ["ベンダB"]


# --- 2. API create of an existing report; create + save in one transaction ---------------------


def test_api_create_of_an_existing_report_is_409_and_overwrites_nothing(client, users, resident_project):
    report = services.create_report(actor=users["dx"], project=resident_project, month=OCTOBER)
    services.save_report(actor=users["dx"], report=report, expected_version=1, data={"work_done": "事務局の記入"})
    client.force_login(users["dept"])
    response = client.post(
        "/api/v1/reports/",
        {"project": resident_project.id, "month": "2025-10-01", "work_done": "上書きしてはいけない"},
        content_type=JSON,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["existing_id"] == report.id and f"/api/v1/reports/{report.id}/" in body["detail"]
    assert "既に" in body["detail"]
    report.refresh_from_db()
    assert report.work_done == "事務局の記入" and report.version == 2


def test_api_create_that_fails_validation_leaves_no_empty_draft(client, users, resident_project):
    client.force_login(users["dept"])
    response = client.post(
        "/api/v1/reports/",
        {"project": resident_project.id, "month": "2025-10-01", "overall_status": "off_track"},
        content_type=JSON,
    )
    assert response.status_code == 400 and "overall_reason" in response.json()
    assert MonthlyReport.objects.count() == 0


# --- 3. one failing reminder mail does not stop the others -------------------------------------


def test_one_failing_reminder_mail_does_not_stop_the_others(
    users, resident_project, tax_project, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = services._send_mail
    attempts = []

    def send(subject, body, sender, recipients, **kwargs):
        attempts.append(list(recipients))
        if "dept@example.jp" in recipients:
            raise OSError("SMTP server refused")
        return real_send(subject, body, sender, recipients, **kwargs)

    monkeypatch.setattr(services, "_send_mail", send)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=dt.date(2025, 11, 3)) == 2
    assert len(attempts) == 2
    assert [m.to for m in mail.outbox] == [["tax@example.jp"]]
    # the failed one is not recorded as sent, so it can be sent again today
    assert list(ReportReminder.objects.values_list("project_id", flat=True)) == [tax_project.id]


# --- 6. reminders with a due day of 1–3 start in the report's own month ----------------------


def test_reminders_with_an_early_due_day_start_in_the_reports_own_month(
    users, resident_project, city, django_capture_on_commit_callbacks
):
    city.report_due_day = 2
    city.save()
    september = services.create_report(actor=users["dept"], project=resident_project, month=dt.date(2025, 9, 1))
    services.submit_report(actor=users["dept"], report=september, expected_version=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=dt.date(2025, 10, 29)) == 0  # October's is due 11/2
        assert services.send_report_reminders(today=dt.date(2025, 10, 30)) == 1  # 3 days before
        assert services.send_report_reminders(today=dt.date(2025, 11, 1)) == 1
        assert services.send_report_reminders(today=dt.date(2025, 11, 20)) == 1  # overdue, still November
    assert set(ReportReminder.objects.values_list("month", flat=True)) == {OCTOBER}
    assert "2025年11月2日" in mail.outbox[0].body and "近づいています" in mail.outbox[0].subject
    assert services.reminder_months(city, dt.date(2025, 11, 29)) == [OCTOBER, dt.date(2025, 11, 1)]


# --- 4. /issues/ export = the list the page shows ----------------------------------------------


@pytest.fixture
def cross_and_local(users, city, resident_project):
    cross = services.create_risk_issue(
        actor=users["dept"], project=resident_project,
        data={"description": "横断", "importance": "low", "involves_dx_office": True},
    )  # fmt: skip
    local = services.create_risk_issue(
        actor=users["dept"], project=resident_project, data={"description": "課内", "importance": "high"}
    )
    return cross, local


def _numbers(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content))["課題管理表"]
    return [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]


def test_issue_list_export_link_exports_the_list_the_page_shows(client, users, cross_and_local):
    cross, local = cross_and_local
    client.force_login(users["dx"])
    page = client.get("/issues/").content.decode()
    assert "横断" in page and "課内" not in page
    link = re.search(r'href="(/issues/export/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert _numbers(client.get(link).content) == [cross.number]
    page = client.get("/issues/?scope=all&sort=importance").content.decode()
    link = re.search(r'href="(/issues/export/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert _numbers(client.get(link).content) == [local.number, cross.number]  # the page's order
    assert _numbers(client.get("/issues/export/").content) == [cross.number]


# --- 5. 版数 in the register workbook; stale rows are refused ---------------------------------


def test_register_workbook_has_a_version_column(client, users, cross_and_local, resident_project):
    cross, _ = cross_and_local
    services.update_risk_issue(actor=users["dx"], issue=cross, expected_version=1, data={"notes": "x"})
    client.force_login(users["dept"])
    sheet = load_workbook(io.BytesIO(client.get(f"/projects/{resident_project.id}/issues/?format=xlsx").content))[
        "課題管理表"
    ]
    header = [c.value for c in sheet[1]]
    assert "版数" in header and header == HEADERS
    column = header.index("版数") + 1
    assert {sheet.cell(r, 1).value: sheet.cell(r, column).value for r in (2, 3)} == {1: 2, 2: 1}


def test_import_refuses_rows_older_than_the_item_and_still_adds_new_rows(
    users, city, cross_and_local, resident_project
):
    cross, local = cross_and_local
    services.update_risk_issue(actor=users["dx"], issue=cross, expected_version=1, data={"notes": "事務局の追記"})
    old_file = _workbook([_row(No=cross.number, 版数=1, **{"認識されたリスク・課題": "古いファイルの内容"}), _row()])
    with pytest.raises(ImportRejected) as rejected:
        services.import_register(actor=users["dept"], municipality=city, file=old_file, project=resident_project)
    problem = rejected.value.problems[0]
    assert (problem.row, problem.column) == (2, "版数") and len(rejected.value.problems) == 1
    assert "更新されています" in problem.message and "ダウンロード" in problem.message
    cross.refresh_from_db()
    assert cross.description == "横断" and cross.notes == "事務局の追記" and RiskIssue.objects.count() == 2

    missing = _workbook([_row(No=local.number, **{"認識されたリスク・課題": "版数なし"})])
    with pytest.raises(ImportRejected) as rejected:
        services.import_register(actor=users["dept"], municipality=city, file=missing, project=resident_project)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(2, "版数")]

    fresh = _workbook([_row(No=cross.number, 版数=2, **{"認識されたリスク・課題": "新しい内容"}), _row()])
    result = services.import_register(actor=users["dept"], municipality=city, file=fresh, project=resident_project)
    assert result == {"created": 1, "updated": 1}
    cross.refresh_from_db()
    assert cross.description == "新しい内容" and cross.version == 3


def test_import_page_shows_a_change_made_during_the_import_instead_of_a_500(
    client, users, cross_and_local, resident_project, monkeypatch
):
    from migration import report_excel

    cross, _ = cross_and_local
    real_parse = report_excel.parse_register

    def parse_then_someone_saves(**kwargs):
        rows = real_parse(**kwargs)
        services.update_risk_issue(actor=users["dx"], issue=cross, expected_version=1, data={"notes": "同時"})
        return rows

    monkeypatch.setattr(report_excel, "parse_register", parse_then_someone_saves)
    client.force_login(users["dept"])
    file = _workbook([_row(No=cross.number, 版数=1, **{"認識されたリスク・課題": "取り込み"})])
    response = client.post(f"/projects/{resident_project.id}/issues/", {"file": file})
    html = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in html and "何も保存されていません" in html
    assert f"No.{cross.number}" in html and "ダウンロード" in html
    cross.refresh_from_db()
    assert cross.description == "横断"


def test_import_page_shows_a_service_validation_error_instead_of_a_500(
    client, users, cross_and_local, resident_project, monkeypatch
):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"description": "内容を確認してください。"})

    monkeypatch.setattr(services, "create_risk_issue", refuse)
    client.force_login(users["dept"])
    response = client.post(f"/projects/{resident_project.id}/issues/", {"file": _workbook([_row()])})
    assert response.status_code == 400 and "内容を確認してください。" in response.content.decode()


# --- 7. bad input answers 400 instead of a 500 -------------------------------------------------


def test_report_action_with_a_bad_version_is_a_400_with_a_japanese_message(client, users, october_report):
    client.force_login(users["dept"])
    response = client.post(f"/reports/{october_report.id}/submit/", {"version": "abc"})
    assert response.status_code == 400 and "読み込み直して" in response.content.decode()
    client.force_login(users["dx"])
    services.submit_report(actor=users["dept"], report=october_report, expected_version=1)
    response = client.post(f"/reports/{october_report.id}/return/", {"version": "x", "return_comment": "残す理由"})
    html = response.content.decode()
    assert response.status_code == 400 and "残す理由" in html and "読み込み直して" in html
    october_report.refresh_from_db()
    assert october_report.state == "submitted"


@pytest.mark.parametrize("query", ["department=abc", "project=abc", "municipality=x", "project=1.5"])
def test_api_filters_with_bad_ids_are_400(client, users, october_report, query):
    client.force_login(users["dx"])
    for url in ("/api/v1/reports/", "/api/v1/issues/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, response.content)
        name = query.split("=")[0]
        assert "数字" in " ".join(response.json()[name])


@pytest.mark.parametrize("month", ["2025-13", "abc", "2025-10-01", "2025"])
def test_api_filters_with_a_bad_month_are_400(client, users, october_report, month):
    client.force_login(users["dx"])
    for url in ("/api/v1/reports/", "/api/v1/issues/"):
        response = client.get(f"{url}?month={month}")
        assert response.status_code == 400, (url, response.content)
        assert "2025-10" in " ".join(response.json()["month"])
    assert [r["id"] for r in _results(client.get("/api/v1/reports/?month=2025-10"))] == [october_report.id]


# --- 8. labels and captions --------------------------------------------------------------------


def test_version_field_has_a_japanese_label_and_import_problems_have_a_caption():
    from django.template.loader import render_to_string

    from migration.forms import StepProgressForm
    from portal.imports import ImportProblem

    assert StepProgressForm().fields["version"].label == "版数"
    html = render_to_string("portal/_import_problems.html", {"problems": [ImportProblem(2, "No", "直してください")]})
    assert re.search(r"<caption>[^<]+</caption>", html)


# --- 9. API month filter includes items raised in that month's report --------------------------


def test_api_month_filter_includes_items_raised_in_the_months_report(client, users, october_report):
    services.save_report(
        actor=users["dept"], report=october_report, expected_version=1, data={},
        new_issues=[{"description": "報告で起票", "raised_on": dt.date(2025, 11, 4)}],
    )  # fmt: skip
    client.force_login(users["dx"])
    numbers = [i["description"] for i in _results(client.get("/api/v1/issues/?month=2025-10"))]
    assert numbers == ["報告で起票"]
    assert _results(client.get("/api/v1/issues/?month=2025-09")) == []
