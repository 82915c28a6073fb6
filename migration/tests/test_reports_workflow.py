"""Monthly reports: creation, the workflow transitions and who may do each, conflicts, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from migration import services
from migration.models import MonthlyReport, ReportReminder, RiskIssue, StepProgress
from migration.tests.conftest import OCTOBER
from portal.concurrency import StaleObjectError

State = MonthlyReport.State


def _submit(report, user):
    return services.submit_report(actor=user, report=report, expected_version=report.version)


def test_new_report_starts_from_last_months_plan_and_the_reporter(users, resident_project):
    september = services.create_report(actor=users["dept"], project=resident_project, month=dt.date(2025, 9, 1))
    services.save_report(
        actor=users["dept"], report=september, expected_version=1, data={"next_plan": "Fit&Gapの取りまとめ"}
    )
    october = services.create_report(actor=users["dept"], project=resident_project, month=dt.date(2025, 10, 20))
    assert october.month == OCTOBER and october.period_end == dt.date(2025, 10, 31)
    assert october.work_done == "Fit&Gapの取りまとめ"
    assert october.reporter == users["dept"] and october.contact == "dept@example.jp"
    assert october.state == State.DRAFT


def test_a_report_exists_once_per_project_and_month(users, resident_project, october_report):
    again = services.create_report(actor=users["dx"], project=resident_project, month=OCTOBER)
    assert again.pk == october_report.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReport.objects.create(
            project=resident_project, month=OCTOBER, period_start=OCTOBER, period_end=dt.date(2025, 10, 31)
        )


def test_full_workflow_submit_return_resubmit_accept(users, october_report):
    report = _submit(october_report, users["dept"])
    assert report.state == State.SUBMITTED and report.submitted_by == users["dept"]
    with pytest.raises(ValidationError):  # a submitted report is not edited any more
        services.save_report(actor=users["dept"], report=report, expected_version=report.version, data={})
    with pytest.raises(ValidationError):
        services.return_report(actor=users["dx"], report=report, expected_version=report.version, comment="  ")
    report = services.return_report(
        actor=users["dx"], report=report, expected_version=report.version, comment="遅延理由を書いてください"
    )
    assert report.state == State.RETURNED and report.return_comment == "遅延理由を書いてください"
    report = services.save_report(
        actor=users["dept"],
        report=report,
        expected_version=report.version,
        data={"overall_status": "off_track", "overall_reason": "ベンダの体制変更"},
    )
    report = _submit(report, users["dept"])
    report = services.accept_report(actor=users["dx"], report=report, expected_version=report.version)
    assert report.state == State.ACCEPTED and report.reviewed_by == users["dx"]
    with pytest.raises(ValidationError):  # 確認済 is final
        services.return_report(actor=users["dx"], report=report, expected_version=report.version, comment="再確認")


def test_who_may_do_what(users, october_report):
    for name in ("tax", "manager", "other_dx", "vendor"):  # other department, managers read only, others
        with pytest.raises(PermissionDenied):
            services.save_report(actor=users[name], report=october_report, expected_version=1, data={})
        with pytest.raises(PermissionDenied):
            _submit(october_report, users[name])
    report = _submit(october_report, users["dept"])
    for name in ("dept", "tax", "manager", "other_dx"):  # only the DX office returns or accepts
        with pytest.raises(PermissionDenied):
            services.accept_report(actor=users[name], report=report, expected_version=report.version)
        with pytest.raises(PermissionDenied):
            services.return_report(actor=users[name], report=report, expected_version=report.version, comment="x")
    with pytest.raises(ValidationError):  # the DX office cannot accept a draft
        draft = services.create_report(actor=users["dept"], project=report.project, month=dt.date(2025, 11, 1))
        services.accept_report(actor=users["dx"], report=draft, expected_version=draft.version)


def test_reason_required_when_not_on_track(users, october_report):
    with pytest.raises(ValidationError) as error:
        services.save_report(
            actor=users["dept"], report=october_report, expected_version=1, data={"overall_status": "at_risk"}
        )
    assert "overall_reason" in error.value.message_dict


def test_save_changes_steps_in_place_with_history_meetings_and_new_issues(users, october_report):
    progress = StepProgress.objects.get(project=october_report.project, step__number=3)
    report = services.save_report(
        actor=users["dept"],
        report=october_report,
        expected_version=1,
        data={"work_done": "比較分析に着手"},
        meetings=[{"date": dt.date(2025, 11, 10), "party": "ベンダA", "purpose": "Fit&Gap説明"}],
        step_updates=[(progress, progress.version, {"status": "in_progress", "percent_done": 30})],
        new_issues=[
            {"description": "帳票の差異が大きい", "importance": "high", "kind": "risk", "involves_dx_office": True}
        ],
    )
    progress.refresh_from_db()
    assert progress.status == "in_progress" and progress.percent_done == 30
    assert progress.history.first().history_user == users["dept"]
    assert [m.party for m in report.meetings.all()] == ["ベンダA"]
    issue = RiskIssue.objects.get(project=report.project)
    assert issue.importance == "high" and issue.is_cross_cutting and issue.number == 1
    assert issue.created_by == users["dept"]


def test_second_save_is_refused_and_says_what_changed(users, october_report):
    services.save_report(
        actor=users["dx"], report=october_report, expected_version=1, data={"work_done": "事務局の修正"}
    )
    with pytest.raises(StaleObjectError) as conflict:
        services.save_report(actor=users["dept"], report=october_report, expected_version=1, data={"work_done": "私の"})
    assert "今月の実施作業" in conflict.value.message and "事務局の修正" in conflict.value.message
    october_report.refresh_from_db()
    assert october_report.work_done == "事務局の修正"


def test_a_stale_step_rolls_back_the_whole_report_save(users, october_report):
    progress = StepProgress.objects.get(project=october_report.project, step__number=2)
    services.update_step_progress(actor=users["dx"], progress=progress, expected_version=1, data={"percent_done": 10})
    with pytest.raises(StaleObjectError):
        services.save_report(
            actor=users["dept"],
            report=october_report,
            expected_version=1,
            data={"work_done": "消えるはず"},
            step_updates=[(progress, 1, {"percent_done": 50})],
        )
    october_report.refresh_from_db()
    assert october_report.work_done == "" and october_report.version == 1


# --- reminders -----------------------------------------------------------------


@pytest.fixture
def department_members(users, make_user, city):
    from portal.models import User

    return make_user("dept2", User.Role.DEPARTMENT, city, ["市民課"])


def test_reminders_go_to_department_members_of_unsubmitted_reports_once_a_day(
    users, department_members, resident_project, city, make_project, django_capture_on_commit_callbacks
):
    tax_project = make_project(city, 4, "税務課")
    services.create_report(actor=users["dept"], project=resident_project, month=OCTOBER)  # draft: unsubmitted
    tax_report = services.create_report(actor=users["tax"], project=tax_project, month=OCTOBER)
    _submit(tax_report, users["tax"])  # submitted: no reminder

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=dt.date(2025, 11, 1)) == 0  # too early (due 11/5)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=dt.date(2025, 11, 3)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["dept2@example.jp", "dept@example.jp"]  # 市民課 members, not 税務課 or dx
    assert "住民基本台帳" in message.subject and "近づいています" in message.subject
    assert "令和" not in message.body and "2025年11月5日" in message.body

    with django_capture_on_commit_callbacks(execute=True):  # same day again: nothing
        assert services.send_report_reminders(today=dt.date(2025, 11, 3)) == 0
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):  # after the due date: again, once
        assert services.send_report_reminders(today=dt.date(2025, 11, 7)) == 1
    assert "過ぎています" in mail.outbox[1].subject
    assert ReportReminder.objects.filter(project=resident_project, month=OCTOBER).count() == 2


def test_project_without_any_report_is_reminded_and_the_due_day_is_a_setting(
    users, resident_project, city, django_capture_on_commit_callbacks
):
    city.report_due_day = 15
    city.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminders(today=dt.date(2025, 11, 10)) == 0  # 15 - 3 = 12th
        assert services.send_report_reminders(today=dt.date(2025, 11, 12)) == 1
    assert mail.outbox[0].to == ["dept@example.jp"]


def test_celery_task_runs_the_service(users, resident_project, django_capture_on_commit_callbacks, monkeypatch):
    from migration import tasks

    monkeypatch.setattr(services._timezone, "localdate", lambda: dt.date(2025, 11, 6))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_report_reminders.apply().get()
    assert result == 1 and len(mail.outbox) == 1


def test_dx_office_reminds_by_hand_once_a_day(users, resident_project, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.send_report_reminder_by_hand(actor=users["dept"], project=resident_project, month=OCTOBER)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_report_reminder_by_hand(actor=users["dx"], project=resident_project, month=OCTOBER)
        assert not services.send_report_reminder_by_hand(actor=users["dx"], project=resident_project, month=OCTOBER)
    assert len(mail.outbox) == 1
    assert ReportReminder.objects.get().sent_by == users["dx"]


def test_returning_a_report_mails_the_department(users, october_report, django_capture_on_commit_callbacks):
    report = _submit(october_report, users["dept"])
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(actor=users["dx"], report=report, expected_version=report.version, comment="要修正")
    assert mail.outbox[0].to == ["dept@example.jp"] and "要修正" in mail.outbox[0].body


def test_the_reporter_is_a_member_of_the_owning_department_or_the_dx_office(users, october_report):
    with pytest.raises(ValidationError) as error:
        services.save_report(
            actor=users["dept"], report=october_report, expected_version=1, data={"reporter": users["tax"]}
        )
    assert "報告者は業務主管課の職員または事務局の職員から選んでください。" in str(error.value)
    report = services.save_report(
        actor=users["dept"], report=october_report, expected_version=1, data={"reporter": users["dx"]}
    )
    assert report.reporter == users["dx"]
