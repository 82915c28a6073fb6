"""Monthly report workbook runs: the real task builds the workbook, read back cell by cell;
states, automatic retry, no duplicate while one runs, the beat task, pages and API."""

import io

import openpyxl
import pytest
from django.urls import reverse

from migration.models import RiskIssue
from portal.dashboard import services
from portal.models import ReportRun
from portal.tests.dashboard_fixtures import D, set_step

pytestmark = pytest.mark.django_db

SHEETS = ["概要", "進捗一覧", "部署別", "課題一覧", "提出状況", "スケジュール"]


def start(users, city, month, capture):
    with capture(execute=True):
        run, created = services.request_report_run(actor=users["dx"], municipality=city, month=month)
    run.refresh_from_db()
    return run, created


def test_workbook_generated_by_the_real_task(known, users, city, django_capture_on_commit_callbacks):
    set_step(known["resident"], 6, planned_start=D(2025, 8, 1), planned_end=D(2025, 9, 1))  # late at the end of Sep
    RiskIssue.objects.filter(number=3).update(due_date=D(2025, 9, 20))
    run, created = start(users, city, D(2025, 9, 1), django_capture_on_commit_callbacks)
    assert created
    assert run.state == "done", run.error
    assert (run.progress, run.attempts) == (100, 1)
    assert run.started_at and run.finished_at
    assert run.result_name == "月次報告書_あおば市_202509.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(run.result_file.read()))
    assert book.sheetnames == SHEETS

    summary = book["概要"]
    assert summary["A1"].value == "あおば市 標準化移行 月次報告書（令和7年9月分）"
    assert summary["B4"].value == "令和7年9月" and summary["C4"].value == "令和7年8月"
    figures = {summary.cell(row=r, column=1).value: r for r in range(5, 20)}
    row = figures["完了手順数"]
    # at the end of September: 3 + 1 done, plus 対象外 (step 2 of 固定資産税) → 5; at the end of August the same
    assert (summary.cell(row=row, column=2).value, summary.cell(row=row, column=3).value) == (5, 5)
    row = figures["未完了の課題・リスク"]
    # issues 1, 2 (Aug), 3 (Sep) open at the end of September; issue 4 raised and closed in September
    assert (summary.cell(row=row, column=2).value, summary.cell(row=row, column=3).value) == (3, 2)
    assert summary.cell(row=row, column=4).value == 1
    assert len(summary._charts) == 2  # native Excel charts
    assert summary.freeze_panes == "A5"
    column_a = [summary.cell(row=r, column=1).value for r in range(1, summary.max_row + 1)]
    first = column_a.index("令和7年9月に完了した手順")
    assert column_a[first + 2] == "なし"  # nothing was finished in September
    first = column_a.index("令和7年9月に起票・完了した課題・リスク")
    assert column_a[first + 2 : first + 4] == [3, 4]

    progress = book["進捗一覧"]
    assert progress["A1"].value == "業務" and progress["D1"].value.startswith("1. ")
    assert progress["A2"].value == "住民基本台帳"
    assert progress["D2"].value == "✔完了" and progress["D2"].fill.fgColor.rgb.endswith("C6EFCE")
    assert progress["G2"].value == "▶実施中" and progress["G2"].fill.fgColor.rgb.endswith("DDEBF7")
    assert progress["I2"].value == "・未着手（遅延）" and progress["I2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert progress["E3"].value == "－対象外"
    assert progress.freeze_panes == "D2"
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 8  # A3
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage

    departments = book["部署別"]
    names = [departments.cell(row=r, column=1).value for r in range(1, departments.max_row + 1)]
    assert "市民課" in names and "税務課" in names

    issues = book["課題一覧"]
    numbers = [issues.cell(row=r, column=1).value for r in range(2, issues.max_row + 1)]
    assert numbers == [1, 2, 3, 4]  # open ones and the one closed in the month
    assert issues["K2"].value is None  # due 2025-10-01: not yet overdue at the end of September
    assert issues["K4"].value == "超過" and issues["K4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert issues["G2"].value == "令和7年8月1日"

    submissions = book["提出状況"]
    assert submissions["C3"].value == "提出済" and submissions["C4"].value == "未作成"
    schedule = book["スケジュール"]
    assert schedule["E1"].value == "R7.5" and schedule.freeze_panes == "E2"
    assert schedule["E2"].value == "予実"


def test_run_page_polls_and_offers_the_download(client, known, users, city, django_capture_on_commit_callbacks):
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:report_runs"), {"month": "2025-09"})
    run = ReportRun.objects.get()
    assert response.url == reverse("dashboard:report_run", args=[run.id])
    page = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "をダウンロード" in page and "hx-get" not in page
    download = client.get(reverse("dashboard:report_run_download", args=[run.id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    listing = client.get(reverse("dashboard:report_runs")).content.decode()
    assert "令和7年9月分" in listing and run.result_name in listing


def test_waiting_run_page_polls(client, users, city):
    run = ReportRun.objects.create(municipality=city, month=D(2025, 9, 1))
    client.force_login(users["manager"])
    page = client.get(reverse("dashboard:report_run", args=[run.id])).content.decode()
    assert f'hx-get="/dashboard/reports/{run.id}/"' in page and "待機" in page


def test_only_the_dx_office_starts_a_run_and_bad_months_are_refused(client, users, city):
    client.force_login(users["manager"])
    assert client.post(reverse("dashboard:report_runs"), {"month": "2025-09"}).status_code == 403
    client.force_login(users["dx"])
    response = client.post(reverse("dashboard:report_runs"), {"month": "2999-01"})
    assert response.status_code == 400
    assert "対象月を選んでください" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_no_duplicate_while_one_runs(users, city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 1))
        second, created_again = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 15))
    assert created and not created_again
    assert first.id == second.id and len(callbacks) == 1
    ReportRun.objects.filter(pk=first.pk).update(state="running")
    third, created = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 1))
    assert third.id == first.id and not created
    # another month, or the same month once finished, starts a new one
    ReportRun.objects.filter(pk=first.pk).update(state="done")
    fourth, created = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 1))
    assert created and fourth.id != first.id


