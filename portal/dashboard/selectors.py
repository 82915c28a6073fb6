"""Reads behind the DX office dashboard, the monthly report workbook and the oversight view.

``dashboard(municipality, on=day)`` gathers every panel's figures with a fixed number of SQL
queries whatever the number of projects, steps, issues or contracts (see
portal/tests/test_dashboard.py). Panels of other apps plug in through ``PANELS`` (see
docs/dashboard.md)."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Municipality, ReportRun
from portal.permissions import can_view_dashboard, is_oversight_user, oversight_municipality_ids

COMPLETE = ("done", "not_applicable")
STATUS_SYMBOLS = {"done": "✔", "in_progress": "▶", "on_hold": "‖", "not_applicable": "－", "not_started": "・"}
BURNUP_MAX_MONTHS = 48


def today() -> dt.date:
    return timezone.localdate()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    return add_months(first_of_month(day), -1)


# ---------------------------------------------------------------------------
# Which municipality's dashboard a user may open
# ---------------------------------------------------------------------------


def dashboard_municipality(user, municipality_id: int | None = None) -> Municipality:
    """The user's own municipality, or one of an oversight user's group; others are not found."""
    if municipality_id is None:
        if not user.municipality_id:
            from django.http import Http404

            raise Http404(_("団体が指定されていません。"))
        municipality_id = user.municipality_id
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    if not can_view_dashboard(user, municipality.id):
        from django.http import Http404

        raise Http404(_("団体が見つかりません。"))
    return municipality


def oversight_municipalities(user):
    if user.is_superuser:
        return Municipality.objects.all()
    if not is_oversight_user(user):
        return Municipality.objects.none()
    return Municipality.objects.filter(id__in=oversight_municipality_ids(user))


# ---------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------


@dataclass
class Cell:
    progress: object  # StepProgress
    late: bool

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS.get(self.progress.status, "・")

    @property
    def label(self) -> str:
        return self.progress.get_status_display()


@dataclass
class ProjectSummary:
    project: object  # MigrationProject
    cells: list[Cell]
    phases: dict[str, tuple[int, int]]  # phase → (complete, total)

    @property
    def late_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.late]

    @property
    def complete(self) -> int:
        return sum(done for done, _total in self.phases.values())

    @property
    def total(self) -> int:
        return sum(total for _done, total in self.phases.values())

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0

    def phase_percent(self, phase: str) -> int:
        done, total = self.phases.get(phase, (0, 0))
        return round(100 * done / total) if total else 0

    @property
    def phase_list(self) -> list[tuple[str, int, int, int]]:
        """(label, complete, total, percent) in the order of the phases."""
        return phase_list(self.phases)


def phase_list(phases: dict[str, tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    from migration.models import ProcedureStep

    result = []
    for phase, label in ProcedureStep.Phase.choices:
        done, total = phases.get(phase, (0, 0))
        result.append((label, done, total, round(100 * done / total) if total else 0))
    return result


@dataclass
class BurnupPoint:
    month: dt.date
    planned: int
    actual: int | None  # None for months still to come


@dataclass
class IssueFlowPoint:
    month: dt.date
    opened: int
    closed: int


@dataclass
class SubmissionRow:
    department: object
    submitted: int
    missing: int


@dataclass
class Dashboard:
    municipality: Municipality
    today: dt.date
    steps: list
    phases: list[tuple[str, str]]
    projects: list[ProjectSummary]
    overall_phases: dict[str, tuple[int, int]]
    contracts_ending: list
    issue_counts: dict[str, int]
    overdue_issue_count: int
    open_issues: list
    report_month: dt.date
    submissions: list[SubmissionRow]
    burnup: list[BurnupPoint]
    issue_flow: list[IssueFlowPoint]
    panels: list = field(default_factory=list)

    @property
    def at_risk(self) -> list[tuple[ProjectSummary, list[str]]]:
        """Late steps, 期限超過見込み (the schedules forecast finishes after the deadline), 移行困難;
        with the reasons."""
        pairs = [(s, self.risk_reasons(s)) for s in self.projects]
        return [(s, reasons) for s, reasons in pairs if reasons]

    def beyond_deadline(self, summary: ProjectSummary) -> bool:
        """The same rule as the Gantt charts (schedules.rules.project_forecast)."""
        from schedules.rules import project_forecast

        steps = [c.progress for c in summary.cells]
        return project_forecast(summary.project, steps, self.today).over_deadline

    def risk_reasons(self, summary: ProjectSummary) -> list[str]:
        reasons = []
        if summary.late_cells:
            reasons.append(_("遅延手順 %(count)s件") % {"count": len(summary.late_cells)})
        if self.beyond_deadline(summary):
            reasons.append(_("期限超過見込み"))
        if summary.project.is_difficult:
            reasons.append(_("移行困難システム"))
        return reasons

    @property
    def overall_phase_list(self):
        return phase_list(self.overall_phases)

    @property
    def overall_total_percent(self) -> int:
        return self.overall_percent()

    def overall_percent(self, phase: str | None = None) -> int:
        items = [self.overall_phases[phase]] if phase else list(self.overall_phases.values())
        done, total = sum(i[0] for i in items), sum(i[1] for i in items)
        return round(100 * done / total) if total else 0

    @property
    def late_project_count(self) -> int:
        return sum(1 for s in self.projects if s.late_cells)

    @property
    def difficult_count(self) -> int:
        return sum(1 for s in self.projects if s.project.is_difficult)

    @property
    def submission_totals(self) -> tuple[int, int]:
        return sum(r.submitted for r in self.submissions), sum(r.missing for r in self.submissions)

    @property
    def submission_rate(self) -> int:
        submitted, missing = self.submission_totals
        return round(100 * submitted / (submitted + missing)) if submitted + missing else 0

    @property
    def applicable_steps(self) -> int:
        return sum(1 for s in self.projects for c in s.cells if c.status != "not_applicable")

    @property
    def burnup_max(self) -> int:
        return max([p.planned for p in self.burnup] + [p.actual or 0 for p in self.burnup] + [1])

    @property
    def issue_flow_max(self) -> int:
        return max([p.opened for p in self.issue_flow] + [p.closed for p in self.issue_flow] + [1])


def project_summaries(municipality_ids, on: dt.date, steps, *, department_id=None) -> list[ProjectSummary]:
    """Projects of the municipalities with their 17 cells: 2 queries."""
    from django.db.models import Prefetch

    from migration.models import MigrationProject, StepProgress
    from migration.rules import step_is_late

    step_by_id = {s.id: s for s in steps}
    projects = (
        MigrationProject.objects.filter(municipality_id__in=municipality_ids)
        .select_related("operation", "department", "municipality")
        .prefetch_related(Prefetch("step_progress", queryset=StepProgress.objects.order_by("step_id")))
        .order_by("municipality__code", "operation__number")
    )
    if department_id:
        projects = projects.filter(department_id=department_id)
    summaries = []
    for project in projects:
        progresses = sorted(project.step_progress.all(), key=lambda p: step_by_id[p.step_id].number)
        phases: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        cells = []
        for progress in progresses:
            progress.step = step_by_id[progress.step_id]  # no query per cell
            progress.project = project
            cells.append(Cell(progress=progress, late=step_is_late(progress, on)))
            phases[progress.step.phase][1] += 1
            if progress.status in COMPLETE:
                phases[progress.step.phase][0] += 1
        summaries.append(
            ProjectSummary(project=project, cells=cells, phases={k: (v[0], v[1]) for k, v in phases.items()})
        )
    return summaries


def burnup(summaries: list[ProjectSummary], on: dt.date) -> list[BurnupPoint]:
    """Steps completed per month, cumulative, against the plan (planned ends), month by month: at most
    the last BURNUP_MAX_MONTHS months, the totals of earlier months carried into the first point."""
    planned, actual = Counter(), Counter()
    for summary in summaries:
        for cell in summary.cells:
            progress = cell.progress
            if progress.status == "not_applicable":
                continue
            if progress.planned_end:
                planned[first_of_month(progress.planned_end)] += 1
            if progress.status == "done" and progress.actual_end:
                actual[first_of_month(progress.actual_end)] += 1
    months = sorted(set(planned) | set(actual))
    if not months:
        return []
    # The last BURNUP_MAX_MONTHS months up to the last data month or this month (the later); what was
    # planned and done before the first month shown is carried into its running totals.
    end = max(months[-1], first_of_month(on))
    start = max(months[0], add_months(end, -(BURNUP_MAX_MONTHS - 1)))
    planned_sum = sum(n for m, n in planned.items() if m < start)
    actual_sum = sum(n for m, n in actual.items() if m < start)
    points, month = [], start
    while month <= end:
        planned_sum += planned[month]
        actual_sum += actual[month]
        points.append(BurnupPoint(month=month, planned=planned_sum, actual=actual_sum if month <= on else None))
        month = add_months(month, 1)
    return points


def issue_flow(municipality_id: int, on: dt.date, months: int = 12) -> list[IssueFlowPoint]:
    """Issues opened vs closed per month over the last ``months`` months: 2 queries."""
    from migration.models import RiskIssue

    start = add_months(first_of_month(on), -(months - 1))
    base = RiskIssue.objects.filter(municipality_id=municipality_id)
    opened = dict(
        base.filter(raised_on__gte=start)
        .annotate(m=TruncMonth("raised_on"))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    closed = dict(
        base.filter(completed_on__gte=start)
        .annotate(m=TruncMonth("completed_on"))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    points = []
    for index in range(months):
        month = add_months(start, index)
        points.append(IssueFlowPoint(month=month, opened=opened.get(month, 0), closed=closed.get(month, 0)))
    return points


def contracts_ending(municipality: Municipality, on: dt.date, *, months: int | None = None):
    """Contracts ending from today within the municipality's contract_warning_months: 1 query."""
    from vendors.models import Contract

    months = municipality.contract_warning_months if months is None else months
    limit = _add_months_to_day(on, months)
    return list(
        Contract.objects.filter(municipality=municipality, end_date__gte=on, end_date__lte=limit)
        .select_related("vendor")
        .order_by("end_date", "id")
    )


