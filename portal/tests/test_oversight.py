"""The oversight role: read-only, only its group's municipalities, nothing outside."""

import pytest
from django.urls import reverse

from portal.models import OversightGroup, ReportRun, User
from portal.tests.dashboard_fixtures import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(make_municipality):
    return make_municipality(name="きた村", code="463035", departments=("住民課",))


@pytest.fixture
def watcher(city, town, outsider, make_user, known, town_project):
    group = OversightGroup.objects.create(name="あおば・みなみ共同", kind="joint")
    group.municipalities.set([city, town])
    return make_user("watcher", User.Role.OVERSIGHT, oversight_group=group)


def test_oversight_page_shows_one_row_per_municipality_of_the_group(client, watcher, city, town):
    client.force_login(watcher)
    assert client.get("/").url == reverse("dashboard:oversight")
    assert client.get(reverse("dashboard:home")).url == reverse("dashboard:oversight")
    page = client.get(reverse("dashboard:oversight")).content.decode()
    assert "あおば市" in page and "みなみ町" in page and "きた村" not in page
    assert reverse("dashboard:municipality", args=[city.id]) in page


def test_oversight_api_figures(client, watcher, city, town):
    client.force_login(watcher)
    rows = client.get("/api/v1/oversight/", {"on": "2025-10-15"}).json()
    assert [r["municipality"]["name"] for r in rows] == ["あおば市", "みなみ町"]
    aoba = rows[0]
    assert aoba["projects"] == 2 and aoba["late_projects"] == 1 and aoba["difficult_projects"] == 1
    assert aoba["phases"]["planning"]["percent"] == 62
    assert (aoba["reports_submitted"], aoba["reports_expected"], aoba["submission_rate"]) == (1, 2, 50)
    assert rows[1]["projects"] == 1 and rows[1]["submission_rate"] == 0


def test_oversight_reads_a_group_dashboard_read_only(client, watcher, city, known):
    client.force_login(watcher)
    response = client.get(reverse("dashboard:municipality", args=[city.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "閲覧専用" in html and "住民基本台帳" in html
    assert "/projects/" not in html  # cells do not link to pages it may not open
    assert "dashboard/export" not in html and "作成する" not in html
    data = client.get("/api/v1/dashboard/", {"municipality": city.id}).json()
    assert data["municipality"]["name"] == "あおば市"


def test_nothing_outside_the_group_is_visible(client, watcher, outsider, city, known):
    run = ReportRun.objects.create(municipality=outsider, month=D(2025, 9, 1), state="done")
    client.force_login(watcher)
    assert client.get(reverse("dashboard:municipality", args=[outsider.id])).status_code == 404
    assert client.get(reverse("dashboard:municipality_report_runs", args=[outsider.id])).status_code == 404
    assert client.get(reverse("dashboard:report_run", args=[run.id])).status_code == 404
    assert client.get("/api/v1/dashboard/", {"municipality": outsider.id}).status_code == 404
    assert client.get("/api/v1/dashboard/").status_code == 404  # no municipality of its own
    assert client.get(f"/api/v1/report-runs/{run.id}/").status_code == 404
    assert client.get("/api/v1/report-runs/").json()["count"] == 0


def test_oversight_writes_nothing_and_sees_no_other_page(client, watcher, city, known):
    client.force_login(watcher)
    project = known["resident"]
    assert client.get(f"/projects/{project.id}/").status_code == 403
    assert client.get("/projects/").status_code == 403
    assert client.get(f"/api/v1/projects/{project.id}/").status_code in (403, 404)
    assert client.get("/api/v1/projects/").status_code in (403, 200)
    if client.get("/api/v1/projects/").status_code == 200:
        assert client.get("/api/v1/projects/").json()["count"] == 0
    assert (
        client.post(reverse("dashboard:municipality_report_runs", args=[city.id]), {"month": "2025-09"}).status_code
        == 403
    )
    assert client.post("/api/v1/report-runs/", {"month": "2025-09"}, content_type="application/json").status_code == 403
    assert client.post(reverse("dashboard:list_export", args=["projects"]), {"format": "csv"}).status_code == 403
    assert not ReportRun.objects.exists()


def test_oversight_downloads_past_workbooks_of_its_group(
    client, watcher, city, users, known, django_capture_on_commit_callbacks
):
    from portal.dashboard import services

    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.request_report_run(actor=users["dx"], municipality=city, month=D(2025, 9, 1))
    client.force_login(watcher)
    listing = client.get(reverse("dashboard:municipality_report_runs", args=[city.id])).content.decode()
    assert "令和7年9月分" in listing and "作成する" not in listing
    assert client.get(reverse("dashboard:report_run_download", args=[run.id])).status_code == 200


def test_municipal_users_cannot_open_the_oversight_view_or_other_dashboards(client, users, town):
    client.force_login(users["dx"])
    assert client.get(reverse("dashboard:oversight")).status_code == 403
    assert client.get("/api/v1/oversight/").status_code == 403
    assert client.get(reverse("dashboard:municipality", args=[town.id])).status_code == 404
    assert client.get("/api/v1/dashboard/", {"municipality": town.id}).status_code == 404


def test_oversight_user_needs_a_group(city):
    from django.core.exceptions import ValidationError

    user = User(username="x", role=User.Role.OVERSIGHT)
    with pytest.raises(ValidationError) as error:
        user.clean()
    assert "閲覧する団体グループ" in str(error.value)
