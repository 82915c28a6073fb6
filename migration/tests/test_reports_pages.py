"""Report and register pages: board, report form (steps, meetings, new issue), review, conflicts, lists."""

import datetime as dt
import re

from django.core import mail

from migration import services
from migration.models import MonthlyReport, RiskIssue, StepProgress


def _report_form_data(report, **overrides):
    """What the browser posts for an untouched report form."""
    data = {
        "version": report.version,
        "reporter": report.reporter_id,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "contact": report.contact,
        "overall_status": report.overall_status,
        "overall_reason": report.overall_reason,
        "work_done": report.work_done,
        "next_plan": report.next_plan,
        "notes_to_office": report.notes_to_office,
        "meeting-TOTAL_FORMS": 2,
        "meeting-INITIAL_FORMS": 0,
        "meeting-MIN_NUM_FORMS": 0,
        "meeting-MAX_NUM_FORMS": 1000,
        "issue-kind": "issue",
        "issue-importance": "medium",
        "issue-category": "other",
    }
    for progress in StepProgress.objects.filter(project=report.project).select_related("step"):
        prefix = f"step-{progress.step.number}-"
        data.update(
            {
                prefix + "version": progress.version,
                prefix + "status": progress.status,
                prefix + "percent_done": progress.percent_done,
                prefix + "note": progress.note,
            }
        )
    data.update(overrides)
    return data


def test_board_shows_states_due_date_and_who_has_not_submitted(client, users, resident_project, tax_project):
    services.create_report(actor=users["dept"], project=resident_project, month=dt.date(2025, 10, 1))
    client.force_login(users["dx"])
    html = client.get("/reports/?month=2025-10").content.decode()
    assert "令和7年11月5日" in html  # due the 5th of the following month
    assert "✎ 下書き" in html and "✕ 未作成" in html and html.count("督促メール") == 2
    client.force_login(users["tax"])  # a department sees its own projects, and may create its report
    html = client.get("/reports/?month=2025-10").content.decode()
    assert "個人住民税" in html and "住民基本台帳" not in html and "報告を作成" in html


def test_department_creates_fills_and_submits_with_a_step_change_and_a_new_high_issue(client, users, resident_project):
    client.force_login(users["dept"])
    response = client.post(f"/reports/new/{resident_project.id}/", {"month": "2025-10"})
    report = MonthlyReport.objects.get()
    assert response["Location"] == f"/reports/{report.id}/edit/"
    page = client.get(f"/reports/{report.id}/edit/").content.decode()
    assert "17の作業手順" in page and "新しい課題・リスクを追加する" in page

    data = _report_form_data(
        report,
        work_done="現行調査を実施",
        **{
            "step-2-status": "in_progress",
            "step-2-percent_done": 50,
            "meeting-0-date": "2025-11-10",
            "meeting-0-party": "ベンダA",
            "meeting-0-purpose": "移行計画",
            "issue-description": "文字同定の作業量が見込めない",
            "issue-importance": "high",
            "issue-involves_dx_office": "on",
            "submit": "1",
        },
    )
    response = client.post(f"/reports/{report.id}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.state == "submitted" and report.work_done == "現行調査を実施"
    step = StepProgress.objects.get(project=resident_project, step__number=2)
    assert step.status == "in_progress" and step.percent_done == 50 and step.version == 2
    assert StepProgress.objects.get(project=resident_project, step__number=3).version == 1  # untouched
    issue = RiskIssue.objects.get()
    assert issue.importance == "high" and issue.is_cross_cutting
    assert [m.party for m in report.meetings.all()] == ["ベンダA"]
    detail = client.get(f"/reports/{report.id}/").content.decode()
    assert "文字同定の作業量" in detail and "↑ 提出済" in detail and "報告を編集" not in detail


def test_form_errors_keep_input_and_say_what_to_fix(client, users, october_report):
    client.force_login(users["dept"])
    data = _report_form_data(october_report, overall_status="off_track", work_done="途中まで書いた")
    data["step-4-planned_start"] = "2025-06-01"
    data["step-4-planned_end"] = "2025-05-01"
    html = client.post(f"/reports/{october_report.id}/edit/", data).content.decode()
    assert 'role="alert"' in html and "途中まで書いた" in html
    assert "全体状況が「順調」でない場合は、その理由を1行で入力してください。" in html
    assert "手順4" in html and "予定終了日は予定開始日以降の日付にしてください。" in html
    october_report.refresh_from_db()
    assert october_report.work_done == ""


def test_concurrent_edit_on_the_page_is_refused_and_keeps_the_second_persons_text(client, users, october_report):
    services.save_report(actor=users["dx"], report=october_report, expected_version=1, data={"next_plan": "事務局案"})
    client.force_login(users["dept"])
    data = _report_form_data(october_report, next_plan="課の案")
    data["version"] = 1
    html = client.post(f"/reports/{october_report.id}/edit/", data).content.decode()
    assert "保存できませんでした" in html and "次月の検討・作業予定" in html and "事務局案" in html
    assert "課の案" in html  # the second person's text is kept in the form
    assert re.search(r'name="version" value="2"', html)  # the next save is based on the current version
    october_report.refresh_from_db()
    assert october_report.next_plan == "事務局案"


def test_dx_office_returns_with_a_comment_and_accepts_the_resubmission(
    client, users, october_report, django_capture_on_commit_callbacks
):
    report = services.submit_report(actor=users["dept"], report=october_report, expected_version=1)
    client.force_login(users["dx"])
    html = client.get(f"/reports/{report.id}/").content.decode()
    assert "確認済にする" in html and "差し戻す" in html
    empty = client.post(f"/reports/{report.id}/return/", {"version": report.version, "return_comment": ""})
    assert empty.status_code == 400 and "差戻しの理由" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.id}/return/", {"version": report.version, "return_comment": "数字を確認"})
    report.refresh_from_db()
    assert report.state == "returned" and mail.outbox[0].to == ["dept@example.jp"]
    client.force_login(users["dept"])
    assert "数字を確認" in client.get(f"/reports/{report.id}/edit/").content.decode()
    client.post(f"/reports/{report.id}/submit/", {"version": report.version})
    client.force_login(users["dx"])
    report.refresh_from_db()
    client.post(f"/reports/{report.id}/accept/", {"version": report.version})
    report.refresh_from_db()
    assert report.state == "accepted"


