"""Writes to migration projects and step progress. Every function takes the acting user."""

import calendar as _calendar
import datetime as _dt
import logging as _logging

from django.conf import settings as _settings
from django.core.exceptions import ValidationError as _ValidationError
from django.core.mail import send_mail as _send_mail
from django.db import IntegrityError as _IntegrityError
from django.db import transaction
from django.db.models import Max as _Max
from django.utils import timezone as _timezone
from django.utils.translation import gettext as _

from migration import permissions as _perms
from migration import selectors as _selectors
from migration.models import (
    MigrationProject,
    MonthlyReport,
    ProcedureStep,
    ReportMeeting,
    ReportReminder,
    RiskIssue,
    RiskIssueComment,
    StepProgress,
)
from portal.concurrency import StaleObjectError, claim_version
from portal.permissions import can_edit_project, can_manage_municipality, require

PROJECT_FIELDS = [
    "department", "current_system_name", "current_vendor", "current_contract", "migration_pattern",
    "approach", "gov_cloud_use", "is_difficult", "difficult_reason", "individual_deadline",
    "target_go_live", "notes",
]  # fmt: skip
STEP_FIELDS = ["status", "planned_start", "planned_end", "actual_start", "actual_end", "percent_done", "note"]


def _apply(instance, data: dict, allowed: list[str]) -> None:
    for name, value in data.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(instance, name, value)


@transaction.atomic
def create_project(*, actor, municipality, operation, department, **fields) -> MigrationProject:
    """A project and the progress rows of all 17 steps."""
    require(can_manage_municipality(actor, municipality.id))
    project = MigrationProject(municipality=municipality, operation=operation, department=department)
    _apply(project, fields, PROJECT_FIELDS)
    project.full_clean()
    project._history_user = actor
    project.save()
    for step in ProcedureStep.objects.order_by("number"):
        progress = StepProgress(project=project, step=step)
        progress._history_user = actor
        progress.save()
    _apply_pattern_rule(actor=actor, project=project)
    return project


@transaction.atomic
def update_project(*, actor, project: MigrationProject, expected_version: int, data: dict) -> MigrationProject:
    require(can_manage_municipality(actor, project.municipality_id))
    project = MigrationProject.objects.select_for_update().get(pk=project.pk)
    claim_version(project, expected_version)
    previous_pattern = project.migration_pattern
    _apply(project, data, PROJECT_FIELDS)
    project.full_clean()
    project._history_user = actor
    project.save()
    _apply_pattern_rule(actor=actor, project=project, previous_pattern=previous_pattern)
    return project


def _apply_pattern_rule(*, actor, project: MigrationProject, previous_pattern: str | None = None) -> None:
    """Bパターン (same vendor): RFP and vendor selection (steps 9–10) are 対象外 unless already done.
    A change to Aパターン (vendor change) needs them again: those that are 対象外 go back to 未着手."""
    skippable = project.step_progress.filter(step__skipped_without_vendor_change=True)
    if project.migration_pattern == MigrationProject.Pattern.B:
        changes = skippable.exclude(status__in=[StepProgress.Status.DONE, StepProgress.Status.NOT_APPLICABLE])
        status, reason = StepProgress.Status.NOT_APPLICABLE, "Bパターン（同一ベンダ）のため対象外"
    elif project.migration_pattern == MigrationProject.Pattern.A and previous_pattern != MigrationProject.Pattern.A:
        changes = skippable.filter(status=StepProgress.Status.NOT_APPLICABLE)
        status, reason = StepProgress.Status.NOT_STARTED, "Aパターン（ベンダ変更）のため対象外を解除"
    else:
        return
    for progress in changes.order_by("step__number"):
        progress.status = status
        progress.version += 1
        progress._history_user = actor
        progress._change_reason = reason
        progress.save()


@transaction.atomic
def update_step_progress(*, actor, progress: StepProgress, expected_version: int, data: dict) -> StepProgress:
    require(can_edit_project(actor, progress.project), _("この案件の手順を更新する権限がありません。"))
    progress = (
        StepProgress.objects.select_for_update(of=("self",)).select_related("step", "project").get(pk=progress.pk)
    )
    claim_version(progress, expected_version)
    _apply(progress, data, STEP_FIELDS)
    if progress.status == StepProgress.Status.DONE:
        progress.percent_done = 100
    progress.full_clean()
    progress._history_user = actor
    progress.save()
    return progress