def test_database_refuses_two_active_runs(city):
    from django.db import IntegrityError, transaction

    ReportRun.objects.create(municipality=city, month=D(2025, 9, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(municipality=city, month=D(2025, 9, 1), state="running")


def test_failed_run_is_retried_then_stays_failed(users, city, monkeypatch, django_capture_on_commit_callbacks):
    from portal.dashboard import report_workbook

    calls = []

    def broken(municipality, month, report):
        calls.append(month)
        report(40)
        raise RuntimeError("集計に失敗")

    monkeypatch.setattr(report_workbook, "build_monthly_workbook", broken)
    run, _created = start(users, city, D(2025, 9, 1), django_capture_on_commit_callbacks)
    assert len(calls) == services.MAX_ATTEMPTS == 3
    assert run.state == "failed" and run.attempts == 3 and run.finished_at
    assert run.error.splitlines() == [
        "1回目: RuntimeError: 集計に失敗",
        "2回目: RuntimeError: 集計に失敗",
        "3回目: RuntimeError: 集計に失敗",
    ]
    assert not run.result_file


def test_a_retry_can_succeed(known, users, city, monkeypatch, django_capture_on_commit_callbacks):
    from portal.dashboard import report_workbook

    real, calls = report_workbook.build_monthly_workbook, []

    def flaky(municipality, month, report):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("一時的な障害")
        return real(municipality, month, report=report)

    monkeypatch.setattr(report_workbook, "build_monthly_workbook", flaky)
    run, _created = start(users, city, D(2025, 9, 1), django_capture_on_commit_callbacks)
    assert run.state == "done" and run.attempts == 2
    assert "1回目: ConnectionError" in run.error


def test_failed_run_is_visible_on_its_page(client, users, city):
    run = ReportRun.objects.create(municipality=city, month=D(2025, 9, 1), state="failed", attempts=3, error="3回目: X")
    client.force_login(users["dx"])
    page = client.get(reverse("dashboard:report_run", args=[run.id])).content.decode()
    assert 'role="alert"' in page and "失敗しました（3回試行）" in page and "3回目: X" in page


def test_beat_task_runs_on_the_configured_day_only(settings, known, users, city, town, monkeypatch):
    from portal import tasks
    from portal.dashboard import selectors

    settings.MONTHLY_REPORT_DAY = 10
    monkeypatch.setattr(selectors, "today", lambda: D(2025, 10, 9))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2025, 10, 9))
    assert tasks.generate_monthly_reports.delay() is not None
    assert not ReportRun.objects.exists()

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2025, 10, 10))
    tasks.generate_monthly_reports.apply()
    runs = list(ReportRun.objects.order_by("municipality__code"))
    assert [(r.municipality.name, r.month, r.trigger) for r in runs] == [
        ("あおば市", D(2025, 9, 1), "schedule"),
        ("みなみ町", D(2025, 9, 1), "schedule"),
    ]
    assert all(r.requested_by is None for r in runs)
    # run again the same day: nothing new (still waiting: no duplicate; done: not redone)
    tasks.generate_monthly_reports.apply()
    assert ReportRun.objects.count() == 2


