"""The schedule API and the スケジュール表 workbook read back cell by cell."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal.models import Job
from schedules.models import Baseline, Milestone
from schedules.tests.conftest import set_step

pytestmark = pytest.mark.usefixtures("fixed_today")


def test_project_schedule_json(client, users, planned_project):
    client.force_login(users["manager"])
    data = client.get(f"/api/v1/projects/{planned_project.id}/schedule/").json()
    project = data["projects"][0]
    assert data["today"] == "2026-11-22" and project["id"] == planned_project.id
    assert [s["number"] for s in project["steps"]] == list(range(1, 18))
    step1 = project["steps"][0]
    assert step1["status"] == "done" and step1["planned"]["start"] == step1["actual"]["start"]
    assert step1["late"] is False and project["steps"][5]["late"] is True  # step 6: planned end passed, not done
    assert project["deadline"] == "2026-03-31"
    assert project["forecast"]["over_deadline"] is True and project["forecast"]["days_over"] > 0
    assert {m["kind"] for m in project["milestones"]} >= {"deadline", "go_live"}
    assert any(m["kind"] == "budget" for m in data["milestones"])
    assert [p["phase"] for p in project["phases"]] == ["planning", "selection", "migration"]


def test_other_municipality_schedule_is_not_found(client, users, town_project):
    client.force_login(users["dx"])
    assert client.get(f"/api/v1/projects/{town_project.id}/schedule/").status_code == 404
    client.force_login(users["vendor"])
    assert client.get("/api/v1/schedule/").status_code == 403


def test_portfolio_json_filters(client, users, city, planned_project, make_project):
    make_project(city, 13, "税務課", is_difficult=True, difficult_reason="代替ベンダなし",
                 individual_deadline=dt.date(2028, 3, 31))  # fmt: skip
    client.force_login(users["manager"])
    data = client.get("/api/v1/schedule/").json()
    assert len(data["projects"]) == 2 and [g["label"] for g in data["groups"]] == ["市民課", "税務課"]
    difficult = client.get("/api/v1/schedule/?difficult_only=true").json()["projects"]
    assert [p["deadline"] for p in difficult] == ["2028-03-31"]
    assert [p["id"] for p in client.get("/api/v1/schedule/?late_only=1").json()["projects"]] == [planned_project.id]


def test_baselines_api(client, users, planned_project):
    client.force_login(users["manager"])
    assert client.post("/api/v1/baselines/", {"name": "当初計画"}).status_code == 403
    client.force_login(users["dx"])
    response = client.post("/api/v1/baselines/", {"name": "令和6年度当初計画", "note": "議会説明用"})
    assert response.status_code == 201 and response.json()["step_count"] == 17
    duplicate = client.post("/api/v1/baselines/", {"name": "令和6年度当初計画"})
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    baseline_id = response.json()["id"]
    progress = planned_project.step_progress.get(step__number=8)
    set_step(users["dx"], planned_project, 8, planned_start=progress.planned_start - dt.timedelta(days=7))
    changes = client.get(f"/api/v1/baselines/{baseline_id}/changes/").json()
    assert [(c["step"], c["start_days"], c["end_days"]) for c in changes] == [(8, -7, 0)]
    listed = client.get("/api/v1/baselines/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [b["name"] for b in rows] == ["令和6年度当初計画"]
    schedule = client.get(f"/api/v1/projects/{planned_project.id}/schedule/?baseline={baseline_id}").json()
    assert schedule["baseline"]["name"] == "令和6年度当初計画"
    assert schedule["projects"][0]["steps"][7]["baseline"]["start"] == str(progress.planned_start)


def _run_export(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/schedules/export/", data)
    job = Job.objects.latest("id")
    assert response.status_code == 302 and job.state == Job.State.DONE, job.error
    with job.result_file.open("rb") as handle:
        return job, load_workbook(io.BytesIO(handle.read()))


def test_project_workbook_has_month_columns_fills_and_milestones(
    client, users, planned_project, django_capture_on_commit_callbacks
):
    Milestone.objects.create(municipality=planned_project.municipality, name="=第4回定例会", date=dt.date(2026, 12, 1))
    client.force_login(users["manager"])
    job, book = _run_export(client, {"project": planned_project.id}, django_capture_on_commit_callbacks)
    assert job.result_name.startswith("スケジュール表_住民基本台帳_")
    sheet = book["スケジュール表"]
    headers = [sheet.cell(row=4, column=c).value for c in range(1, 12)]
    assert headers == ["業務", "業務主管課", "手順", "作業項目", "区分", "状態", "遅延", "開始", "終了", "4月", "5月"]
    fiscal_labels = [sheet.cell(row=3, column=c).value for c in range(10, sheet.max_column + 1)]
    first_year = next(v for v in fiscal_labels if v)
    assert first_year == "R6年度" and "R8年度" in fiscal_labels
    month_col = {(2024 + (i + 3) // 12, (i + 3) % 12 + 1): 10 + i for i in range(sheet.max_column - 9)}
    rows = {
        (sheet.cell(row=r, column=3).value, sheet.cell(row=r, column=5).value): r for r in range(5, sheet.max_row + 1)
    }
    step1 = planned_project.step_progress.get(step__number=1)
    planned_row, actual_row = rows[(1, "予定")], rows[(1, "実績")]
    col = month_col[(step1.planned_start.year, step1.planned_start.month)]
    assert sheet.cell(row=planned_row, column=col).value == "予"
    assert sheet.cell(row=planned_row, column=col).fill.fgColor.rgb.endswith("BDD7EE")
    assert sheet.cell(row=actual_row, column=col).value == "実"
    assert sheet.cell(row=planned_row, column=col + 2).value is None  # 1 month long
    assert sheet.cell(row=planned_row, column=8).value.date() == step1.planned_start
    step6_row = rows[(6, "予定")]
    assert sheet.cell(row=step6_row, column=7).value == "⚠遅延"
    # milestones: the municipality's (budget ▲, council ●) and the project's (deadline ◆, go-live ★)
    municipality_row = next(r for r in range(5, 8) if sheet.cell(row=r, column=1).value == "団体のマイルストーン")
    council = sheet.cell(row=municipality_row, column=month_col[(2026, 12)])
    assert council.value == "●" and "=第4回定例会" in council.comment.text
    project_row = next(r for r in range(5, 9) if sheet.cell(row=r, column=1).value == "住民基本台帳")
    assert sheet.cell(row=project_row, column=month_col[(2026, 3)]).value == "◆"
    assert sheet.cell(row=project_row, column=month_col[(2027, 4)]).value == "★"
    assert "期限超過見込み" in sheet.cell(row=project_row, column=6).value
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 8  # A3


def test_portfolio_workbook_with_baseline(client, users, city, planned_project, django_capture_on_commit_callbacks):
    from schedules import services

    baseline = services.create_baseline(actor=users["dx"], municipality=city, name="当初")
    client.force_login(users["dx"])
    _job, book = _run_export(client, {"baseline": baseline.id, "group_by": "group"}, django_capture_on_commit_callbacks)
    sheet = book.active
    kinds = [sheet.cell(row=r, column=5).value for r in range(5, sheet.max_row + 1)]
    assert kinds.count("基準") == 17 and kinds.count("予定") == 17 and kinds.count("全体") == 3
    assert sheet["A1"].value == "スケジュール表（全案件）あおば市"
    assert Baseline.objects.count() == 1


def test_export_of_an_unknown_or_non_numeric_project_is_not_found(client, users, town_project):
    client.force_login(users["manager"])
    for project in ("abc", "12abc", "-1", "²", "999999", str(town_project.id)):
        assert client.post("/schedules/export/", {"project": project}).status_code == 404, project
    assert not Job.objects.exists()


def test_project_schedule_json_has_the_contract_end(client, users, contracted_project):
    client.force_login(users["manager"])
    data = client.get(f"/api/v1/projects/{contracted_project.id}/schedule/").json()
    marks = {m["kind"]: m for m in data["projects"][0]["milestones"]}
    assert marks["contract_end"] == {"kind": "contract_end", "kind_display": "現行契約終了", "symbol": "■",
                                     "name": "現行契約終了（あおば住民情報）", "date": "2027-09-30",
                                     "end_date": None}  # fmt: skip
    assert data["range"]["end"] >= "2028-03-31"  # the axis reaches the 年度 of the contract end


def test_portfolio_json_filters_by_department_and_group(client, users, city, planned_project, make_project):
    tax = make_project(city, 13, "税務課")
    client.force_login(users["manager"])
    tax_id = city.departments.get(name="税務課").id
    data = client.get(f"/api/v1/schedule/?department={tax_id}").json()
    assert [p["id"] for p in data["projects"]] == [tax.id] and [g["label"] for g in data["groups"]] == ["税務課"]
    data = client.get("/api/v1/schedule/?group=resident_registry").json()
    assert [p["id"] for p in data["projects"]] == [planned_project.id]
    data = client.get("/api/v1/schedule/?group=second&group_by=group").json()
    assert [p["id"] for p in data["projects"]] == [tax.id] and [g["label"] for g in data["groups"]] == ["第2グループ"]
    assert client.get("/api/v1/schedule/?group=first").json()["projects"] == []


def test_portfolio_json_ignores_non_numeric_ids(client, users, planned_project):
    client.force_login(users["manager"])
    for query in ("department=abc", "department=²", "baseline=²", "baseline=abc"):
        response = client.get(f"/api/v1/schedule/?{query}")
        assert response.status_code == 200, query
        assert [p["id"] for p in response.json()["projects"]] == [planned_project.id]