# ---------------------------------------------------------------------------
# Monthly progress reports (進捗報告書) and the issue/risk register (課題管理表)
# ---------------------------------------------------------------------------
REPORT_FIELDS = [
    "reporter", "period_start", "period_end", "contact", "overall_status", "overall_reason", "work_done", "next_plan",
    "notes_to_office",
]  # fmt: skip
ISSUE_FIELDS = [
    "kind", "step", "work_item", "description", "importance", "raised_on", "due_date", "due_reason",
    "involves_dx_office", "involves_vendor", "involves_consultant", "category", "notes", "status", "response",
    "completed_on",
]  # fmt: skip
REMIND_DAYS_BEFORE = 3  # reminders start this many days before the due date
_log = _logging.getLogger(__name__)


def month_start(day: _dt.date) -> _dt.date:
    return day.replace(day=1)


def month_end(month: _dt.date) -> _dt.date:
    return month.replace(day=_calendar.monthrange(month.year, month.month)[1])


def next_month(month: _dt.date) -> _dt.date:
    return (month_end(month) + _dt.timedelta(days=1)).replace(day=1)


def previous_month(month: _dt.date) -> _dt.date:
    return (month.replace(day=1) - _dt.timedelta(days=1)).replace(day=1)


def report_due_date(municipality, month: _dt.date) -> _dt.date:
    """The report of a month is due on the municipality's due day of the following month."""
    return next_month(month).replace(day=municipality.report_due_day)


def _default_contact(user) -> str:
    parts = [user.email] if user.email else []
    if getattr(user, "phone_extension", ""):
        parts.append(f"内線 {user.phone_extension}")
    return " / ".join(parts)


class ReportExists(Exception):
    """create_report(exists_ok=False): the project already has a report of the month."""

    def __init__(self, report: MonthlyReport):
        self.report = report
        super().__init__(f"report {report.pk} exists")

    @property
    def message(self) -> str:
        return _(
            "%(operation)sの%(year)s年%(month)s月分の"
            "進捗報告書は既に作成されています（ID %(id)s）。新しく作成せず、"
            "/api/v1/reports/%(id)s/ を読み込んでから、その版数（version）で更新してください。"
        ) % {
            "operation": self.report.project.operation.name,
            "year": self.report.month.year,
            "month": self.report.month.month,
            "id": self.report.pk,
        }


@transaction.atomic
def create_report(*, actor, project: MigrationProject, month: _dt.date, exists_ok: bool = True) -> MonthlyReport:
    """A draft report for the month; last month's 次月の検討・作業予定 is the starting 今月の実施作業.
    An existing report of the month is returned, or with ``exists_ok=False`` raises ReportExists."""
    require(_perms.can_write_report(actor, project), _("この案件の進捗報告を作成する権限がありません。"))
    month = month_start(month)
    existing = MonthlyReport.objects.filter(project=project, month=month).first()
    if existing:
        if not exists_ok:
            raise ReportExists(existing)
        return existing
    previous = MonthlyReport.objects.filter(project=project, month=previous_month(month)).first()
    report = MonthlyReport(
        project=project,
        month=month,
        period_start=month,
        period_end=month_end(month),
        reporter=actor,
        contact=_default_contact(actor),
        work_done=previous.next_plan if previous else "",
    )
    report.full_clean(validate_constraints=False)
    report._history_user = actor
    try:
        with transaction.atomic():
            report.save()
    except _IntegrityError:  # someone created it at the same moment: one report per project and month
        existing = MonthlyReport.objects.get(project=project, month=month)
        if not exists_ok:
            raise ReportExists(existing) from None
        return existing
    return report


def _check_editable(actor, report: MonthlyReport) -> None:
    require(_perms.can_write_report(actor, report.project), _("この案件の進捗報告を編集する権限がありません。"))
    if not report.is_editable:
        raise _ValidationError(
            _("この報告は「%(state)s」のため編集・提出できません（下書き・差戻しの報告だけ編集できます）。")
            % {"state": report.get_state_display()}
        )


