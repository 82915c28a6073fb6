"""Role × municipality matrix for pages and API: one place decides (portal.permissions)."""

import pytest

from migration.models import StepProgress

ROLES = ["dx", "dept", "tax", "manager", "vendor", "other_dx", "anonymous"]


def client_for(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


# expected status per role: (project page, step edit page, project edit page)
PAGE_MATRIX = {
    "dx": (200, 200, 200),
    "dept": (200, 200, 403),  # owning department
    "tax": (200, 403, 403),  # another department of the same city reads but does not edit
    "manager": (200, 403, 403),
    "vendor": (403, 403, 403),
    "other_dx": (404, 404, 404),  # another municipality: not found, never forbidden
    "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, users, resident_project, role):
    client = client_for(client, users, role)
    pid = resident_project.id
    got = tuple(
        client.get(url).status_code
        for url in (f"/projects/{pid}/", f"/projects/{pid}/steps/3/edit/", f"/projects/{pid}/edit/")
    )
    assert got == PAGE_MATRIX[role]


@pytest.mark.parametrize("role", ROLES)
def test_project_list_shows_only_own_municipality(client, users, resident_project, town_project, role):
    response = client_for(client, users, role).get("/projects/")
    expected = {
        "dx": 200,
        "dept": 200,
        "tax": 200,
        "manager": 200,
        "vendor": 403,
        "other_dx": 200,
        "anonymous": 302,
    }
    assert response.status_code == expected[role]
    if response.status_code == 200:
        html = response.content.decode()
        own = f"/projects/{resident_project.id}/" if role != "other_dx" else f"/projects/{town_project.id}/"
        foreign = f"/projects/{town_project.id}/" if role != "other_dx" else f"/projects/{resident_project.id}/"
        assert own in html and foreign not in html


# expected status per role: (GET project, PATCH step, PATCH project, GET contracts list)
API_MATRIX = {
    "dx": (200, 200, 200, 200),
    "dept": (200, 200, 403, 200),
    "tax": (200, 403, 403, 200),
    "manager": (200, 403, 403, 200),
    "vendor": (403, 403, 403, 200),  # vendors read their own company's contracts (none here)
    "other_dx": (404, 404, 404, 200),
    "anonymous": (403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_api(client, users, resident_project, role):
    client = client_for(client, users, role)
    step = StepProgress.objects.get(project=resident_project, step__number=2)
    got = (
        client.get(f"/api/v1/projects/{resident_project.id}/").status_code,
        client.patch(
            f"/api/v1/step-progress/{step.id}/",
            {"percent_done": 30, "version": step.version},
            content_type="application/json",
        ).status_code,
        client.patch(
            f"/api/v1/projects/{resident_project.id}/",
            {"notes": "メモ", "version": 1},
            content_type="application/json",
        ).status_code,
        client.get("/api/v1/contracts/").status_code,
    )
    assert got == API_MATRIX[role]
    step.refresh_from_db()
    assert step.percent_done == (30 if API_MATRIX[role][1] == 200 else 0)


@pytest.mark.parametrize("role", ["dx", "dept", "manager", "other_dx"])
def test_api_lists_never_leak_another_municipality(client, users, resident_project, town_project, role):
    client = client_for(client, users, role)
    own = town_project if role == "other_dx" else resident_project
    projects = client.get("/api/v1/projects/").json()["results"]
    assert [p["id"] for p in projects] == [own.id]
    steps = client.get("/api/v1/step-progress/", {"page_size": 100}).json()
    assert {s["project"] for s in steps["results"]} == {own.id}
    assert (
        client.get(
            "/api/v1/step-progress/",
            {"project": (town_project if own == resident_project else resident_project).id},
        ).json()["count"]
        == 0
    )
    municipalities = client.get("/api/v1/municipalities/").json()["results"]
    assert [m["id"] for m in municipalities] == [own.municipality_id]
    departments = client.get("/api/v1/departments/").json()["results"]
    assert {d["municipality"] for d in departments} == {own.municipality_id}


def test_vendor_sees_only_its_own_company(client, users, vendor):
    from vendors.models import Vendor

    Vendor.objects.create(name="さくら電算株式会社", corporate_number="6010001023456")
    client.force_login(users["vendor"])
    assert [v["id"] for v in client.get("/api/v1/vendors/").json()["results"]] == [vendor.id]
    client.force_login(users["manager"])
    assert client.get("/api/v1/vendors/").json()["count"] == 2


def test_vendor_reads_only_its_own_company_contracts(client, users, vendor, city, town):
    from vendors.models import Contract, Vendor

    other = Vendor.objects.create(name="さくら電算株式会社", corporate_number="6010001023456")
    own = Contract.objects.create(
        municipality=city, vendor=vendor, package_name="A", start_date="2020-04-01", end_date="2027-03-31"
    )
    Contract.objects.create(
        municipality=town, vendor=other, package_name="B", start_date="2020-04-01", end_date="2027-03-31"
    )
    client.force_login(users["vendor"])
    assert [c["id"] for c in client.get("/api/v1/contracts/").json()["results"]] == [own.id]


def test_vendor_menu_leads_to_its_rfis_and_nothing_of_a_municipality(client, users):
    client.force_login(users["vendor"])
    page = client.get("/").content.decode()
    menu = page.split('aria-label="メインメニュー"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/vendor/rfis/"' in menu and "情報提供依頼（RFI）の一覧" in menu
    assert "/projects/" not in menu and "/dashboard/" not in menu
