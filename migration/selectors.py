"""Reads of migration projects, always scoped to what the user may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from migration.models import MigrationProject, ProcedureStep, StepProgress
from migration.rules import current_step, next_planned_date, step_is_late
from portal import history
from portal.permissions import scope_to_municipality


def today() -> dt.date:
    return timezone.localdate()


def visible_projects(user):
    return scope_to_municipality(user, MigrationProject.objects.all())


def projects_with_steps(user, *, department_id: int | None = None):
    queryset = (
        visible_projects(user)
        .select_related("operation", "department", "municipality", "current_vendor", "current_contract")
        .prefetch_related(
            Prefetch("step_progress", queryset=StepProgress.objects.select_related("step").order_by("step__number"))
        )
        .order_by("operation__number")
    )
    if department_id:
        queryset = queryset.filter(department_id=department_id)
    return queryset


@dataclass
class ProjectRow:
    project: MigrationProject
    current: StepProgress | None
    next_date: dt.date | None
    late_steps: list[StepProgress]


def project_rows(user, *, department_id: int | None = None, on: dt.date | None = None) -> list[ProjectRow]:
    day = on or today()
    rows = []
    for project in projects_with_steps(user, department_id=department_id):
        steps = list(project.step_progress.all())
        rows.append(
            ProjectRow(
                project=project,
                current=current_step(steps),
                next_date=next_planned_date(steps, day),
                late_steps=[s for s in steps if step_is_late(s, day)],
            )
        )
    return rows


def project_detail(user, project_id: int) -> MigrationProject:
    return get_object_or_404(projects_with_steps(user), pk=project_id)


def visible_step_progress(user):
    return StepProgress.objects.filter(project__in=visible_projects(user)).select_related("step", "project")


def step_progress_detail(user, project_id: int, step_number: int) -> StepProgress:
    return get_object_or_404(visible_step_progress(user), project_id=project_id, step__number=step_number)


def project_history(project: MigrationProject, *, limit: int = 200) -> list[history.HistoryEntry]:
    """Who changed what and when, on the project and its steps, newest first."""
    steps = {s.id: s for s in ProcedureStep.objects.all()}
    project_records = project.history.select_related("history_user").order_by("id", "history_date", "history_id")
    step_records = (
        StepProgress.history.filter(project_id=project.id)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    entries = history.entries(MigrationProject, project_records, lambda r: _("案件情報"))
    entries += history.entries(
        StepProgress,
        step_records,
        lambda r: _("手順%(number)s %(name)s") % {"number": steps[r.step_id].number, "name": steps[r.step_id].name},
        include_created=False,
    )
    entries += contract_history(project)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def contract_history(project: MigrationProject) -> list[history.HistoryEntry]:
    """Changes of the contracts that cover the project (or are its current contract)."""
    from vendors.models import Contract

    contract_ids = set(project.contracts.values_list("id", flat=True))
    if project.current_contract_id:
        contract_ids.add(project.current_contract_id)
    records = (
        Contract.history.filter(id__in=contract_ids)
        .select_related("history_user", "vendor")
        .order_by("id", "history_date", "history_id")
    )
    return history.entries(
        Contract,
        records,
        lambda r: _("契約 %(vendor)s %(package)s") % {"vendor": r.vendor.name, "package": r.package_name},
    )


# ---------------------------------------------------------------------------
# Monthly reports and the issue/risk register
# ---------------------------------------------------------------------------


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    """'2025-10' → 2025-10-01; anything else → the default (last month)."""
    from migration.services import previous_month

    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return default or previous_month(today().replace(day=1))


def month_param(value) -> dt.date:
    """A month filter ('2025-10' → 2025-10-01); ValidationError (400 in the API) when it is not one."""
    from django.core.exceptions import ValidationError

    try:
        year, month = (int(part) for part in str(value).strip().split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationError(
            {
                "month": _("月の絞り込みは「2025-10」のように年と月で指定してください（「%(text)s」は使えません）。")
                % {"text": value}
            }
        ) from None


def visible_reports(user):
    from migration.models import MonthlyReport

    return scope_to_municipality(user, MonthlyReport.objects.all(), field="project__municipality").select_related(
        "project__operation", "project__department", "project__municipality", "reporter", "reviewed_by"
    )


def possible_reporters(project: MigrationProject):
    """Who may be named as a report's 報告者: active members of the owning department and the DX office."""
    from django.db.models import Q

    from portal.models import User

    return (
        User.objects.filter(municipality_id=project.municipality_id, is_active=True)
        .filter(Q(departments=project.department_id) | Q(role=User.Role.DX_OFFICE))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def report_detail(user, report_id: int):
    return get_object_or_404(visible_reports(user).prefetch_related("meetings"), pk=report_id)


@dataclass
class BoardRow:
    project: MigrationProject
    report: object  # MonthlyReport | None
    reminded_today: bool

    @property
    def state_code(self) -> str:
        return self.report.state if self.report else "missing"

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "未作成"

    @property
    def unsubmitted(self) -> bool:
        return self.report is None or self.report.is_editable


@dataclass
class Board:
    month: dt.date
    due_date: dt.date
    rows: list[BoardRow]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.state_label] = counts.get(row.state_label, 0) + 1
        return counts

    @property
    def unsubmitted_rows(self) -> list[BoardRow]:
        return [row for row in self.rows if row.unsubmitted]