@transaction.atomic
def save_report(
    *,
    actor,
    report: MonthlyReport,
    expected_version: int,
    data: dict,
    meetings: list[dict] | None = None,
    step_updates: list[tuple] | None = None,
    new_issues: list[dict] | None = None,
) -> MonthlyReport:
    """Save the report's text, replace its meeting rows, change steps in place (their history records
    it) and add register items. ``step_updates`` is [(StepProgress, expected_version, data)]."""
    report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)
    _check_editable(actor, report)
    claim_version(report, expected_version)
    _apply(report, data, REPORT_FIELDS)
    if report.reporter is None:
        report.reporter = actor
    elif (
        "reporter" in data and not _selectors.possible_reporters(report.project).filter(pk=report.reporter.pk).exists()
    ):
        raise _ValidationError({"reporter": _("報告者は業務主管課の職員または事務局の職員から選んでください。")})
    report.full_clean(validate_constraints=False)
    report._history_user = actor
    report.save()
    if meetings is not None:  # the rows have no identity of their own: replaced as a whole, under the version
        report.meetings.all().delete()
        rows = [ReportMeeting(report=report, **row) for row in meetings]
        for row in rows:
            row.full_clean(exclude=["report"])
        ReportMeeting.objects.bulk_create(rows)
    for progress, version, changes in step_updates or []:
        if progress.project_id != report.project_id:
            raise _ValidationError(_("報告の案件と異なる手順は更新できません。"))
        update_step_progress(actor=actor, progress=progress, expected_version=version, data=changes)
    for issue_data in new_issues or []:
        issue_data = dict(issue_data)
        departments = issue_data.pop("other_departments", [])
        issue_data["raised_in_report"] = report
        create_risk_issue(actor=actor, project=report.project, data=issue_data, other_departments=departments)
    return report


def _transition(report, actor, state, **fields):
    report.state = state
    for name, value in fields.items():
        setattr(report, name, value)
    report._history_user = actor
    report.save()
    return report


@transaction.atomic
def submit_report(*, actor, report: MonthlyReport, expected_version: int) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)
    _check_editable(actor, report)
    claim_version(report, expected_version)
    report.full_clean(validate_constraints=False)
    return _transition(report, actor, MonthlyReport.State.SUBMITTED, submitted_at=_timezone.now(), submitted_by=actor)


@transaction.atomic
def submit_reports(*, actor, reports) -> list[MonthlyReport]:
    """A department submits all its editable reports of a month at once (all or none)."""
    done = []
    for report in reports:
        done.append(submit_report(actor=actor, report=report, expected_version=report.version))
    return done


def _check_review(actor, report):
    require(
        _perms.can_manage_municipality(actor, report.project.municipality_id),
        _("報告の差戻し・確認は事務局だけが行えます。"),
    )
    if report.state != MonthlyReport.State.SUBMITTED:
        raise _ValidationError(
            _("この報告は「%(state)s」のため差戻し・確認できません（提出済の報告が対象です）。")
            % {"state": report.get_state_display()}
        )


@transaction.atomic
def return_report(*, actor, report: MonthlyReport, expected_version: int, comment: str) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)
    _check_review(actor, report)
    if not (comment or "").strip():
        raise _ValidationError({"return_comment": _("差戻しの理由（修正してほしい点）を入力してください。")})
    claim_version(report, expected_version)
    report = _transition(
        report,
        actor,
        MonthlyReport.State.RETURNED,
        return_comment=comment.strip(),
        reviewed_at=_timezone.now(),
        reviewed_by=actor,
    )
    recipients = _department_recipients(report.project)
    if recipients:
        subject = f"【差戻し】{report.project.operation.name} {report.month.year}年{report.month.month}月分の進捗報告"
        body = (
            f"{report.project} の {report.month.year}年{report.month.month}月分の進捗報告書が"
            "事務局から差し戻されました。\n\n"
            f"事務局のコメント:\n{report.return_comment}\n\n内容を修正して再提出してください。"
        )
        transaction.on_commit(lambda: _send_mail(subject, body, None, recipients), robust=True)
    return report


@transaction.atomic
def accept_report(*, actor, report: MonthlyReport, expected_version: int) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("project").get(pk=report.pk)
    _check_review(actor, report)
    claim_version(report, expected_version)
    return _transition(report, actor, MonthlyReport.State.ACCEPTED, reviewed_at=_timezone.now(), reviewed_by=actor)


# --- reminders ---------------------------------------------------------------


