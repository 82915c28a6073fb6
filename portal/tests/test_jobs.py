"""A recorded job run through the real Celery task code (eager here; a real worker in tests/test_celery_worker.py)."""

import io

import pytest
from openpyxl import load_workbook

from portal.jobs import job_handler
from portal.models import Job
from portal.services import start_job


@pytest.fixture
def city_projects(city, make_project, users):
    project = make_project(city, 1, "市民課", current_system_name='=HYPERLINK("http://x")')
    make_project(city, 4, "税務課", current_system_name="税務システム")
    return project


def _workbook(job):
    job.result_file.open("rb")
    return load_workbook(io.BytesIO(job.result_file.read()))


def test_export_job_runs_through_celery_and_is_read_back(
    client, users, city_projects, django_capture_on_commit_callbacks
):
    client.force_login(users["dept"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/export/projects/", {"format": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    assert (job.state, job.progress, job.created_by) == ("done", 100, users["dept"])
    assert job.result_name.startswith("移行案件一覧_あおば市_") and job.result_name.endswith(".xlsx")
    sheet = _workbook(job)["移行案件一覧"]
    assert [c.value for c in sheet[1]][:4] == ["業務番号", "標準化対象業務", "業務主管課", "現行システム名"]
    assert [c.value for c in sheet[2]][:4] == [1, "住民基本台帳", "市民課", '=HYPERLINK("http://x")']
    assert sheet["D2"].data_type == "s" and sheet["D2"].quotePrefix  # text, never a formula
    assert sheet["H2"].value == "1. 推進体制の立ち上げ"
    assert sheet["L2"].value == "令和8年3月31日"
    assert [c.value for c in sheet[3]][:3] == [4, "個人住民税", "税務課"]
    assert sheet.max_row == 3 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L3"
    page = client.get(f"/jobs/{job.id}/")
    assert "完了" in page.content.decode()
    download = client.get(f"/jobs/{job.id}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"] and "filename*=utf-8''" in download["Content-Disposition"]


def test_jobs_are_private_to_their_municipality(client, users, city_projects, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=users["dx"], municipality=users["dx"].municipality, kind="export.projects.xlsx")
    client.force_login(users["other_dx"])
    assert client.get(f"/jobs/{job.id}/").status_code == 404
    assert client.get(f"/jobs/{job.id}/download/").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.id}/").status_code == 404
    client.force_login(users["tax"])  # department staff see only the jobs they started
    assert client.get(f"/jobs/{job.id}/download/").status_code == 404
    client.force_login(users["manager"])
    assert client.get(f"/api/v1/jobs/{job.id}/").status_code == 404


def test_a_failing_job_records_the_error(users, city, django_capture_on_commit_callbacks):
    @job_handler("tests.broken", label="壊れた処理")
    def broken(job, report):
        report(30)
        raise RuntimeError("テスト用の失敗")

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(actor=users["dx"], municipality=city, kind="tests.broken")
    job.refresh_from_db()
    assert job.state == "failed" and job.progress == 30
    assert job.error == "RuntimeError: テスト用の失敗" and job.finished_at and not job.result_file


def test_jobs_api_starts_and_reports(client, users, city_projects, django_capture_on_commit_callbacks):
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/jobs/", {"kind": "export.projects.xlsx", "params": {}}, content_type="application/json"
        )
    assert response.status_code == 201
    detail = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert detail["state"] == "done" and detail["download_url"].endswith("/download/")
    bad = client.post("/api/v1/jobs/", {"kind": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "kind" in bad.json()


def test_jobs_api_keeps_only_the_list_filters(client, users, city_projects, django_capture_on_commit_callbacks):
    """The API applies the same whitelist as the pages (portal.dashboard.exports.clean_params)."""
    tax = users["dx"].municipality.departments.get(name="税務課")
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/jobs/",
            {"kind": "export.projects.xlsx", "params": {"department": tax.id, "unknown": "x", "late_only": ""}},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["params"] == {"department": str(tax.id)}
    job = Job.objects.get()
    assert job.params == {"department": str(tax.id)} and job.state == "done", job.error
    sheet = _workbook(job)["移行案件一覧"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["個人住民税"]


def test_a_superuser_without_a_municipality_cannot_export(client, users, city_projects):
    from portal.models import User

    admin = User.objects.create_superuser("admin", "admin@example.jp", "pw-for-tests")
    client.force_login(admin)
    page = client.post("/dashboard/export/projects/", {"format": "xlsx"})
    assert page.status_code == 403
    assert "団体に所属する利用者" in page.content.decode()
    api = client.post("/api/v1/jobs/", {"kind": "export.projects.xlsx", "params": {}}, content_type="application/json")
    assert api.status_code == 403
    assert "団体に所属する利用者" in api.json()["detail"]
    assert not Job.objects.exists()