def report_board(user, month: dt.date, *, department_id: int | None = None, on: dt.date | None = None) -> Board:
    """Departments × projects of the month with each report's state (a fixed number of queries)."""
    from migration.models import MonthlyReport, ReportReminder
    from migration.services import report_due_date
    from portal.permissions import can_manage_municipality, department_ids

    day = on or today()
    projects = visible_projects(user).select_related("operation", "department", "municipality")
    if not user.is_superuser and not can_manage_municipality(user, user.municipality_id) and user.role == "department":
        projects = projects.filter(department_id__in=department_ids(user))
    if department_id:
        projects = projects.filter(department_id=department_id)
    projects = list(projects.order_by("department__sort_order", "department__name", "operation__number"))
    ids = [p.id for p in projects]
    by_id = {p.id: p for p in projects}
    reports = {r.project_id: r for r in MonthlyReport.objects.filter(project_id__in=ids, month=month)}
    for report in reports.values():
        report.project = by_id[report.project_id]
    reminded = set(
        ReportReminder.objects.filter(project_id__in=ids, month=month, sent_on=day).values_list("project_id", flat=True)
    )
    municipality = projects[0].municipality if projects else user.municipality
    due = report_due_date(municipality, month) if municipality else month
    rows = [BoardRow(project=p, report=reports.get(p.id), reminded_today=p.id in reminded) for p in projects]
    return Board(month=month, due_date=due, rows=rows)


def visible_issues(user):
    from migration.models import RiskIssue

    return (
        scope_to_municipality(user, RiskIssue.objects.all())
        .select_related("project__operation", "project__department", "step", "created_by")
        .prefetch_related("other_departments")
    )


def issue_detail(user, issue_id: int):
    from migration.models import RiskIssueComment

    return get_object_or_404(
        visible_issues(user).prefetch_related(
            Prefetch("comments", queryset=RiskIssueComment.objects.select_related("author")), "gap_items"
        ),
        pk=issue_id,
    )


def issues_of_month(project_id: int, month: dt.date):
    """Register items of a project raised, changed or completed in the month (shown on its report)."""
    from django.db.models import Q

    from migration.models import RiskIssue
    from migration.services import month_end

    end = month_end(month)
    start_dt = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    end_dt = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    return (
        RiskIssue.objects.filter(project_id=project_id)
        .filter(
            Q(raised_on__range=(month, end))
            | Q(updated_at__range=(start_dt, end_dt))
            | Q(completed_on__range=(month, end))
            | Q(raised_in_report__month=month)
        )
        .select_related("step", "project__operation", "project__department")
        .prefetch_related("other_departments")
        .order_by("number")
    )


ISSUE_SORTS = {
    "number": ["number"],
    "-number": ["-number"],
    "importance": ["importance_rank", "due_date", "number"],
    "due_date": ["due_date", "number"],
    "-due_date": ["-due_date", "number"],
    "raised_on": ["raised_on", "number"],
    "-raised_on": ["-raised_on", "number"],
    "department": ["project__department__sort_order", "project__department__name", "number"],
}


ID_PARAM_LABELS = {
    "department": gettext_lazy("所管課（department）"),
    "project": gettext_lazy("移行案件（project）"),
    "municipality": gettext_lazy("団体（municipality）"),
}


def id_params(params, names=tuple(ID_PARAM_LABELS)) -> dict[str, int]:
    """The given id filters as integers; ValidationError (400 in the API) naming a value that is not one."""
    from django.core.exceptions import ValidationError

    ids, errors = {}, {}
    for name in names:
        value = params.get(name)
        if value in (None, ""):
            continue
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            errors[name] = _("%(label)sの絞り込みはIDの数字で指定してください（「%(text)s」は使えません）。") % {
                "label": ID_PARAM_LABELS[name],
                "text": text,
            }
        else:
            ids[name] = int(text)
    if errors:
        raise ValidationError(errors)
    return ids


def filter_issues(queryset, params: dict, *, on: dt.date | None = None):
    """Filters shared by the pages and the API: importance, kind, status, category, department,
    project, overdue, cross_cutting, month; sorting by one of ISSUE_SORTS. An id filter that is not
    a number raises ValidationError."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from migration.models import RiskIssue
    from migration.services import month_end

    day = on or today()
    params = {**params, **id_params(params)}
    for name in ("importance", "kind", "status", "category"):
        if params.get(name):
            queryset = queryset.filter(**{name: params[name]})
    if params.get("department"):
        queryset = queryset.filter(
            Q(project__department_id=params["department"]) | Q(other_departments=params["department"])
        ).distinct()
    if params.get("project"):
        queryset = queryset.filter(project_id=params["project"])
    if params.get("municipality"):
        queryset = queryset.filter(municipality_id=params["municipality"])
    if params.get("overdue") in (True, "1", "true", "on"):
        queryset = queryset.exclude(status__in=RiskIssue.CLOSED_STATUSES).filter(due_date__lt=day)
    if params.get("cross_cutting") in (True, "1", "true", "on"):
        queryset = queryset.filter(is_cross_cutting=True)
    if params.get("open_only") in (True, "1", "true", "on"):
        queryset = queryset.exclude(status__in=RiskIssue.CLOSED_STATUSES)
    if params.get("month"):
        month = month_param(params["month"])
        end = month_end(month)
        queryset = queryset.filter(
            Q(raised_on__range=(month, end))
            | Q(updated_at__date__range=(month, end))
            | Q(completed_on__range=(month, end))
            | Q(raised_in_report__month=month)  # added from the month's report, as on the report page
        )
    queryset = queryset.annotate(
        importance_rank=Case(
            When(importance="high", then=Value(0)),
            When(importance="medium", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    return queryset.order_by(*ISSUE_SORTS.get(params.get("sort") or "importance", ISSUE_SORTS["importance"]))