def _add_months_to_day(day: dt.date, months: int) -> dt.date:
    import calendar

    month = add_months(first_of_month(day), months)
    return month.replace(day=min(day.day, calendar.monthrange(month.year, month.month)[1]))


def submissions(municipality: Municipality, month: dt.date, *, department_id=None) -> list[SubmissionRow]:
    """Report submissions of a month per department (submitted = 提出済 or 確認済): 2 queries."""
    from migration.models import MigrationProject, MonthlyReport

    projects = list(
        MigrationProject.objects.filter(municipality=municipality)
        .select_related("department")
        .order_by("department__sort_order", "department__name")
        .only("id", "department")
        .filter(**({"department_id": department_id} if department_id else {}))
    )
    submitted_ids = set(
        MonthlyReport.objects.filter(
            project__municipality=municipality,
            month=month,
            state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED],
        ).values_list("project_id", flat=True)
    )
    rows: dict[int, SubmissionRow] = {}
    for project in projects:
        row = rows.setdefault(project.department_id, SubmissionRow(project.department, 0, 0))
        if project.id in submitted_ids:
            row.submitted += 1
        else:
            row.missing += 1
    return list(rows.values())


def open_issue_figures(municipality_id: int, on: dt.date, *, limit: int = 10, department_id=None):
    """Open issues by 重要度, the overdue count, and the first ``limit`` (overdue first): 2 queries."""
    from django.db.models import Case, IntegerField, Value, When

    from migration.models import RiskIssue

    base = RiskIssue.objects.filter(municipality_id=municipality_id).exclude(status__in=RiskIssue.CLOSED_STATUSES)
    if department_id:
        base = base.filter(project__department_id=department_id)
    counts = base.aggregate(
        high=Count("id", filter=Q(importance="high")),
        medium=Count("id", filter=Q(importance="medium")),
        low=Count("id", filter=Q(importance="low")),
        overdue=Count("id", filter=Q(due_date__lt=on)),
    )
    overdue = counts.pop("overdue")
    issues = list(
        base.annotate(
            overdue_rank=Case(When(due_date__lt=on, then=Value(0)), default=Value(1), output_field=IntegerField()),
            importance_rank=Case(
                When(importance="high", then=Value(0)),
                When(importance="medium", then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .select_related("project__operation", "project__department")
        .order_by("overdue_rank", "importance_rank", "due_date", "number")[:limit]
    )
    return counts, overdue, issues


# Panels of other apps register here; see docs/dashboard.md. A panel function takes
# (municipality, on) and returns None (no panel) or a dict {"key", "title", "template",
# "data": JSON-ready figures for /api/v1/dashboard/, ...anything else for the template}.
# It must use a fixed number of queries whatever the data size. A panel registered with
# ``visible_to=(user, municipality_id) → bool`` is left out (not even computed) for other viewers.
PANELS: list[Callable] = []


def register_panel(func: Callable | None = None, *, visible_to: Callable | None = None):
    """``@register_panel`` or ``register_panel(func, visible_to=can_see_...)``."""

    def register(panel: Callable) -> Callable:
        if visible_to is not None:
            panel.visible_to = visible_to
        PANELS.append(panel)
        return panel

    return register(func) if func is not None else register


def panel_visible(panel: Callable, user, municipality: Municipality) -> bool:
    """Whether a viewer sees a panel; ``user=None`` (the server's own use) sees every panel."""
    visible_to = getattr(panel, "visible_to", None)
    return user is None or visible_to is None or bool(visible_to(user, municipality.id))


GAP_WARNING_DAYS = 30


def open_rfis_panel(municipality, on):
    """Open RFIs (sent, deadline not passed) with how many invited vendors submitted: 1 query."""
    from vendors.models import Rfi, RfiResponse

    rfis = list(
        Rfi.objects.filter(municipality=municipality, state=Rfi.State.SENT, deadline__gte=on)
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations",
                filter=Q(invitations__responses__state=RfiResponse.State.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("deadline", "id")
    )
    return {
        "key": "open_rfis",
        "title": _("回答受付中のRFI"),
        "template": "dashboard/panels/rfis.html",
        "rfis": rfis,
        "data": [
            {
                "id": r.id,
                "title": r.title,
                "deadline": r.deadline.isoformat(),
                "invited": r.invited,
                "answered": r.answered,
            }  # fmt: skip
            for r in rfis
        ],
    }


def undecided_gaps_panel(municipality, on):
    """Undecided Gaps of high impact whose 対応期限 is within GAP_WARNING_DAYS (or passed): 2 queries."""
    from fitgap.models import GapItem

    limit = on + dt.timedelta(days=GAP_WARNING_DAYS)
    gaps = GapItem.objects.filter(
        analysis__project__municipality=municipality,
        judgement=GapItem.Judgement.GAP,
        impact=GapItem.Impact.HIGH,
        due_date__lte=limit,
    ).exclude(status=GapItem.Status.DECIDED)
    first = list(gaps.select_related("analysis__project__operation", "requirement").order_by("due_date", "id")[:10])
    return {
        "key": "undecided_gaps",
        "title": _("期限が近い未決定の影響度「高」のGap（%(days)s日以内・超過を含む）") % {"days": GAP_WARNING_DAYS},
        "template": "dashboard/panels/gaps.html",
        "count": gaps.count(),
        "gaps": first,
        "data": [
            {
                "id": g.id,
                "project": g.analysis.project_id,
                "operation": g.analysis.project.operation.name,
                "key": g.key,
                "title": g.display_title,
                "due_date": g.due_date.isoformat(),
                "status": g.status,
                "overdue": g.due_date < on,
            }  # fmt: skip
            for g in first
        ],
    }


MILESTONE_WINDOW_DAYS = 60


def milestones_panel(municipality, on):
    """Milestones (議会・予算) of the next MILESTONE_WINDOW_DAYS days and the 予算要求 date: 1 query."""
    from portal.calendar import fiscal_year
    from schedules.models import Milestone

    limit = on + dt.timedelta(days=MILESTONE_WINDOW_DAYS)
    milestones = list(
        Milestone.objects.filter(municipality=municipality, date__lte=limit)
        .filter(Q(date__gte=on) | Q(end_date__gte=on))
        .order_by("date", "id")
    )
    rows = [(m.date, m.end_date, m.get_kind_display(), m.name) for m in milestones]
    for year in (fiscal_year(on), fiscal_year(on) + 1):
        budget = municipality.budget_request_date(year)
        if on <= budget <= limit:
            rows.append((budget, None, _("予算"), _("予算要求の締切（団体の設定）")))
    rows.sort(key=lambda r: r[0])
    return {
        "key": "milestones",
        "title": _("今後%(days)s日のマイルストーン") % {"days": MILESTONE_WINDOW_DAYS},
        "template": "dashboard/panels/milestones.html",
        "rows": rows,
        "data": [
            {"date": d.isoformat(), "end_date": e.isoformat() if e else None, "kind": k, "name": n}
            for d, e, k, n in rows
        ],
    }


def _can_see_gap_alerts(user, municipality_id: int) -> bool:
    from fitgap.permissions import can_see_alerts

    return can_see_alerts(user, municipality_id)


register_panel(open_rfis_panel)
register_panel(undecided_gaps_panel, visible_to=_can_see_gap_alerts)  # DX office and managers
register_panel(milestones_panel)


def dashboard(
    municipality: Municipality, *, on: dt.date | None = None, department_id: int | None = None, user=None
) -> Dashboard:
    """Every panel's figures; ``department_id`` narrows the matrix, risks, burn-up, open issues and
    submissions to one department's projects (contracts, RFIs, Gaps, milestones stay municipality-wide).
    ``user`` (the viewer of the page or the API) leaves out the panels registered as not for them."""
    from migration.models import ProcedureStep

    day = on or today()
    steps = list(ProcedureStep.objects.order_by("number"))
    summaries = project_summaries([municipality.id], day, steps, department_id=department_id)
    overall: dict[str, list[int]] = {phase: [0, 0] for phase, _label in ProcedureStep.Phase.choices}
    for summary in summaries:
        for phase, (done, total) in summary.phases.items():
            overall[phase][0] += done
            overall[phase][1] += total
    counts, overdue, issues = open_issue_figures(municipality.id, day, department_id=department_id)
    report_month = previous_month(day)
    panels = [func(municipality, day) for func in PANELS if panel_visible(func, user, municipality)]
    panels = [panel for panel in panels if panel]
    return Dashboard(
        municipality=municipality,
        today=day,
        steps=steps,
        phases=list(ProcedureStep.Phase.choices),
        projects=summaries,
        overall_phases={k: (v[0], v[1]) for k, v in overall.items()},
        contracts_ending=contracts_ending(municipality, day),
        issue_counts=counts,
        overdue_issue_count=overdue,
        open_issues=issues,
        report_month=report_month,
        submissions=submissions(municipality, report_month, department_id=department_id),
        burnup=burnup(summaries, day),
        issue_flow=issue_flow(municipality.id, day),
        panels=panels,
    )


# ---------------------------------------------------------------------------
# Oversight: one row per municipality of the group
# ---------------------------------------------------------------------------


@dataclass
class OversightRow:
    municipality: Municipality
    phases: dict[str, tuple[int, int]]
    project_count: int
    late_projects: int
    difficult: int
    submitted: int
    expected: int

    def phase_percent(self, phase: str) -> int:
        done, total = self.phases.get(phase, (0, 0))
        return round(100 * done / total) if total else 0

    @property
    def submission_rate(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def phase_list(self):
        return phase_list(self.phases)


def oversight_rows(user, *, on: dt.date | None = None) -> list[OversightRow]:
    """A fixed number of queries whatever the size of the group."""
    from migration.models import MonthlyReport, ProcedureStep

    day = on or today()
    municipalities = list(oversight_municipalities(user).order_by("code"))
    ids = [m.id for m in municipalities]
    steps = list(ProcedureStep.objects.order_by("number"))
    summaries = project_summaries(ids, day, steps)
    month = previous_month(day)
    submitted = Counter(
        MonthlyReport.objects.filter(
            project__municipality_id__in=ids,
            month=month,
            state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED],
        ).values_list("project__municipality_id", flat=True)
    )
    rows = {
        m.id: OversightRow(m, {p: (0, 0) for p, _label in ProcedureStep.Phase.choices}, 0, 0, 0, submitted[m.id], 0)
        for m in municipalities
    }
    for summary in summaries:
        row = rows[summary.project.municipality_id]
        row.project_count += 1
        row.expected += 1
        row.late_projects += 1 if summary.late_cells else 0
        row.difficult += 1 if summary.project.is_difficult else 0
        for phase, (done, total) in summary.phases.items():
            old = row.phases.get(phase, (0, 0))
            row.phases[phase] = (old[0] + done, old[1] + total)
    return list(rows.values())


# ---------------------------------------------------------------------------
# Report runs
# ---------------------------------------------------------------------------


def visible_report_runs(user, municipality: Municipality):
    return ReportRun.objects.filter(municipality=municipality).select_related("requested_by")


def report_run_detail(user, run_id: int) -> ReportRun:
    run = get_object_or_404(ReportRun.objects.select_related("municipality", "requested_by"), pk=run_id)
    if not can_view_dashboard(user, run.municipality_id):
        from django.http import Http404

        raise Http404(_("見つかりません。"))
    return run
