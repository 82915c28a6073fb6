import datetime as dt

from migration.models import StepProgress
from vendors.models import Contract


def test_token_auth(client, users):
    response = client.post("/api/v1/auth/token/", {"username": "dept", "password": "pw-for-tests"})
    assert response.status_code == 200
    token = response.json()["token"]
    anonymous = client.__class__()
    assert anonymous.get("/api/v1/projects/").status_code == 403
    assert anonymous.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert client.post("/api/v1/auth/token/", {"username": "dept", "password": "wrong"}).status_code == 400


def test_validation_errors_are_json_by_field(client, users, resident_project):
    step = StepProgress.objects.get(project=resident_project, step__number=3)
    client.force_login(users["dept"])
    response = client.patch(
        f"/api/v1/step-progress/{step.id}/",
        {"planned_start": "2025-06-01", "planned_end": "2025-05-01", "version": step.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"planned_end": ["予定終了日は予定開始日以降の日付にしてください。"]}
    missing = client.patch(f"/api/v1/step-progress/{step.id}/", {"percent_done": 5}, content_type="application/json")
    assert missing.status_code == 400 and "version" in missing.json()


def test_stale_version_gets_409_with_the_changes(client, users, resident_project):
    step = StepProgress.objects.get(project=resident_project, step__number=3)
    client.force_login(users["dx"])
    url = f"/api/v1/step-progress/{step.id}/"
    ok = client.patch(
        url,
        {"status": "in_progress", "actual_start": "2025-05-01", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"percent_done": 50, "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert {"field": "状態", "seen": "未着手", "current": "実施中"} in body["changes"]


def test_step_progress_filter_by_project_and_pagination(client, users, resident_project, make_project, city):
    make_project(city, 4, "税務課")
    client.force_login(users["manager"])
    page = client.get("/api/v1/step-progress/", {"project": resident_project.id}).json()
    assert page["count"] == 17 and [r["step_number"] for r in page["results"]] == list(range(1, 18))
    everything = client.get("/api/v1/step-progress/").json()
    assert everything["count"] == 34 and len(everything["results"]) == 34 and everything["next"] is None


def test_dx_office_creates_a_project_with_17_steps(client, users, city):
    client.force_login(users["dx"])
    department = city.departments.get(name="税務課")
    response = client.post(
        "/api/v1/projects/", {"operation": 3, "department": department.id}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["steps"]) == 17
    again = client.post(
        "/api/v1/projects/", {"operation": 3, "department": department.id}, content_type="application/json"
    )
    assert again.status_code == 400


def test_contracts_api_scoped_and_versioned(client, users, resident_project, vendor, town_project):
    client.force_login(users["dx"])
    response = client.post(
        "/api/v1/contracts/",
        {
            "vendor": vendor.id,
            "package_name": "MIRAI総合行政システム",
            "start_date": "2019-04-01",
            "end_date": "2026-09-30",
            "projects": [resident_project.id],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    contract_id = response.json()["id"]
    foreign = client.patch(
        f"/api/v1/contracts/{contract_id}/",
        {"projects": [town_project.id], "version": 1},
        content_type="application/json",
    )
    assert foreign.status_code == 400
    bad_dates = client.patch(
        f"/api/v1/contracts/{contract_id}/",
        {"end_date": "2018-01-01", "version": 1},
        content_type="application/json",
    )
    assert bad_dates.status_code == 400 and "end_date" in bad_dates.json()
    assert Contract.objects.get(pk=contract_id).end_date == dt.date(2026, 9, 30)
    client.force_login(users["other_dx"])
    assert client.get(f"/api/v1/contracts/{contract_id}/").status_code == 404


def test_openapi_schema_and_docs(client, users):
    client.force_login(users["dx"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/projects/", "/api/v1/step-progress/", "/api/v1/operations/", "/api/v1/contracts/"):
        assert path in text
    assert client.get("/api/docs/").status_code == 200
