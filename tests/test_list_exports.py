"""Every list page offers the xlsx/csv export of what it shows (portal/dashboard/exports.py)."""

import io

from openpyxl import load_workbook

from portal.models import Job


def test_list_pages_offer_the_export(client, users, resident_project, analysis):
    client.force_login(users["dx"])
    project_field = f'<input type="hidden" name="project" value="{resident_project.id}">'
    for url, name, project in (
        ("/projects/", "projects", False),
        ("/issues/", "issues", False),
        ("/vendors/", "contracts", False),
        (f"/projects/{resident_project.id}/", "steps", True),
        (f"/fitgap/projects/{resident_project.id}/", "gaps", True),
    ):
        html = client.get(url).content.decode()
        assert f'action="/dashboard/export/{name}/"' in html, url
        if project:  # a project's own list exports that project only
            form = html.split(f'action="/dashboard/export/{name}/"', 1)[1].split("</form>", 1)[0]
            assert project_field in form, url
            assert "を出力</legend>" in form and "<legend>を出力</legend>" not in form, url


def test_project_page_exports_its_steps_only(client, users, resident_project, city, make_project,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    make_project(city, 3, "税務課")
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/export/steps/", {"format": "xlsx", "project": resident_project.id})
    job = Job.objects.get()
    assert job.params == {"project": str(resident_project.id)} and job.state == "done", job.error
    sheet = load_workbook(io.BytesIO(job.result_file.open("rb").read())).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"住民基本台帳"}
    assert sheet.max_row == 1 + 17


def test_issue_export_keeps_the_list_filters(client, users, resident_project, django_capture_on_commit_callbacks):
    import datetime as dt

    from migration import services

    for importance in ("high", "low"):
        services.create_risk_issue(
            actor=users["dx"],
            project=resident_project,
            data={
                "description": f"{importance}の課題",
                "importance": importance,
                "raised_on": dt.date(2026, 11, 1),
                "involves_dx_office": True,
            },
        )
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/export/issues/", {"format": "xlsx", "importance": "high"})
    job = Job.objects.get()
    assert job.state == "done", job.error
    sheet = load_workbook(io.BytesIO(job.result_file.open("rb").read())).active
    texts = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert "highの課題" in texts and "lowの課題" not in texts