def _department_recipients(project) -> list[str]:
    from portal.models import User

    return sorted(
        User.objects.filter(
            departments=project.department_id,
            role=User.Role.DEPARTMENT,
            is_active=True,
            municipality=project.municipality_id,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _send_reminder(*, project, month, today, actor=None) -> bool:
    recipients = _department_recipients(project)
    if not recipients:
        return False
    try:
        with transaction.atomic():
            reminder = ReportReminder.objects.create(
                project=project, month=month, sent_on=today, sent_by=actor, recipients=", ".join(recipients)
            )
    except _IntegrityError:
        return False  # already reminded today
    due = report_due_date(project.municipality, month)
    when = "提出期限を過ぎています" if today > due else "提出期限が近づいています"
    subject = f"【進捗報告】{project.operation.name} {month.year}年{month.month}月分の{when}"
    body = (
        f"{project} の {month.year}年{month.month}月分の進捗報告書が未提出です。\n"
        f"提出期限: {due.year}年{due.month}月{due.day}日\n\n"
        f"{_settings.PORTAL_BASE_URL}/reports/?month={month:%Y-%m} から提出してください。"
    )
    transaction.on_commit(lambda: _mail_reminder(reminder.pk, subject, body, recipients), robust=True)
    return True


def _mail_reminder(reminder_id: int, subject: str, body: str, recipients: list[str]) -> None:
    """Each reminder is its own mail: a failing one is logged and un-recorded (so it can be sent again
    today) and never stops the others."""
    try:
        _send_mail(subject, body, None, recipients)
    except Exception:
        _log.exception("reminder mail %s to %s failed", reminder_id, recipients)
        ReportReminder.objects.filter(pk=reminder_id).delete()


def reminder_months(municipality, today: _dt.date) -> list[_dt.date]:
    """The months whose unsubmitted reports get reminders today: each report from REMIND_DAYS_BEFORE
    days before its due date to the end of the month it is due in. With a due day of 1–3 the first
    reminders fall in the report's own month, so this month's report can be due for reminders too."""
    months = []
    for month in (previous_month(today), month_start(today)):
        due = report_due_date(municipality, month)
        if due - _dt.timedelta(days=REMIND_DAYS_BEFORE) <= today <= month_end(due):
            months.append(month)
    return months


def reminder_month(municipality, today: _dt.date) -> _dt.date | None:
    """The latest month with reminders today (see reminder_months), if any."""
    months = reminder_months(municipality, today)
    return months[-1] if months else None


def unsubmitted_projects(municipality, month: _dt.date):
    """Projects of the municipality with no report of the month, or one still 下書き / 差戻し."""
    done = MonthlyReport.objects.filter(
        month=month, state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED]
    ).values("project_id")
    return (
        MigrationProject.objects.filter(municipality=municipality)
        .exclude(pk__in=done)
        .select_related("operation", "department", "municipality")
    )


@transaction.atomic
def send_report_reminders(*, today: _dt.date | None = None) -> int:
    """Daily (Celery beat): remind the department members of unsubmitted reports; once a day per report."""
    from portal.models import Municipality

    today = today or _timezone.localdate()
    sent = 0
    for municipality in Municipality.objects.all():
        for month in reminder_months(municipality, today):
            for project in unsubmitted_projects(municipality, month):
                sent += _send_reminder(project=project, month=month, today=today)
    return sent


@transaction.atomic
def send_report_reminder_by_hand(*, actor, project, month: _dt.date, today: _dt.date | None = None) -> bool:
    """The DX office reminds one project's department from the board (also at most once a day)."""
    require(_perms.can_remind(actor, project.municipality_id), _("督促メールは事務局だけが送信できます。"))
    month = month_start(month)
    report = MonthlyReport.objects.filter(project=project, month=month).first()
    if report and not report.is_editable:
        raise _ValidationError(_("この報告は提出済のため督促できません。"))
    if not _department_recipients(project):
        raise _ValidationError(
            _("%(department)sにメールアドレスのある利用者がいないため送信できません。")
            % {"department": project.department}
        )
    return _send_reminder(project=project, month=month, today=today or _timezone.localdate(), actor=actor)


# --- register (課題管理表) -------------------------------------------------------


def _set_cross_cutting(issue: RiskIssue, departments) -> None:
    issue.other_departments.set(departments)
    cross = bool(issue.involves_dx_office or departments)
    if issue.is_cross_cutting != cross:
        RiskIssue.objects.filter(pk=issue.pk).update(is_cross_cutting=cross)
        issue.is_cross_cutting = cross


def _check_departments(issue: RiskIssue, departments) -> None:
    for department in departments:
        if department.municipality_id != issue.municipality_id:
            raise _ValidationError({"other_departments": _("関係する所管課は同じ団体の部署から選んでください。")})
        if department.id == issue.project.department_id:
            raise _ValidationError({"other_departments": _("関係する他の所管課に、案件の業務主管課自身は選べません。")})


@transaction.atomic
def create_risk_issue(*, actor, project: MigrationProject, data: dict, other_departments=()) -> RiskIssue:
    from portal.models import Municipality

    require(_perms.can_edit_issue(actor, project), _("この案件の課題・リスクを登録する権限がありません。"))
    Municipality.objects.select_for_update().get(pk=project.municipality_id)  # serialises the numbering
    data = dict(data)
    number = data.pop("number", None) or (
        (RiskIssue.objects.filter(municipality_id=project.municipality_id).aggregate(m=_Max("number"))["m"] or 0) + 1
    )
    issue = RiskIssue(
        municipality_id=project.municipality_id,
        project=project,
        number=number,
        created_by=actor,
        raised_in_report=data.pop("raised_in_report", None),
    )
    data.setdefault("raised_on", _timezone.localdate())
    _apply(issue, data, ISSUE_FIELDS)
    _check_departments(issue, other_departments)
    issue.is_cross_cutting = bool(issue.involves_dx_office or other_departments)
    issue.full_clean()
    issue._history_user = actor
    issue.save()
    issue.other_departments.set(other_departments)
    return issue


@transaction.atomic
def update_risk_issue(
    *, actor, issue: RiskIssue, expected_version: int, data: dict, other_departments=None
) -> RiskIssue:
    issue = RiskIssue.objects.select_for_update(of=("self",)).select_related("project").get(pk=issue.pk)
    require(_perms.can_edit_issue(actor, issue.project), _("この課題・リスクを更新する権限がありません。"))
    claim_version(issue, expected_version)
    _apply(issue, data, ISSUE_FIELDS)
    if other_departments is None:
        other_departments = list(issue.other_departments.all())
    _check_departments(issue, other_departments)
    issue.is_cross_cutting = bool(issue.involves_dx_office or other_departments)
    issue.full_clean()
    issue._history_user = actor
    issue.save()
    _set_cross_cutting(issue, other_departments)
    return issue


@transaction.atomic
def add_risk_issue_comment(*, actor, issue: RiskIssue, body: str) -> RiskIssueComment:
    require(_perms.can_comment_issue(actor, issue), _("この課題・リスクにコメントする権限がありません。"))
    if not (body or "").strip():
        raise _ValidationError({"body": _("コメントを入力してください。")})
    comment = RiskIssueComment(issue=issue, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    RiskIssue.objects.filter(pk=issue.pk).update(updated_at=_timezone.now())
    return comment


@transaction.atomic
def import_register(*, actor, municipality, file, project: MigrationProject | None = None) -> dict:
    """Add or update register items from a 課題管理表 workbook (matched by No). All or nothing:
    raises portal.imports.ImportRejected with every problem; nothing is saved then."""
    from migration import report_excel
    from portal.imports import ImportProblem, ImportRejected

    require(_perms.can_view_reports(actor, municipality.id))
    rows = report_excel.parse_register(actor=actor, municipality=municipality, file=file, project=project)
    created = updated = 0
    for row in rows:
        try:
            if row.issue is None:
                create_risk_issue(actor=actor, project=row.project, data=row.data, other_departments=row.departments)
                created += 1
            else:  # based on the 版数 in the file: an item changed since its download is refused
                update_risk_issue(
                    actor=actor,
                    issue=row.issue,
                    expected_version=row.version,
                    data=row.data,
                    other_departments=row.departments,
                )
                updated += 1
        except StaleObjectError as conflict:  # saved by someone while the file was being read
            raise ImportRejected([ImportProblem(row.row, "版数", import_conflict_message(conflict))]) from conflict
        except _ValidationError as error:
            raise ImportRejected([ImportProblem(row.row, "", message) for message in error.messages]) from error
    return {"created": created, "updated": updated}


def import_conflict_message(conflict: StaleObjectError) -> str:
    """Why an imported row was refused because its item changed (nothing is saved then)."""
    number = getattr(conflict.current, "number", "")
    return _(
        "No.%(number)s は取り込みの間に他の利用者が更新したため、ファイルを取り込みませんでした"
        "（何も保存されていません）。課題管理表をダウンロードし直し、変更を入れ直してからアップロードしてください。"
    ) % {"number": number}