def test_who_sees_and_edits_report_pages(client, users, october_report):
    client.force_login(users["tax"])
    assert client.get(f"/reports/{october_report.id}/edit/").status_code == 403
    assert client.get(f"/reports/{october_report.id}/").status_code == 200
    client.force_login(users["manager"])
    assert client.get(f"/reports/{october_report.id}/edit/").status_code == 403
    assert client.post(f"/reports/{october_report.id}/submit/", {"version": 1}).status_code == 403
    october_report.refresh_from_db()
    assert october_report.state == "draft"
    client.force_login(users["other_dx"])
    assert client.get(f"/reports/{october_report.id}/").status_code == 404
    client.force_login(users["vendor"])
    assert client.get("/reports/").status_code == 403
    assert client.get("/issues/").status_code == 403


def test_submit_all_at_once(client, users, city, make_project, make_user):
    from portal.models import User

    both = make_user("both", User.Role.DEPARTMENT, city, ["市民課", "税務課"])
    first = make_project(city, 1, "市民課")
    second = make_project(city, 4, "税務課")
    reports = [services.create_report(actor=both, project=p, month=dt.date(2025, 10, 1)) for p in (first, second)]
    client.force_login(both)
    html = client.get("/reports/?month=2025-10").content.decode()
    assert "まとめて提出" in html
    client.post("/reports/submit-all/", {"month": "2025-10", "report": [r.id for r in reports]})
    assert set(MonthlyReport.objects.values_list("state", flat=True)) == {"submitted"}


def test_board_reminder_button(client, users, resident_project, django_capture_on_commit_callbacks):
    client.force_login(users["dx"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/remind/{resident_project.id}/", {"month": "2025-10"})
    assert len(mail.outbox) == 1
    assert "本日督促済" in client.get("/reports/?month=2025-10").content.decode()


def test_issue_list_filters_sorts_and_highlights(client, users, city, resident_project, tax_project):
    tax = city.departments.get(name="税務課")
    common = {"raised_on": dt.date(2025, 9, 1)}
    services.create_risk_issue(
        actor=users["dept"], project=resident_project,
        data={**common, "description": "期限切れの高", "importance": "high", "due_date": dt.date(2025, 10, 1),
              "involves_dx_office": True, "category": "gov_cloud"},
    )  # fmt: skip
    services.create_risk_issue(
        actor=users["dept"], project=resident_project,
        data={**common, "description": "税と連携", "importance": "low", "kind": "risk"}, other_departments=[tax],
    )  # fmt: skip
    services.create_risk_issue(
        actor=users["tax"], project=tax_project, data={**common, "description": "課内だけの課題", "importance": "high"}
    )
    client.force_login(users["dx"])
    html = client.get("/issues/").content.decode()
    assert "期限切れの高" in html and "税と連携" in html and "課内だけの課題" not in html
    assert "⚠ 期限超過" in html and "▲ 高" in html and 'class="is-high is-late"' in html
    assert html.index("期限切れの高") < html.index("税と連携")  # 重要度 高 first
    assert "期限切れの高" not in client.get("/issues/?kind=risk").content.decode()
    assert "税と連携" not in client.get("/issues/?overdue=on").content.decode()
    assert "期限切れの高" not in client.get(f"/issues/?department={tax.id}").content.decode()
    assert "課内だけの課題" in client.get("/issues/?scope=all").content.decode()
    sorted_html = client.get("/issues/?sort=number").content.decode()
    assert sorted_html.index("期限切れの高") < sorted_html.index("税と連携")


def test_issue_form_conflict_and_comments(client, users, city, resident_project):
    issue = services.create_risk_issue(
        actor=users["dept"], project=resident_project, data={"description": "元", "raised_on": dt.date(2025, 9, 1)}
    )
    client.force_login(users["dx"])
    form = {"kind": "issue", "description": "事務局の更新", "importance": "high", "raised_on": "2025-09-01",
            "category": "other", "status": "in_progress", "version": 1}  # fmt: skip
    assert client.post(f"/issues/{issue.id}/edit/", form).status_code == 302
    client.force_login(users["dept"])
    html = client.post(f"/issues/{issue.id}/edit/", {**form, "description": "課の更新"}).content.decode()
    assert "保存できませんでした" in html and "課の更新" in html and "事務局の更新" in html
    issue.refresh_from_db()
    assert issue.description == "事務局の更新"
    bad = client.post(f"/issues/{issue.id}/edit/", {**form, "version": 2, "status": "done"}).content.decode()
    assert "完了にするには完了日を入力してください。" in bad
    assert client.post(f"/issues/{issue.id}/", {"body": ""}).status_code == 400
    client.post(f"/issues/{issue.id}/", {"body": "進めます"})
    assert "進めます" in client.get(f"/issues/{issue.id}/").content.decode()
    client.force_login(users["tax"])  # not named: cannot comment
    assert client.post(f"/issues/{issue.id}/", {"body": "x"}).status_code == 403


def test_issue_create_page(client, users, resident_project):
    client.force_login(users["dept"])
    url = f"/projects/{resident_project.id}/issues/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "risk", "description": "新規", "importance": "medium",
                                 "raised_on": "2025-10-01", "category": "budget", "status": "open"})  # fmt: skip
    issue = RiskIssue.objects.get()
    assert response["Location"] == f"/issues/{issue.id}/" and issue.category == "budget"
    client.force_login(users["tax"])
    assert client.get(url).status_code == 403


