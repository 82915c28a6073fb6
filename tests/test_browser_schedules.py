"""Gantt charts in Debian's Chromium: a manager opens the portfolio and a project Gantt; the owning
department edits a step's dates from its bar with the keyboard."""

import datetime as dt
import re

import pytest

from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def schedule_data(monkeypatch, users, city, resident_project, make_project):
    from migration.services import update_step_progress
    from schedules import services
    from schedules.models import Milestone

    monkeypatch.setattr("migration.selectors.today", lambda: TODAY)
    resident_project.target_go_live = dt.date(2027, 4, 1)
    resident_project.save()
    plan = services.propose_plan(project=resident_project)
    services.apply_plan(
        actor=users["dx"],
        project=resident_project,
        plan=[(p.progress, p.progress.version, {"planned_start": p.planned_start, "planned_end": p.planned_end})
              for p in plan],
    )  # fmt: skip
    for progress in resident_project.step_progress.select_related("step", "project").filter(step__number__lte=4):
        update_step_progress(actor=users["dx"], progress=progress, expected_version=progress.version,
                             data={"status": "done", "actual_start": progress.planned_start,
                                   "actual_end": progress.planned_end})  # fmt: skip
    make_project(city, 4, "税務課", target_go_live=dt.date(2026, 1, 1))
    Milestone.objects.create(municipality=city, name="令和8年第4回定例会", date=dt.date(2026, 12, 1),
                             end_date=dt.date(2026, 12, 18))  # fmt: skip
    return resident_project


def test_manager_sees_both_gantts_and_department_edits_a_bar(page, live_server, users, schedule_data):
    project = schedule_data
    log_in(page, live_server, "manager")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="スケジュール").click()
    page.get_by_role("heading", name="スケジュール（全案件のガントチャート）").wait_for()
    chart = page.locator(".gantt.portfolio")
    assert chart.locator(".g-project").count() == 2
    assert chart.locator(".bar-phase.phase-planning").first.is_visible()
    assert chart.locator(".line-today").count() == 1 and chart.locator(".g-year", has_text="R8年度").count() == 1
    assert chart.locator(".mark-budget").count() >= 1 and chart.locator(".mark-council").count() == 1
    assert "期限超過見込み" in chart.locator(f"#project-{project.id} summary").inner_text()
    # expand the project to its steps with the keyboard
    summary = chart.locator(f"#project-{project.id} > summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert chart.locator(f"#project-{project.id} .g-step").first.is_visible()
    assert chart.locator(f"#project-{project.id} .bar-actual").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "schedules-portfolio.png"), full_page=True)

    # quarter zoom through htmx, without reloading the page
    page.get_by_label("四半期").check()
    page.locator(".gantt.zoom-quarter").wait_for()
    assert "zoom=quarter" in page.url

    page.get_by_role("link", name="住民基本台帳").first.click()
    page.get_by_role("heading", name=re.compile("住民基本台帳のスケジュール")).wait_for()
    gantt = page.locator(".gantt")
    assert gantt.locator(".bar-planned").count() == 17 and gantt.locator(".bar-actual").count() == 4
    assert gantt.locator(".mark-deadline").count() == 1 and gantt.locator(".mark-go_live").count() == 1
    assert gantt.locator("a.bar-planned").count() == 0  # managers only read
    assert page.get_by_role("table", name=re.compile("住民基本台帳の作業手順")).locator("tbody tr").count() == 17
    page.screenshot(path=str(ARTIFACTS / "schedules-project.png"), full_page=True)

    # the owning department opens step 16's form from its bar with the keyboard and moves its end
    page.context.clear_cookies()
    log_in(page, live_server, "dept")
    page.goto(f"{live_server.url}/schedules/projects/{project.id}/")
    bar = page.get_by_role("link", name=re.compile("手順16「次期システムに合わせた既存環境の設定変更」予定"))
    bar.focus()
    page.keyboard.press("Enter")
    form = page.get_by_role("form", name="手順16「次期システムに合わせた既存環境の設定変更」の編集")
    form.wait_for()
    assert page.evaluate("document.activeElement.name") == "status"  # focus moved into the form
    form.get_by_label("予定終了日").fill("2027-02-15")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("手順16「次期システムに合わせた既存環境の設定変更」を保存しました。").wait_for()
    step = project.step_progress.get(step__number=16)
    assert step.planned_end == dt.date(2027, 2, 15) and step.history.first().history_user == users["dept"]