def test_api_create_status_and_download(client, known, users, city, django_capture_on_commit_callbacks):
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/report-runs/", {"month": "2025-09"}, content_type="application/json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    data = client.get(f"/api/v1/report-runs/{run_id}/").json()
    assert data["state"] == "done" and data["month"] == "2025-09" and data["progress"] == 100
    assert data["download_url"] == f"/dashboard/reports/{run_id}/download/"
    assert client.get(data["download_url"]).status_code == 200
    bad = client.post("/api/v1/report-runs/", {"month": "9月"}, content_type="application/json")
    assert bad.status_code == 400 and "年-月" in bad.json()["month"][0]
    # while one waits, a second request returns it (200) instead of starting another
    waiting = ReportRun.objects.create(municipality=city, month=D(2025, 8, 1))
    again = client.post("/api/v1/report-runs/", {"month": "2025-08"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == waiting.id and again.json()["created"] is False
    # managers read, but do not start
    client.force_login(users["manager"])
    assert len(client.get("/api/v1/report-runs/").json()["results"]) == 2
    assert client.post("/api/v1/report-runs/", {"month": "2025-07"}, content_type="application/json").status_code == 403


def test_runs_of_another_municipality_are_not_found(client, users, town):
    run = ReportRun.objects.create(municipality=town, month=D(2025, 9, 1), state="done")
    client.force_login(users["dx"])
    assert client.get(reverse("dashboard:report_run", args=[run.id])).status_code == 404
    assert client.get(reverse("dashboard:report_run_download", args=[run.id])).status_code == 404
    assert client.get(f"/api/v1/report-runs/{run.id}/").status_code == 404


def test_a_run_stuck_in_running_does_not_block_forever(users, city, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    stuck = ReportRun.objects.create(
        municipality=city, month=D(2025, 9, 1), state="running", started_at=timezone.now() - dt.timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=False):
        run, created = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 1))
    assert created and run.id != stuck.id
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "時間内に終了しませんでした" in stuck.error


def test_months_before_the_earliest_report_month_are_refused(client, users, city):
    """The earliest month a workbook can be made for is 2019-05 (令和元年5月): 和暦 has no name before 昭和,
    and no standardisation project dates from before 令和."""
    from portal.dashboard.api import ReportRunCreateSerializer

    client.force_login(users["dx"])
    for month in ("1900-01", "2019-04"):
        api = client.post("/api/v1/report-runs/", {"month": month}, content_type="application/json")
        assert api.status_code == 400, month
        assert "令和元年5月（2019-05）以降" in api.json()["month"][0]
        page = client.post(reverse("dashboard:report_runs"), {"month": month})
        assert page.status_code == 400
        assert "令和元年5月（2019-05）以降" in page.content.decode()
    assert not ReportRun.objects.exists()
    serializer = ReportRunCreateSerializer(data={"month": "2019-05"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["month"] == D(2019, 5, 1)
    with pytest.raises(Exception, match="2019-05"):
        services.request_report_run(actor=users["dx"], municipality=city, month=D(1900, 1, 1))


def test_the_run_list_survives_a_run_of_a_month_before_showa(client, users, city):
    ReportRun.objects.create(municipality=city, month=D(1900, 1, 1), state="failed", error="x")
    client.force_login(users["dx"])
    response = client.get(reverse("dashboard:report_runs"))
    assert response.status_code == 200
    assert "1900-01分" in response.content.decode()


def test_submission_time_is_local_with_the_time(known, users, city):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from migration.models import MonthlyReport
    from portal.dashboard.report_workbook import build_monthly_workbook

    submitted = dt.datetime(2025, 10, 3, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 2025-10-02 23:30 UTC
    MonthlyReport.objects.filter(project=known["resident"], month=D(2025, 9, 1)).update(
        submitted_at=submitted, submitted_by=users["dept"]
    )
    _name, content = build_monthly_workbook(city, D(2025, 9, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["提出状況"]
    assert sheet["E2"].value == "提出日時"
    assert sheet["E3"].value == "令和7年10月3日 08:30"


def test_every_sheet_freezes_its_header(known, city):
    from portal.dashboard.report_workbook import build_monthly_workbook

    _name, content = build_monthly_workbook(city, D(2025, 9, 1))
    book = openpyxl.load_workbook(io.BytesIO(content))
    frozen = {sheet.title: sheet.freeze_panes for sheet in book.worksheets}
    assert frozen == {"概要": "A5", "進捗一覧": "D2", "部署別": "A3", "課題一覧": "A2", "提出状況": "A3",
                      "スケジュール": "E2"}  # fmt: skip
    departments = book["部署別"]
    assert [c.value for c in departments[2]][:2] == ["業務", "現在の手順"]  # the frozen header
    assert departments.print_title_rows == "$2:$2"  # printed on every page


def test_workbook_burnup_keeps_the_last_48_months(known, city):
    """Data over more than 48 months: the 概要 sheet's burn-up data ends at the report month's data, with the
    running totals of the months before its first row carried."""
    from portal.dashboard.report_workbook import build_monthly_workbook

    set_step(known["resident"], 6, status="done", planned_end=D(2019, 6, 1), actual_end=D(2019, 6, 1))
    _name, content = build_monthly_workbook(city, D(2025, 9, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["概要"]
    column_a = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    header = column_a.index("月") + 1  # 1-based row of the burn-up table's header
    rows, row = [], header + 1
    while sheet.cell(row=row, column=1).value is not None:
        rows.append([sheet.cell(row=row, column=c).value for c in (1, 2, 3)])
        row += 1
    assert len(rows) == 48
    assert rows[-1][0] == "令和7年12月"  # the last planned month (step 5 of 住民基本台帳)
    assert rows[0][0] == "令和4年1月"
    assert rows[0][1:] == [1, 1]  # step 6 done in 2019, carried


def test_stale_runs_are_cleared_by_the_beat_task_and_by_the_run(settings, users, city, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from portal import tasks

    settings.MONTHLY_REPORT_DAY = 10
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2025, 10, 9))  # not the report day
    long_ago = timezone.now() - dt.timedelta(hours=2)
    stuck = ReportRun.objects.create(municipality=city, month=D(2025, 8, 1), state="running", started_at=long_ago)
    recent = ReportRun.objects.create(
        municipality=city, month=D(2025, 7, 1), state="running", started_at=timezone.now()
    )
    tasks.generate_monthly_reports.apply()
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.state == "failed" and "時間内に終了しませんでした" in stuck.error and stuck.finished_at
    assert recent.state == "running"
    # a redelivered task of a run whose worker died does not leave it 実行中 for ever
    ReportRun.objects.filter(pk=recent.pk).update(started_at=long_ago)
    run = services.run_report_run(run_id=recent.id)
    assert run.state == "failed" and "時間内に終了しませんでした" in run.error


def test_the_beat_schedule_starts_the_monthly_workbooks():
    from celery.schedules import crontab
    from django.conf import settings

    from portal.tasks import generate_monthly_reports

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report-workbooks"]
    assert entry["task"] == "portal.generate_monthly_reports" == generate_monthly_reports.name
    assert isinstance(entry["schedule"], crontab)  # daily; the task itself checks MONTHLY_REPORT_DAY
