"""/api/v1/reports/ and /api/v1/issues/: the same permissions and rules as the pages."""

from migration.models import MonthlyReport, RiskIssue, StepProgress
from migration.tests.conftest import OCTOBER

JSON = "application/json"


def _results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_department_creates_fills_and_submits_a_report_with_steps_and_meetings(client, users, resident_project):
    client.force_login(users["dept"])
    created = client.post(
        "/api/v1/reports/",
        {
            "project": resident_project.id,
            "month": "2025-10-01",
            "work_done": "現行調査",
            "meetings": [{"date": "2025-11-12", "party": "ベンダA", "purpose": "移行計画"}],
            "step_updates": [{"step_number": 2, "version": 1, "status": "in_progress", "percent_done": 40}],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and body["meetings"][0]["party"] == "ベンダA"
    assert [s for s in body["steps"] if s["number"] == 2][0]["percent_done"] == 40
    assert StepProgress.objects.get(project=resident_project, step__number=2).status == "in_progress"
    report_id, version = body["id"], body["version"]

    submitted = client.post(f"/api/v1/reports/{report_id}/submit/", {"version": version}, content_type=JSON)
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    again = client.patch(f"/api/v1/reports/{report_id}/", {"work_done": "x", "version": 3}, content_type=JSON)
    assert again.status_code == 400  # not editable once submitted

    client.force_login(users["dx"])
    version = submitted.json()["version"]
    empty = client.post(f"/api/v1/reports/{report_id}/return/", {"version": version, "comment": ""}, content_type=JSON)
    assert empty.status_code == 400 and "return_comment" in empty.json()
    returned = client.post(
        f"/api/v1/reports/{report_id}/return/", {"version": version, "comment": "理由を追記"}, content_type=JSON
    )
    assert returned.json()["state"] == "returned" and returned.json()["return_comment"] == "理由を追記"

    client.force_login(users["dept"])
    version = returned.json()["version"]
    resubmitted = client.post(f"/api/v1/reports/{report_id}/submit/", {"version": version}, content_type=JSON)
    client.force_login(users["dx"])
    accepted = client.post(
        f"/api/v1/reports/{report_id}/accept/", {"version": resubmitted.json()["version"]}, content_type=JSON
    )
    assert accepted.json()["state"] == "accepted"


def test_report_permissions_and_filters(client, users, resident_project, october_report):
    client.force_login(users["tax"])  # another department: reads, cannot write
    assert client.get(f"/api/v1/reports/{october_report.id}/").status_code == 200
    assert (
        client.patch(
            f"/api/v1/reports/{october_report.id}/", {"version": 1, "work_done": "x"}, content_type=JSON
        ).status_code
        == 403
    )
    client.force_login(users["dept"])
    assert (
        client.post(f"/api/v1/reports/{october_report.id}/accept/", {"version": 1}, content_type=JSON).status_code
        == 403
    )
    client.force_login(users["other_dx"])  # another municipality: not found
    assert client.get(f"/api/v1/reports/{october_report.id}/").status_code == 404
    client.force_login(users["vendor"])
    assert client.get("/api/v1/reports/").status_code == 403
    client.force_login(users["manager"])
    assert [r["id"] for r in _results(client.get("/api/v1/reports/?month=2025-10&state=draft"))] == [october_report.id]
    assert _results(client.get("/api/v1/reports/?month=2025-11")) == []
    department = resident_project.department_id
    assert len(_results(client.get(f"/api/v1/reports/?department={department}&project={resident_project.id}"))) == 1


def test_report_conflict_is_409_and_nothing_is_overwritten(client, users, october_report):
    client.force_login(users["dx"])
    first = client.patch(f"/api/v1/reports/{october_report.id}/", {"version": 1, "work_done": "先"}, content_type=JSON)
    assert first.status_code == 200
    client.force_login(users["dept"])
    second = client.patch(f"/api/v1/reports/{october_report.id}/", {"version": 1, "work_done": "後"}, content_type=JSON)
    assert second.status_code == 409 and "今月の実施作業" in second.json()["detail"]
    assert MonthlyReport.objects.get().work_done == "先"


def test_duplicate_report_is_a_conflict_naming_the_existing_one(client, users, resident_project, october_report):
    client.force_login(users["dept"])
    response = client.post(
        "/api/v1/reports/", {"project": resident_project.id, "month": "2025-10-01"}, content_type=JSON
    )
    assert response.status_code == 409 and response.json()["existing_id"] == october_report.id
    assert MonthlyReport.objects.count() == 1


def test_issues_api_create_update_comment_filter(client, users, city, resident_project):
    tax = city.departments.get(name="税務課")
    client.force_login(users["dept"])
    created = client.post(
        "/api/v1/issues/",
        {
            "project": resident_project.id, "kind": "issue", "description": "税システムとの連携仕様が未定",
            "importance": "high", "raised_on": "2025-10-02", "due_date": "2025-10-31",
            "due_reason": "予算要求に影響するため",
            "other_departments": [tax.id], "category": "integration",
        },
        content_type=JSON,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    issue = created.json()
    assert issue["number"] == 1 and issue["is_cross_cutting"] and issue["importance_display"] == "高"

    bad = client.patch(
        f"/api/v1/issues/{issue['id']}/", {"version": 1, "status": "done"}, content_type=JSON
    )  # 完了 needs 完了日
    assert bad.status_code == 400 and "completed_on" in bad.json()
    done = client.patch(
        f"/api/v1/issues/{issue['id']}/",
        {"version": 1, "status": "done", "completed_on": "2025-11-01"},
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["version"] == 2
    stale = client.patch(f"/api/v1/issues/{issue['id']}/", {"version": 1, "notes": "x"}, content_type=JSON)
    assert stale.status_code == 409

    client.force_login(users["tax"])  # a named department comments but does not edit
    comment = client.post(f"/api/v1/issues/{issue['id']}/comments/", {"body": "仕様書を共有します"}, content_type=JSON)
    assert comment.status_code == 201
    assert (
        client.patch(f"/api/v1/issues/{issue['id']}/", {"version": 2, "notes": "x"}, content_type=JSON).status_code
        == 403
    )
    assert client.get(f"/api/v1/issues/{issue['id']}/comments/").json()[0]["body"] == "仕様書を共有します"

    client.force_login(users["dx"])
    assert len(_results(client.get("/api/v1/issues/?importance=high&cross_cutting=1"))) == 1
    assert _results(client.get("/api/v1/issues/?state=open")) == []
    assert len(_results(client.get(f"/api/v1/issues/?department={tax.id}&month=2025-10"))) == 1
    client.force_login(users["other_dx"])
    assert client.get(f"/api/v1/issues/{issue['id']}/").status_code == 404
    assert RiskIssue.objects.count() == 1


def test_api_lists_need_a_fixed_number_of_queries(client, users, city, make_project, django_assert_max_num_queries):
    from migration import services

    client.force_login(users["manager"])

    def add(numbers):
        for number in numbers:
            project = make_project(city, number, "市民課")
            services.create_report(actor=users["dx"], project=project, month=OCTOBER)
            services.create_risk_issue(actor=users["dx"], project=project, data={"description": "x"})

    add([1, 2])
    with django_assert_max_num_queries(10):
        assert len(_results(client.get("/api/v1/reports/"))) == 2
    with django_assert_max_num_queries(10):
        assert len(_results(client.get("/api/v1/issues/"))) == 2
    add([3, 4, 5, 6])
    with django_assert_max_num_queries(10):
        assert len(_results(client.get("/api/v1/reports/"))) == 6
    with django_assert_max_num_queries(10):
        assert len(_results(client.get("/api/v1/issues/"))) == 6


def test_register_import_through_the_api_is_all_or_nothing(client, users, resident_project):
    from migration.tests.test_register_excel import _row, _workbook

    client.force_login(users["dept"])
    bad = client.post("/api/v1/issues/import/", {"file": _workbook([_row(), _row(重要度="特大")])})
    assert bad.status_code == 400
    assert bad.json()["problems"] == [
        {"row": 3, "column": "重要度", "message": "「特大」は選べません。高・中・低のいずれかを入力してください。"}
    ]
    assert RiskIssue.objects.count() == 0
    ok = client.post("/api/v1/issues/import/", {"file": _workbook([_row()]), "project": resident_project.id})
    assert ok.status_code == 200 and ok.json() == {"created": 1, "updated": 0}


def test_api_reporter_is_chosen_from_the_owning_department(client, users, october_report):
    client.force_login(users["dept"])
    url = f"/api/v1/reports/{october_report.id}/"
    refused = client.patch(url, {"version": 1, "reporter": users["other_dx"].id}, content_type=JSON)
    assert refused.status_code == 400 and "reporter" in refused.json()
    chosen = client.patch(url, {"version": 1, "reporter": users["dx"].id}, content_type=JSON)
    assert chosen.status_code == 200 and chosen.json()["reporter"] == users["dx"].id
