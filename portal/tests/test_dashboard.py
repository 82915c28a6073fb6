"""Dashboard figures against a known fixture, the page, exports and the fixed query count."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from portal.dashboard import selectors
from portal.tests.dashboard_fixtures import ON, D, set_step

pytestmark = pytest.mark.django_db


def test_panel_figures(known, city):
    board = selectors.dashboard(city, on=ON)
    assert [s.project.operation.number for s in board.projects] == [1, 3]
    resident, tax = board.projects
    assert len(resident.cells) == 17
    assert [c.status for c in resident.cells[:5]] == ["done", "done", "done", "in_progress", "not_started"]
    assert [c.late for c in resident.cells[:5]] == [False, False, False, True, False]
    assert resident.phases["planning"] == (3, 4)
    assert resident.phase_percent("planning") == 75
    assert tax.phases["planning"] == (2, 4)  # done + 対象外
    assert board.overall_phases["planning"] == (5, 8)
    assert board.overall_percent("planning") == 62
    assert board.late_project_count == 1
    assert board.difficult_count == 1
    risks = dict((s.project.operation.number, reasons) for s, reasons in board.at_risk)
    # From 2025-10-15, 13 open steps at their planned or typical durations cannot finish by the deadlines:
    # the same forecast as the Gantt charts (schedules.rules.project_forecast).
    assert risks == {1: ["遅延手順 1件", "期限超過見込み"], 3: ["期限超過見込み", "移行困難システム"]}
    # issues: open by importance, overdue first
    assert board.issue_counts == {"high": 2, "medium": 0, "low": 1}
    assert board.overdue_issue_count == 1
    assert [i.number for i in board.open_issues] == [1, 2, 3]
    # contracts ending within 6 months (default) of 2025-10-15
    assert [c.package_name for c in board.contracts_ending] == ["住民記録パッケージ"]
    city.contract_warning_months = 24
    city.save()
    assert len(selectors.dashboard(city, on=ON).contracts_ending) == 2
    # submissions of 2025-09 per department
    assert board.report_month == D(2025, 9, 1)
    assert [(r.department.name, r.submitted, r.missing) for r in board.submissions] == [
        ("市民課", 1, 0),
        ("税務課", 0, 1),
    ]
    assert board.submission_rate == 50


def test_burnup_keeps_the_last_48_months_with_the_totals_before(known, city):
    """Data over more than 48 months: the last 48 months up to the last data month (or today's month) are kept,
    and the first point carries what was planned and done before it."""
    set_step(known["resident"], 6, status="done", planned_end=D(2019, 6, 1), actual_end=D(2019, 6, 10))
    set_step(known["resident"], 7, planned_end=D(2020, 1, 31))
    points = selectors.dashboard(city, on=ON).burnup
    assert len(points) == selectors.BURNUP_MAX_MONTHS == 48
    assert points[-1].month == D(2025, 12, 1)  # the last planned month
    assert points[0].month == D(2022, 1, 1)
    assert (points[0].planned, points[0].actual) == (2, 1)  # steps 6 and 7 planned, step 6 done before 2022
    by_month = {p.month: p for p in points}
    assert (by_month[D(2025, 9, 1)].planned, by_month[D(2025, 9, 1)].actual) == (7, 5)
    assert by_month[D(2025, 12, 1)].planned == 8 and by_month[D(2025, 12, 1)].actual is None
    # when everything lies in the past, the chart ends at today's month
    later = selectors.dashboard(city, on=D(2030, 6, 15)).burnup
    assert later[-1].month == D(2030, 6, 1) and len(later) == 48
    assert (later[-1].planned, later[-1].actual) == (8, 5)


def test_burnup_and_issue_flow(known, city):
    board = selectors.dashboard(city, on=ON)
    by_month = {p.month: p for p in board.burnup}
    assert board.burnup[0].month == D(2025, 5, 1)
    assert (by_month[D(2025, 6, 1)].planned, by_month[D(2025, 6, 1)].actual) == (3, 3)
    assert (by_month[D(2025, 9, 1)].planned, by_month[D(2025, 9, 1)].actual) == (5, 4)
    assert by_month[D(2025, 12, 1)].planned == 6
    assert by_month[D(2025, 12, 1)].actual is None  # the future has no actual
    flow = {p.month: p for p in board.issue_flow}
    assert len(board.issue_flow) == 12
    assert (flow[D(2025, 8, 1)].opened, flow[D(2025, 8, 1)].closed) == (2, 0)
    assert (flow[D(2025, 9, 1)].opened, flow[D(2025, 9, 1)].closed) == (2, 1)


def test_page_shows_matrix_legend_charts_and_tables(client, known, users, monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: ON)  # the page looks at the known day
    client.force_login(users["dx"])
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    html = response.content.decode()
    resident = known["resident"]
    assert f'href="/projects/{resident.id}/#step-4"' in html  # a cell opens the project's step
    assert "⚠遅延" in html and "凡例" in html
    assert "<svg" in html and "完了手順の累計（バーンアップ）" in html
    assert '<svg viewBox="0 0' in html and 'id="issueflow-title">課題・リスクの起票と完了（月別）</title>' in html
    assert html.count("数値を表で見る") == 2  # under each chart
    # contracts ending within 6 months of 2025-10-15: 住民記録パッケージ (2026-03-31), not 遠い契約 (2027-03-31)
    assert "住民記録パッケージ" in html and "遠い契約" not in html
    assert "移行困難システム" in html


def test_home_sends_dx_office_and_managers_to_the_dashboard(client, users):
    for role, target in (("dx", "/dashboard/"), ("manager", "/dashboard/"), ("dept", "/projects/")):
        client.force_login(users[role])
        assert client.get("/").url == target


def test_dashboard_is_not_for_vendors(client, users):
    client.force_login(users["vendor"])
    assert client.get(reverse("dashboard:home")).status_code == 403


def test_dashboard_api(client, known, users):
    client.force_login(users["dx"])
    data = client.get("/api/v1/dashboard/", {"on": "2025-10-15"}).json()
    assert data["municipality"]["name"] == "あおば市"
    assert data["overall"]["planning"] == {"label": "計画立案", "complete": 5, "total": 8, "percent": 62}
    row = data["projects"][0]
    assert row["operation"] == "住民基本台帳" and row["late_steps"] == [4]
    assert row["cells"][3] == {"step": 4, "status": "in_progress", "status_display": "実施中", "late": True}
    assert data["issues"]["open_by_importance"] == {"high": 2, "medium": 0, "low": 1}
    assert data["issues"]["overdue"] == 1
    assert data["contracts_ending"][0]["package_name"] == "住民記録パッケージ"
    assert data["submissions"]["rate"] == 50
    assert data["burnup"][0] == {"month": "2025-05", "planned": 1, "actual": 1}
    tax = known["tax"].department
    narrowed = client.get("/api/v1/dashboard/", {"on": "2025-10-15", "department": tax.id}).json()
    assert [p["operation"] for p in narrowed["projects"]] == ["固定資産税"]
    other = users["other_dx"].municipality.departments.first()
    assert client.get("/api/v1/dashboard/", {"department": other.id}).status_code == 400
    client.force_login(users["vendor"])
    assert client.get("/api/v1/dashboard/").status_code == 403


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_list_exports_keep_the_filters(client, known, users, city, django_capture_on_commit_callbacks, fmt):
    from portal.models import Job

    known["resident"].current_system_name = "=HYPERLINK(1)"
    known["resident"].save()
    client.force_login(users["dx"])
    tax_department = city.departments.get(name="税務課")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard:list_export", args=["steps"]),
            {"format": fmt, "department": tax_department.id, "unknown": "x"},
        )
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.id])
    assert job.kind == f"export.steps.{fmt}" and job.params == {"department": str(tax_department.id)}
    assert job.state == "done", job.error
    content = job.result_file.read()
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:5] == ("標準化対象業務", "業務主管課", "手順番号", "作業項目", "状態")[:5] or rows[0][:5] == [
        "標準化対象業務", "業務主管課", "手順番号", "作業項目", "状態",
    ]  # fmt: skip
    assert len(rows) == 1 + 17
    assert {r[0] for r in rows[1:]} == {"固定資産税"}
    assert rows[2][4] == "対象外"


def test_project_export_neutralises_formulas(client, known, users, django_capture_on_commit_callbacks):
    from portal.models import Job

    known["resident"].current_system_name = "=HYPERLINK(1)"
    known["resident"].save()
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:list_export", args=["projects"]), {"format": "csv"})
    text = Job.objects.get().result_file.read().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:list_export", args=["projects"]), {"format": "xlsx", "late_only": "1"})
    job = Job.objects.filter(kind="export.projects.xlsx").get()
    sheet = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    assert sheet.max_row == 1 + 1  # 住民基本台帳 only (the one with a late step... as of today)
    cell = sheet["D2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_contract_export(client, known, users, django_capture_on_commit_callbacks):
    from portal.models import Job

    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:list_export", args=["contracts"]), {"format": "xlsx"})
    job = Job.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == ["住民記録パッケージ", "遠い契約"]
    assert sheet["F2"].value == "令和8年3月31日"


def test_export_of_unknown_list_is_not_found(client, users):
    client.force_login(users["dx"])
    assert client.post("/dashboard/export/nothing/", {"format": "xlsx"}).status_code == 404
    assert client.post("/dashboard/export/projects/", {"format": "pdf"}).status_code == 404


def add_large_data(city, make_project, vendor):
    """Many projects, steps, issues and contracts on top of the known fixture."""
    from migration.models import MigrationProject, RiskIssue, StepProgress, TargetOperation
    from vendors.models import Contract

    for operation in TargetOperation.objects.exclude(number__in=[1, 3])[:18]:
        make_project(city, operation.number, "市民課")
    StepProgress.objects.filter(project__municipality=city, step__number__lte=2).update(
        status="done", actual_start=D(2025, 4, 1), actual_end=D(2025, 5, 1), planned_end=D(2025, 5, 1)
    )
    StepProgress.objects.filter(project__municipality=city, step__number=6).update(planned_end=D(2025, 9, 1))
    projects = list(MigrationProject.objects.filter(municipality=city))
    RiskIssue.objects.bulk_create(
        RiskIssue(
            municipality=city,
            project=projects[i % len(projects)],
            number=100 + i,
            description="x",
            raised_on=D(2025, 1 + i % 9, 1),
            due_date=D(2025, 9, 1),
            importance="high",
        )  # fmt: skip
        for i in range(150)
    )
    Contract.objects.bulk_create(
        Contract(
            municipality=city, vendor=vendor, package_name=f"P{i}", start_date=D(2020, 4, 1), end_date=D(2025, 11, 1)
        )  # fmt: skip
        for i in range(40)
    )
    return projects


def _page_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


SELECTOR_QUERIES = 14
PAGE_QUERIES = 18  # session, user, municipality (context processor) and the selector's 14


def test_fixed_number_of_queries_whatever_the_size(
    client, users, city, vendor, known, make_project, django_assert_num_queries
):
    client.force_login(users["dx"])
    with django_assert_num_queries(SELECTOR_QUERIES):
        selectors.dashboard(city, on=ON)
    small, _html = _page_queries(client)

    projects = add_large_data(city, make_project, vendor)
    assert len(projects) == 20
    with django_assert_num_queries(SELECTOR_QUERIES):
        board = selectors.dashboard(city, on=ON)
    assert board.issue_counts["high"] == 152
    large, html = _page_queries(client)
    assert large == small <= PAGE_QUERIES
    assert html.count('class="cell ') == 17 * 20


def test_rfi_and_gap_panels(client, known, users, city, vendor):
    from fitgap.models import Analysis, Catalogue, GapItem
    from vendors.models import Rfi, RfiInvitation, RfiResponse

    open_rfi = Rfi.objects.create(municipality=city, title="住民記録RFI", deadline=D(2025, 10, 31), state="sent")
    Rfi.objects.create(municipality=city, title="締切済み", deadline=D(2025, 10, 1), state="sent")
    Rfi.objects.create(municipality=city, title="作成中", deadline=D(2025, 12, 1))
    invitation = RfiInvitation.objects.create(rfi=open_rfi, vendor=vendor)
    RfiResponse.objects.create(invitation=invitation, number=1, state="submitted")
    RfiResponse.objects.create(invitation=invitation, number=2, state="submitted")
    resident = known["resident"]
    catalogue = Catalogue.objects.create(
        municipality=city, operation=resident.operation, title="住民記録システム標準仕様書", version_label="第5.0版"
    )
    analysis = Analysis.objects.create(project=resident, catalogue=catalogue)

    def gap(key, **fields):
        values = {"kind": "customisation", "title": f"機能{key}", "judgement": "gap", "impact": "high"}
        values.update(fields)
        return GapItem.objects.create(analysis=analysis, key=key, **values)

    gap("A", due_date=D(2025, 10, 1))  # overdue
    gap("B", due_date=D(2025, 11, 10), status="in_progress")  # within 30 days
    gap("C", due_date=D(2025, 12, 31))  # too far
    gap("D", due_date=D(2025, 10, 20), impact="medium")
    gap("E", due_date=D(2025, 10, 20), status="decided", decision="BPR")

    panels = {p["key"]: p for p in selectors.dashboard(city, on=ON).panels}
    assert panels["open_rfis"]["data"] == [
        {"id": open_rfi.id, "title": "住民記録RFI", "deadline": "2025-10-31", "invited": 1, "answered": 1}
    ]
    assert panels["undecided_gaps"]["count"] == 2
    assert [(g["key"], g["overdue"]) for g in panels["undecided_gaps"]["data"]] == [("A", True), ("B", False)]

    client.force_login(users["dx"])
    api = client.get("/api/v1/dashboard/", {"on": "2025-10-15"}).json()
    assert [p["key"] for p in api["panels"]] == ["open_rfis", "undecided_gaps", "milestones"]
    html = client.get(reverse("dashboard:home")).content.decode()
    assert "回答受付中のRFI" in html and "影響度「高」のGap" in html


def test_gap_panel_is_only_for_the_dx_office_and_managers(client, known, users, city):
    """fitgap.permissions.can_see_alerts: the undecided high-impact Gaps are for the DX office and managers."""
    from fitgap.models import Analysis, Catalogue, GapItem

    resident = known["resident"]
    catalogue = Catalogue.objects.create(
        municipality=city, operation=resident.operation, title="住民記録システム標準仕様書", version_label="第5.0版"
    )
    analysis = Analysis.objects.create(project=resident, catalogue=catalogue)
    GapItem.objects.create(
        analysis=analysis, kind="customisation", key="A", title="機能A", judgement="gap", impact="high",
        due_date=D(2025, 10, 1),
    )  # fmt: skip
    for role, shown in (("dx", True), ("manager", True), ("dept", False), ("tax", False)):
        client.force_login(users[role])
        keys = [p["key"] for p in client.get("/api/v1/dashboard/", {"on": "2025-10-15"}).json()["panels"]]
        assert ("undecided_gaps" in keys) is shown, role
        assert "open_rfis" in keys and "milestones" in keys
        html = client.get(reverse("dashboard:home")).content.decode()
        assert ("影響度「高」のGap" in html) is shown, role
    assert "undecided_gaps" in [p["key"] for p in selectors.dashboard(city, on=ON).panels]  # no viewer: all panels
    keys = [p["key"] for p in selectors.dashboard(city, on=ON, user=users["dept"]).panels]
    assert keys == ["open_rfis", "milestones"]


def test_milestone_panel(known, city):
    from schedules.models import Milestone

    Milestone.objects.create(
        municipality=city, name="令和7年第4回定例会", date=D(2025, 11, 25), end_date=D(2025, 12, 15)
    )
    Milestone.objects.create(
        municipality=city, name="会期中", kind="council", date=D(2025, 9, 1), end_date=D(2025, 10, 20)
    )
    Milestone.objects.create(municipality=city, name="遠い", date=D(2026, 2, 1))
    Milestone.objects.create(municipality=city, name="過去", date=D(2025, 9, 1))
    panel = {p["key"]: p for p in selectors.dashboard(city, on=ON).panels}["milestones"]
    # the default 予算要求 date (10/31) of the municipality's settings is included
    assert [(r["date"], r["name"]) for r in panel["data"]] == [
        ("2025-09-01", "会期中"),
        ("2025-10-31", "予算要求の締切（団体の設定）"),
        ("2025-11-25", "令和7年第4回定例会"),
    ]


def test_issue_export_uses_the_register_filters(client, known, users, django_capture_on_commit_callbacks):
    from portal.models import Job

    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:list_export", args=["issues"]),
            {"format": "csv", "scope": "all", "importance": "high", "sort": "number"},
        )
    job = Job.objects.get()
    assert job.params == {"scope": "all", "importance": "high", "sort": "number"}
    rows = list(csv.reader(io.StringIO(job.result_file.read().decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert rows[1][4] == "高" and rows[1][7] == "令和7年8月1日"


def test_gap_export_uses_the_fitgap_filters(client, known, users, city, django_capture_on_commit_callbacks):
    from fitgap.models import Analysis, Catalogue, GapItem
    from portal.models import Job

    resident = known["resident"]
    catalogue = Catalogue.objects.create(
        municipality=city, operation=resident.operation, title="住民記録システム標準仕様書", version_label="第5.0版"
    )
    analysis = Analysis.objects.create(project=resident, catalogue=catalogue)
    for key, judgement in (("A", "gap"), ("B", "fit"), ("C", "gap")):
        GapItem.objects.create(
            analysis=analysis, kind="customisation", key=key, title=f"=機能{key}", judgement=judgement
        )
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:list_export", args=["gaps"]), {"format": "xlsx", "judgement": "gap"})
    sheet = openpyxl.load_workbook(io.BytesIO(Job.objects.get().result_file.read())).active
    assert [sheet.cell(row=r, column=3).value for r in range(2, sheet.max_row + 1)] == ["A", "C"]
    assert sheet["D2"].value == "=機能A" and sheet["D2"].data_type == "s"


def test_department_filter_narrows_the_panels_and_the_exports(
    client, known, users, city, django_capture_on_commit_callbacks
):
    from portal.models import Job

    tax = city.departments.get(name="税務課")
    board = selectors.dashboard(city, on=ON, department_id=tax.id)
    assert [s.project.operation.number for s in board.projects] == [3]
    assert board.issue_counts == {"high": 0, "medium": 0, "low": 1}
    assert [(r.department.name, r.submitted, r.missing) for r in board.submissions] == [("税務課", 0, 1)]
    assert len(board.contracts_ending) == 1  # municipality-wide
    client.force_login(users["dx"])
    html = client.get(reverse("dashboard:home"), {"department": tax.id}).content.decode()
    assert "「税務課」の移行案件だけを表示しています" in html
    assert f'<input type="hidden" name="department" value="{tax.id}">' in html  # exports carry the filter
    assert html.count('class="cell ') == 17
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:list_export", args=["projects"]) + f"?department={tax.id}",
            {"format": "csv", "department": tax.id},
        )
    rows = list(csv.reader(io.StringIO(Job.objects.get().result_file.read().decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["固定資産税"]


def test_at_risk_agrees_with_the_gantt_forecast(known, city):
    from schedules.rules import project_forecast

    board = selectors.dashboard(city, on=ON)
    for summary in board.projects:
        steps = [cell.progress for cell in summary.cells]
        expected = project_forecast(summary.project, steps, ON).over_deadline
        assert board.beyond_deadline(summary) is expected
