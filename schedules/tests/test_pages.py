"""Gantt pages: drawing, filters, step edits from a bar, 標準工程, baselines, milestones, query counts."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from migration.models import StepProgress
from schedules.models import Baseline, Milestone
from schedules.tests.conftest import set_step

pytestmark = pytest.mark.usefixtures("fixed_today")


def test_project_gantt_draws_bars_milestones_and_forecast(client, users, planned_project):
    Milestone.objects.create(municipality=planned_project.municipality, name="令和8年第4回定例会",
                             date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 18))  # fmt: skip
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:project", args=[planned_project.id])).content.decode()
    assert html.count('class="bar bar-planned"') == 17  # manager: drawn, not editable
    assert html.count('class="bar bar-actual"') == 4
    assert "R5年度" not in html and "R8年度" in html and ">4月<" in html  # 和暦 fiscal years and months
    assert "国の移行期限（令和7年度末）" in html and "稼働目標日" in html
    assert "予算要求（R9年度予算）" in html and "令和8年第4回定例会" in html
    assert "line-today" in html
    assert "期限超過見込み" in html  # go-live 2027-04-01 is after the national deadline
    assert 'href="/schedules/projects/' not in html.split('id="schedule"')[1].split("表形式")[0]  # no edit links


def test_late_step_is_marked_with_a_symbol(client, users, planned_project):
    progress = planned_project.step_progress.get(step__number=5)
    set_step(users["dx"], planned_project, 5, status="in_progress",
             actual_start=progress.planned_start + dt.timedelta(days=10))  # fmt: skip
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:project", args=[planned_project.id])).content.decode()
    assert re.search(r'g-step is-late[^"]*" id="gantt-\d+-step-5"', html)
    assert "⚠ 遅延" in html


def test_quarter_zoom(client, users, planned_project):
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:project", args=[planned_project.id]) + "?zoom=quarter").content.decode()
    assert "zoom-quarter" in html and ">1Q<" in html and ">4月<" not in html


def test_other_municipality_project_is_not_found(client, users, town_project):
    client.force_login(users["manager"])
    assert client.get(reverse("schedules:project", args=[town_project.id])).status_code == 404


def test_vendor_cannot_see_schedules(client, users):
    client.force_login(users["vendor"])
    assert client.get(reverse("schedules:portfolio")).status_code == 403


def test_portfolio_groups_filters_and_expands(client, users, city, planned_project, make_project):
    difficult = make_project(city, 13, "税務課", is_difficult=True, difficult_reason="代替ベンダなし",
                             individual_deadline=dt.date(2028, 3, 31), target_go_live=dt.date(2028, 1, 1))  # fmt: skip
    client.force_login(users["manager"])
    url = reverse("schedules:portfolio")
    html = client.get(url).content.decode()
    assert '<div class="g-row g-group"><div class="g-label">市民課</div>' in html
    assert f'id="project-{planned_project.id}"' in html and f'id="project-{difficult.id}"' in html
    assert "bar-phase phase-planning" in html and ">計<" in html
    html = client.get(url + "?difficult_only=on").content.decode()
    assert f'id="project-{difficult.id}"' in html and f'id="project-{planned_project.id}"' not in html
    html = client.get(url + "?group_by=group").content.decode()
    assert '<div class="g-label">住民記録</div>' in html and '<div class="g-label">第2グループ</div>' in html
    html = client.get(url + "?late_only=on").content.decode()
    assert f'id="project-{planned_project.id}"' in html and f'id="project-{difficult.id}"' not in html
    html = client.get(url + "?late_only=on&difficult_only=on").content.decode()
    assert "条件に合う案件はありません。" in html
    partial = client.get(url + "?zoom=quarter", headers={"HX-Request": "true", "HX-Target": "schedule"})
    assert partial.content.decode().startswith('<div id="schedule">') and b"zoom-quarter" in partial.content


def test_portfolio_of_20_projects_needs_a_fixed_number_of_queries(
    client, users, city, make_project, django_assert_max_num_queries
):
    from migration.models import TargetOperation

    Milestone.objects.create(municipality=city, name="定例会", date=dt.date(2026, 12, 1))
    for operation in TargetOperation.objects.all():
        project = make_project(city, operation.number, "税務課", target_go_live=dt.date(2027, 4, 1))
        set_step(users["dx"], project, 1, planned_start=dt.date(2025, 4, 1), planned_end=dt.date(2025, 6, 30))
    baseline = Baseline.objects.create(municipality=city, name="当初")
    client.force_login(users["dept"])
    assert StepProgress.objects.count() == 20 * 17
    with django_assert_max_num_queries(11):
        response = client.get(reverse("schedules:portfolio") + f"?baseline={baseline.id}")
    assert response.status_code == 200
    assert response.content.decode().count('class="g-project"') == 20


def test_department_edits_a_step_from_a_bar(client, users, planned_project):
    client.force_login(users["dept"])
    url = reverse("schedules:step_edit", args=[planned_project.id, 5])
    page = client.get(reverse("schedules:project", args=[planned_project.id])).content.decode()
    assert f'hx-get="{url}?next=' in page  # the bar opens the small form
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'name="planned_start"' in form and "<html" not in form
    progress = planned_project.step_progress.get(step__number=5)
    data = {"version": progress.version, "status": "in_progress", "percent_done": 10, "planned_start": "2025-09-01",
            "planned_end": "2025-08-01", "actual_start": "2025-09-03", "actual_end": "", "note": ""}  # fmt: skip
    response = client.post(url, data, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "予定終了日は予定開始日以降の日付にしてください。" in text and 'value="2025-09-03"' in text
    data["planned_end"] = "2025-10-31"
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"
    progress.refresh_from_db()
    assert (progress.planned_end, progress.status, progress.version) == (dt.date(2025, 10, 31), "in_progress", 3)
    record = progress.history.first()
    assert record.history_user == users["dept"]
    # the same form again, based on the old version: refused, input kept
    response = client.post(url, {**data, "version": 2, "note": "古い版から"})
    assert "先に更新したため、保存できませんでした" in response.content.decode()
    assert "古い版から" in response.content.decode()


def test_manager_and_other_department_cannot_edit(client, users, planned_project):
    url = reverse("schedules:step_edit", args=[planned_project.id, 5])
    for name in ("manager", "tax"):
        client.force_login(users[name])
        assert client.get(url).status_code == 403


def test_plan_generation_is_a_proposal_until_saved(client, users, resident_project):
    resident_project.target_go_live = dt.date(2027, 4, 1)
    resident_project.save()
    set_step(users["dx"], resident_project, 9, status="not_applicable", note="ベンダ変更なし")
    client.force_login(users["dept"])
    gantt = client.get(reverse("schedules:project", args=[resident_project.id])).content.decode()
    assert "標準工程で計画を作成" in gantt
    url = reverse("schedules:plan", args=[resident_project.id])
    html = client.get(url).content.decode()
    assert "令和9年3月31日" in html and "まだ保存されていません" in html
    assert not StepProgress.objects.filter(project=resident_project, planned_start__isnull=False).exists()
    versions = {f"version-{p.step.number}": p.version for p in resident_project.step_progress.select_related("step")}
    response = client.post(url, versions)
    assert response.status_code == 302
    steps = {p.step.number: p for p in resident_project.step_progress.select_related("step")}
    assert steps[17].planned_end == dt.date(2027, 3, 31)
    assert steps[9].planned_start is None  # 対象外 skipped
    assert steps[10].planned_end == steps[11].planned_start - dt.timedelta(days=1)
    assert steps[1].history.first().history_user == users["dept"]
    # now it has dates: no second proposal
    assert "予定日が入力済みの手順があるため" in client.get(url).content.decode()


def test_plan_generation_needs_a_go_live(client, users, resident_project):
    client.force_login(users["dx"])
    html = client.get(reverse("schedules:plan", args=[resident_project.id])).content.decode()
    assert "稼働目標日が未設定です" in html


def test_dx_office_saves_a_baseline_and_sees_what_moved(client, users, planned_project):
    client.force_login(users["dx"])
    response = client.post(reverse("schedules:baseline_list"), {"name": "令和6年度当初計画", "note": ""})
    baseline = Baseline.objects.get(name="令和6年度当初計画")
    assert response.status_code == 302 and baseline.steps.count() == 17
    again = client.post(reverse("schedules:baseline_list"), {"name": "令和6年度当初計画", "note": ""})
    assert "という名前のベースラインは既にあります" in again.content.decode()
    progress = planned_project.step_progress.get(step__number=6)
    set_step(users["dx"], planned_project, 6, planned_end=progress.planned_end + dt.timedelta(days=14))
    html = client.get(reverse("schedules:baseline_detail", args=[baseline.id])).content.decode()
    assert "RFIの実施" in html and "＋14日" in html and "推進体制の立ち上げ" not in html
    gantt = client.get(reverse("schedules:project", args=[planned_project.id]) + f"?baseline={baseline.id}")
    assert gantt.content.decode().count('class="bar bar-baseline"') == 17
    assert "ベースライン「令和6年度当初計画」からの変更" in gantt.content.decode()


def test_only_the_dx_office_saves_baselines_and_milestones(client, users, planned_project):
    client.force_login(users["dept"])
    assert client.post(reverse("schedules:baseline_list"), {"name": "x"}).status_code == 403
    assert client.post(reverse("schedules:milestone_list"), {"kind": "council", "name": "x",
                                                             "date": "2026-12-01"}).status_code == 403  # fmt: skip


def test_milestone_form_keeps_input_on_error(client, users, city):
    client.force_login(users["dx"])
    url = reverse("schedules:milestone_list")
    data = {"kind": "council", "name": "令和8年第4回定例会", "date": "2026-12-10", "end_date": "2026-12-01"}
    html = client.post(url, data).content.decode()
    assert "終了日は日付（開始日）以降の日付にしてください。" in html and 'value="令和8年第4回定例会"' in html
    data["end_date"] = "2026-12-20"
    assert client.post(url, data).status_code == 302
    html = client.get(url).content.decode()
    assert "令和8年第4回定例会" in html and "予算要求" in html


def test_other_municipality_baselines_and_milestones_are_not_found(client, users, town, town_project):
    from schedules import services

    baseline = services.create_baseline(actor=users["other_dx"], municipality=town, name="みなみ町当初")
    milestone = services.save_milestone(
        actor=users["other_dx"],
        municipality=town,
        data={"kind": "council", "name": "町議会", "date": dt.date(2026, 12, 1)},
    )
    client.force_login(users["dx"])
    assert client.get(reverse("schedules:baseline_detail", args=[baseline.id])).status_code == 404
    assert client.post(reverse("schedules:milestone_delete", args=[milestone.id])).status_code == 404
    assert "みなみ町当初" not in client.get(reverse("schedules:baseline_list")).content.decode()
    assert "町議会" not in client.get(reverse("schedules:portfolio")).content.decode()
    assert client.get(f"/api/v1/baselines/{baseline.id}/").status_code == 404
    # a baseline of みなみ町 chosen by id is ignored, not shown
    html = client.get(reverse("schedules:portfolio") + f"?baseline={baseline.id}").content.decode()
    assert "bar-baseline" not in html.split("凡例")[1]


def test_portfolio_draws_the_national_deadline_line(client, users, planned_project):
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:portfolio")).content.decode()
    assert 'class="g-line line-deadline"' in html


def _export_inputs(html: str) -> dict[str, str]:
    """The hidden inputs of the スケジュール表 export form in html (csrf token left out)."""
    form = re.search(r'<form method="post" action="/schedules/export/".*?</form>', html, re.S)
    assert form, "no export form"
    inputs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))
    return {name: value for name, value in inputs if name != "csrfmiddlewaretoken"}


def test_portfolio_export_form_follows_the_filters_swapped_by_htmx(client, users, city, planned_project):
    from schedules import services

    baseline = services.create_baseline(actor=users["dx"], municipality=city, name="当初")
    department = city.departments.get(name="市民課")
    client.force_login(users["manager"])
    assert _export_inputs(client.get(reverse("schedules:portfolio")).content.decode()) == {"group_by": "department"}
    query = (f"?department={department.id}&group=resident_registry&late_only=on&difficult_only=on"
             f"&group_by=group&zoom=quarter&baseline={baseline.id}")  # fmt: skip
    partial = client.get(
        reverse("schedules:portfolio") + query, headers={"HX-Request": "true", "HX-Target": "schedule"}
    ).content.decode()
    assert partial.startswith('<div id="schedule">')
    assert _export_inputs(partial) == {
        "department": str(department.id),
        "group": "resident_registry",
        "group_by": "group",
        "late_only": "on",
        "difficult_only": "on",
        "baseline": str(baseline.id),
    }


def test_project_export_form_follows_the_baseline_swapped_by_htmx(client, users, city, planned_project):
    from schedules import services

    baseline = services.create_baseline(actor=users["dx"], municipality=city, name="当初")
    client.force_login(users["manager"])
    url = reverse("schedules:project", args=[planned_project.id])
    assert _export_inputs(client.get(url).content.decode()) == {"project": str(planned_project.id)}
    partial = client.get(
        url + f"?baseline={baseline.id}", headers={"HX-Request": "true", "HX-Target": "schedule"}
    ).content.decode()
    assert partial.startswith('<div id="schedule">')
    assert _export_inputs(partial) == {"project": str(planned_project.id), "baseline": str(baseline.id)}


def test_an_invalid_filter_is_dropped_alone(client, users, city, planned_project, make_project):
    difficult = make_project(city, 13, "税務課", is_difficult=True, difficult_reason="代替ベンダなし",
                             individual_deadline=dt.date(2028, 3, 31))  # fmt: skip
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:portfolio") + "?late_only=on&department=99999&zoom=year").content.decode()
    assert f'id="project-{planned_project.id}"' in html and f'id="project-{difficult.id}"' not in html  # late only
    assert "zoom-month" in html  # the invalid zoom falls back to months
    assert _export_inputs(html) == {"group_by": "department", "late_only": "on"}


def test_portfolio_filters_by_department_and_group(client, users, city, planned_project, make_project):
    tax = make_project(city, 13, "税務課", target_go_live=dt.date(2026, 1, 1))
    client.force_login(users["manager"])
    url = reverse("schedules:portfolio")
    html = client.get(url + f"?department={city.departments.get(name='税務課').id}").content.decode()
    assert f'id="project-{tax.id}"' in html and f'id="project-{planned_project.id}"' not in html
    assert '<div class="g-label">税務課</div>' in html and '<div class="g-label">市民課</div>' not in html
    html = client.get(url + "?group=resident_registry").content.decode()
    assert f'id="project-{planned_project.id}"' in html and f'id="project-{tax.id}"' not in html
    html = client.get(url + "?group=second&group_by=group").content.decode()
    assert f'id="project-{tax.id}"' in html and f'id="project-{planned_project.id}"' not in html
    assert '<div class="g-label">第2グループ</div>' in html and '<div class="g-label">住民記録</div>' not in html


def test_project_page_shows_the_current_contract_end(client, users, contracted_project):
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:project", args=[contracted_project.id])).content.decode()
    assert "<dt>現行契約終了</dt><dd>■ 令和9年9月30日</dd>" in html
    assert 'class="g-mark mark-contract_end"' in html
    assert '<td>■</td><td>現行契約終了</td><th scope="row">現行契約終了（あおば住民情報）</th>' in html
    assert "R9年度" in html  # the axis reaches the contract end


def test_difficult_project_shows_its_individual_deadline(client, users, city, make_project):
    difficult = make_project(city, 13, "税務課", is_difficult=True, difficult_reason="代替ベンダなし",
                             individual_deadline=dt.date(2028, 3, 31))  # fmt: skip
    client.force_login(users["manager"])
    html = client.get(reverse("schedules:project", args=[difficult.id])).content.decode()
    assert "◆ 令和10年3月31日（移行困難システムの個別期限）" in html
    assert "個別の移行期限（移行困難システム）" in html and "国の移行期限（令和7年度末）" not in html.split("凡例")[0]
    assert 'class="g-mark mark-deadline"' in html and "R9年度" in html


def test_dx_office_deletes_a_baseline_and_a_department_cannot(client, users, city, planned_project):
    from schedules import services

    baseline = services.create_baseline(actor=users["dx"], municipality=city, name="当初")
    url = reverse("schedules:baseline_detail", args=[baseline.id])
    client.force_login(users["dept"])
    assert "このベースラインを削除" not in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    assert Baseline.objects.filter(pk=baseline.pk).exists()
    client.force_login(users["dx"])
    assert "このベースラインを削除" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("schedules:baseline_list")
    assert not Baseline.objects.filter(pk=baseline.pk).exists()
    assert client.get(url).status_code == 404


def test_dx_office_deletes_a_milestone_and_a_department_cannot(client, users, city):
    milestone = Milestone.objects.create(municipality=city, name="令和8年第4回定例会", date=dt.date(2026, 12, 1))
    url = reverse("schedules:milestone_delete", args=[milestone.id])
    client.force_login(users["dept"])
    assert client.post(url).status_code == 403
    client.force_login(users["dx"])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("schedules:milestone_list"), 302)]
    assert "「令和8年第4回定例会」を削除しました。" in response.content.decode()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert "令和8年第4回定例会" not in client.get(reverse("schedules:milestone_list")).content.decode()


def test_plan_is_refused_to_the_manager_and_another_department(client, users, resident_project):
    resident_project.target_go_live = dt.date(2027, 4, 1)
    resident_project.save()
    url = reverse("schedules:plan", args=[resident_project.id])
    versions = {f"version-{p.step.number}": p.version for p in resident_project.step_progress.select_related("step")}
    for name in ("manager", "tax"):
        client.force_login(users[name])
        assert client.get(url).status_code == 403
        assert client.post(url, versions).status_code == 403
        page = client.get(reverse("schedules:project", args=[resident_project.id])).content.decode()
        assert "標準工程で計画を作成" not in page
    assert not StepProgress.objects.filter(project=resident_project, planned_start__isnull=False).exists()


def test_plan_based_on_a_stale_version_is_refused(client, users, resident_project):
    resident_project.target_go_live = dt.date(2027, 4, 1)
    resident_project.save()
    client.force_login(users["dept"])
    url = reverse("schedules:plan", args=[resident_project.id])
    client.get(url)
    versions = {f"version-{p.step.number}": p.version for p in resident_project.step_progress.select_related("step")}
    set_step(users["dx"], resident_project, 3, note="事務局が先に更新")  # someone saves step 3 meanwhile
    response = client.post(url, versions)
    assert response.status_code == 200
    assert "先に更新したため、保存できませんでした" in response.content.decode()
    assert not StepProgress.objects.filter(project=resident_project, planned_start__isnull=False).exists()  # nothing