def test_board_and_issue_list_need_a_fixed_number_of_queries(
    client, users, city, make_project, django_assert_max_num_queries
):
    client.force_login(users["dx"])
    projects = [make_project(city, n, "市民課") for n in (1, 2, 3)]
    for project in projects:
        services.create_report(actor=users["dx"], project=project, month=dt.date(2025, 10, 1))
        services.create_risk_issue(
            actor=users["dx"], project=project, data={"description": "x", "involves_dx_office": True}
        )
    with django_assert_max_num_queries(12):
        assert client.get("/reports/?month=2025-10").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/issues/").status_code == 200
    more = [make_project(city, n, "税務課") for n in (4, 5, 6, 7)]
    for project in more:
        services.create_report(actor=users["dx"], project=project, month=dt.date(2025, 10, 1))
        services.create_risk_issue(
            actor=users["dx"], project=project, data={"description": "x", "involves_dx_office": True}
        )
    with django_assert_max_num_queries(12):
        assert client.get("/reports/?month=2025-10").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/issues/").status_code == 200


def test_existing_items_are_updated_from_the_report_and_come_back(client, users, october_report):
    issue = services.create_risk_issue(
        actor=users["dept"], project=october_report.project, data={"description": "既存の課題"}
    )
    client.force_login(users["dept"])
    back = f"/reports/{october_report.id}/edit/"
    html = client.get(back).content.decode()
    link = f"/issues/{issue.id}/edit/?next={back}"
    assert link in html
    form = {"kind": "issue", "description": "既存の課題", "importance": "medium", "raised_on": str(issue.raised_on),
            "category": "other", "status": "in_progress", "response": "ベンダに確認中", "version": 1,
            "next": back}  # fmt: skip
    response = client.post(f"/issues/{issue.id}/edit/", form)
    assert response["Location"] == back
    assert "対応中" in client.get(back).content.decode()
    evil = client.post(f"/issues/{issue.id}/edit/", {**form, "version": 2, "next": "https://evil.example/"})
    assert evil["Location"] == f"/issues/{issue.id}/"


def test_reporter_defaults_to_the_user_and_can_be_another_member_of_the_department(
    client, users, city, make_user, october_report
):
    colleague = make_user("colleague", "department", city, ["市民課"])
    client.force_login(users["dept"])
    page = client.get(f"/reports/{october_report.id}/edit/").content.decode()
    assert f'<option value="{users["dept"].id}" selected>' in page and "colleague" in page
    assert ">tax</option>" not in page  # 税務課 is not the owning department

    refused = client.post(
        f"/reports/{october_report.id}/edit/", _report_form_data(october_report, reporter=users["tax"].id)
    )
    assert refused.status_code == 200 and "正しく選択してください" in refused.content.decode()
    response = client.post(
        f"/reports/{october_report.id}/edit/", _report_form_data(october_report, reporter=colleague.id)
    )
    assert response.status_code == 302
    october_report.refresh_from_db()
    assert october_report.reporter == colleague
