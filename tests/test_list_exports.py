"""Every list page offers the xlsx/csv export of what it shows (portal/dashboard/exports.py)."""

import io

from openpyxl import load_workbook

from portal.models import Job


def test_list_pages_offer_the_export(client, users, resident_project):
    client.force_login(users["dx"])
    for url, name in (
        ("/projects/", "projects"),
        ("/issues/", "issues"),
        ("/vendors/", "contracts"),
    ):
        html = client.get(url).content.decode()
        assert f'action="/dashboard/export/{name}/"' in html, url


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
