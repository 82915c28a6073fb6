import datetime as dt

from migration.models import MigrationProject, StepProgress


def test_dx_office_adds_a_project_from_the_page(client, users, city, resident_project):
    client.force_login(users["dx"])
    page = client.get("/projects/new/").content.decode()
    assert "個人住民税" in page and ">住民基本台帳<" not in page  # already tracked operations are not offered
    tax = city.departments.get(name="税務課")
    response = client.post("/projects/new/", {"operation": 4, "department": tax.id, "migration_pattern": "B"})
    project = MigrationProject.objects.get(municipality=city, operation__number=4)
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.id}/"
    assert project.step_progress.count() == 17
    assert set(project.step_progress.filter(step__number__in=[9, 10]).values_list("status", flat=True)) == {
        "not_applicable"
    }


def test_add_project_form_keeps_input_and_explains_in_japanese(client, users, city):
    client.force_login(users["dx"])
    response = client.post("/projects/new/", {"current_system_name": "税務システム", "target_go_live": "2027-01-04"})
    html = response.content.decode()
    assert response.status_code == 200 and "この項目は必須です。" in html
    assert 'value="税務システム"' in html and 'value="2027-01-04"' in html


def test_only_the_dx_office_adds_projects(client, users):
    for name in ("dept", "manager"):
        client.force_login(users[name])
        assert client.get("/projects/new/").status_code == 403


def test_step_form_keeps_input_and_a_stale_save_shows_what_changed(client, users, resident_project):
    step = StepProgress.objects.get(project=resident_project, step__number=5)
    url = f"/projects/{resident_project.id}/steps/5/edit/"
    client.force_login(users["dx"])
    client.post(url, {"status": "not_started", "percent_done": 20, "version": 1, "note": "事務局メモ"})
    client.force_login(users["dx"])
    stale = client.post(url, {"status": "on_hold", "percent_done": 0, "version": 1, "note": "私の入力"})
    html = stale.content.decode()
    assert stale.status_code == 200 and "先に保存された変更" in html and "進捗率（%）（0 → 20）" in html
    assert "私の入力" in html and 'name="version" value="2"' in html  # typed text kept, next save is based on now
    step.refresh_from_db()
    assert (step.percent_done, step.note, step.status) == (20, "事務局メモ", "not_started")
    client.post(url, {"status": "on_hold", "percent_done": 0, "version": 2, "note": "私の入力"})
    step.refresh_from_db()
    assert (step.status, step.note) == ("on_hold", "私の入力")


def test_project_edit_page_pattern_b_and_history(client, users, resident_project):
    client.force_login(users["dx"])
    response = client.post(
        f"/projects/{resident_project.id}/edit/",
        {
            "department": resident_project.department_id,
            "migration_pattern": "B",
            "approach": "undecided",
            "gov_cloud_use": "shared",
            "target_go_live": "2027-01-04",
            "version": 1,
        },
    )
    assert response.status_code == 302
    resident_project.refresh_from_db()
    assert resident_project.target_go_live == dt.date(2027, 1, 4)
    page = client.get(f"/projects/{resident_project.id}/").content.decode()
    assert "移行パターン: 未定 → Bパターン（同一ベンダ）" in page
    assert "状態: 未着手 → 対象外" in page


def test_project_list_filters_by_department_and_late(client, users, city, resident_project, make_project):
    tax_project = make_project(city, 4, "税務課")
    step = tax_project.step_progress.get(step__number=1)
    step.planned_start, step.planned_end = dt.date(2020, 1, 1), dt.date(2020, 2, 1)
    step.save()
    client.force_login(users["manager"])
    tax = city.departments.get(name="税務課")
    html = client.get("/projects/", {"department": tax.id}).content.decode()
    assert "個人住民税" in html and "住民基本台帳" not in html
    late = client.get("/projects/", {"late_only": "on"}).content.decode()
    assert "個人住民税" in late and "⚠" in late and f"/projects/{resident_project.id}/" not in late


def test_project_page_links_to_its_other_views(client, users, resident_project):
    client.force_login(users["manager"])
    html = client.get(f"/projects/{resident_project.id}/").content.decode()
    pid = resident_project.id
    for url in (f"/projects/{pid}/issues/", f"/schedules/projects/{pid}/", f"/fitgap/projects/{pid}/"):
        assert f'href="{url}"' in html
