import datetime as dt

from portal.models import Department


def test_dx_office_changes_settings_and_departments(client, users, city):
    client.force_login(users["dx"])
    assert "団体の設定" in client.get("/projects/").content.decode()
    response = client.post(
        "/settings/",
        {
            "form": "settings",
            "report_due_day": 7,
            "budget_request_month": 11,
            "budget_request_day": 15,
            "contract_warning_months": 12,
        },
    )
    assert response.status_code == 302
    city.refresh_from_db()
    assert (city.report_due_day, city.contract_warning_months) == (7, 12)
    assert city.budget_request_date(2025) == dt.date(2025, 11, 15)
    client.post("/settings/", {"form": "department", "name": "保険年金課", "sort_order": 5})
    assert Department.objects.filter(municipality=city, name="保険年金課").exists()


def test_settings_errors_keep_input_in_japanese(client, users, city):
    client.force_login(users["dx"])
    response = client.post(
        "/settings/",
        {
            "form": "settings",
            "report_due_day": 31,
            "budget_request_month": 10,
            "budget_request_day": 31,
            "contract_warning_months": 6,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "この値は 28 以下でなければなりません。" in html
    assert 'value="31"' in html
    duplicate = client.post("/settings/", {"form": "department", "name": "市民課", "sort_order": 1})
    assert "既に存在します" in duplicate.content.decode()
    city.refresh_from_db()
    assert city.report_due_day == 5


def test_budget_request_date_clamps_to_the_month():
    from portal.models import Municipality

    assert Municipality(budget_request_month=2, budget_request_day=31).budget_request_date(2025) == dt.date(2026, 2, 28)


def test_only_the_dx_office_opens_the_settings(client, users):
    for name in ("dept", "manager"):
        client.force_login(users[name])
        assert client.get("/settings/").status_code == 403
    client.force_login(users["vendor"])
    assert client.get("/settings/").status_code == 403


def test_settings_and_departments_through_the_api(client, users, city, town):
    client.force_login(users["dx"])
    url = f"/api/v1/municipalities/{city.id}/"
    assert client.patch(url, {"report_due_day": 8}, content_type="application/json").status_code == 200
    bad = client.patch(url, {"report_due_day": 40}, content_type="application/json")
    assert bad.status_code == 400 and "report_due_day" in bad.json()
    assert client.patch(url, {"name": "乗っ取り市"}, content_type="application/json").json()["name"] == "あおば市"
    created = client.post("/api/v1/departments/", {"name": "企画課"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["municipality"] == city.id
    duplicate = client.post("/api/v1/departments/", {"name": "企画課"}, content_type="application/json")
    assert duplicate.status_code == 400
    assert (
        client.patch(
            f"/api/v1/municipalities/{town.id}/", {"report_due_day": 9}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(users["manager"])
    assert client.patch(url, {"report_due_day": 9}, content_type="application/json").status_code == 403
    city.refresh_from_db()
    assert city.report_due_day == 8
