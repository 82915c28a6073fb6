"""Reads for the Gantt views: one selector builds everything a project or the portfolio shows
(bars, milestones, late flags, forecasts) with a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from migration import selectors as migration_selectors
from migration.models import MigrationProject, ProcedureStep, TargetOperation
from portal.calendar import NATIONAL_DEADLINE, fiscal_year, fiscal_year_bounds, wareki_fiscal_year, wareki_short
from portal.permissions import can_edit_project, scope_to_municipality
from schedules import rules
from schedules.models import Baseline, BaselineStep, Milestone

PHASES = list(ProcedureStep.Phase.choices)  # [(code, 計画立案), ...]
PHASE_LETTERS = {"planning": _("計"), "selection": _("選"), "migration": _("移")}  # written inside phase bars
ZOOMS = {"month": _("月"), "quarter": _("四半期")}
GROUPINGS = {"department": _("業務主管課"), "group": _("業務グループ")}

# kind → (symbol, label); the symbol is drawn on the chart and repeated in the table and legend.
MILESTONE_KINDS = {
    "deadline": ("◆", _("移行期限")),
    "go_live": ("★", _("稼働目標日")),
    "contract_end": ("■", _("現行契約終了")),
    "budget": ("▲", _("予算要求")),
    "council": ("●", _("議会")),
    "other": ("◇", _("その他")),
}


def today() -> dt.date:
    return migration_selectors.today()


# ---------------------------------------------------------------------------
# The time axis
# ---------------------------------------------------------------------------
@dataclass
class Timeline:
    start: dt.date  # 1 April of the first 年度
    end: dt.date  # 31 March of the last 年度
    zoom: str = "month"

    @classmethod
    def covering(cls, days, *, zoom: str = "month") -> "Timeline":
        days = [d for d in days if d]
        low, high = min(days), max(days)
        return cls(
            start=fiscal_year_bounds(fiscal_year(low))[0], end=fiscal_year_bounds(fiscal_year(high))[1], zoom=zoom
        )

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[dt.date]:
        result, day = [], self.start
        while day <= self.end:
            result.append(day)
            day = rules.add_months(day, 1)
        return result

    @property
    def fiscal_years(self) -> list[tuple[int, str]]:
        return [(year, wareki_fiscal_year(year, short=True)) for year in range(self.start.year, self.end.year)]

    @property
    def columns(self) -> list[tuple[str, int, str]]:
        """(label, months spanned, title) of the second header row: months, or quarters."""
        if self.zoom == "quarter":
            quarters = []
            for _year, label in self.fiscal_years:
                for number, (first, last) in enumerate([(4, 6), (7, 9), (10, 12), (1, 3)], start=1):
                    title = gettext("%(year)s 第%(number)s四半期（%(first)s〜%(last)s月）") % {
                        "year": label,
                        "number": number,
                        "first": first,
                        "last": last,
                    }
                    quarters.append((f"{number}Q", 3, title))
            return quarters
        return [
            (capfirst(MONTHS_3[m.month]), 1, f"{wareki_fiscal_year(fiscal_year(m), short=True)} {MONTHS[m.month]}")
            for m in self.months
        ]

    def offset(self, day: dt.date) -> float:
        """Percent of the chart width where a day begins (clamped to the chart)."""
        days = min(max((day - self.start).days, 0), self.total_days)
        return round(days * 100 / self.total_days, 3)

    def place(self, start: dt.date, end: dt.date) -> tuple[float, float]:
        """(left %, width %) of a bar covering start..end inclusive (at least a sliver wide)."""
        left = self.offset(start)
        right = self.offset(end + dt.timedelta(days=1))
        return left, max(round(right - left, 3), 0.3)

    def contains(self, day: dt.date | None) -> bool:
        return bool(day and self.start <= day <= self.end)


@dataclass
class Bar:
    kind: str  # planned / actual / baseline / phase
    start: dt.date
    end: dt.date
    left: float = 0
    width: float = 0
    label: str = ""
    open_ended: bool = False  # an actual bar of a step still running (drawn to today)
    phase: str = ""

    @property
    def style(self) -> str:
        return f"left:{self.left}%;width:{self.width}%"

    @property
    def dates(self) -> str:
        return f"{wareki_short(self.start)}〜{'' if self.open_ended else wareki_short(self.end)}"


@dataclass
class Mark:
    kind: str
    name: str
    date: dt.date
    end_date: dt.date | None = None
    left: float = 0
    width: float = 0

    @property
    def style(self) -> str:
        return f"left:{self.left}%" + (f";width:{self.width}%" if self.width else "")

    @property
    def symbol(self) -> str:
        return MILESTONE_KINDS[self.kind][0]

    @property
    def kind_label(self) -> str:
        return MILESTONE_KINDS[self.kind][1]


def _bar(timeline, kind, start, end, **extra) -> Bar | None:
    if not start or not end:
        return None
    bar = Bar(kind=kind, start=start, end=end, **extra)
    bar.left, bar.width = timeline.place(start, end)
    return bar


def _place_marks(timeline, marks: list[Mark]) -> list[Mark]:
    placed = []
    for mark in sorted(marks, key=lambda m: (m.date, m.kind)):
        if not timeline.contains(mark.date):
            continue
        mark.left = timeline.offset(mark.date)
        if mark.end_date:
            mark.width = timeline.place(mark.date, mark.end_date)[1]
        placed.append(mark)
    return placed


# ---------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------
def project_marks(project: MigrationProject) -> list[Mark]:
    """The deadline (national or individual), the target go-live and the current contract's end."""
    if project.deadline != NATIONAL_DEADLINE:
        name = gettext("個別の移行期限（移行困難システム）")
    else:
        name = gettext("国の移行期限（令和7年度末）")
    marks = [Mark("deadline", name, project.deadline)]
    if project.target_go_live:
        marks.append(Mark("go_live", gettext("稼働目標日"), project.target_go_live))
    contract = project.current_contract
    if contract and contract.end_date:
        marks.append(
            Mark(
                "contract_end",
                gettext("現行契約終了（%(package)s）") % {"package": contract.package_name},
                contract.end_date,
            )
        )
    return marks


def municipality_marks(municipality, timeline: Timeline, stored: list[Milestone]) -> list[Mark]:
    """予算要求 dates from the municipality's settings for every 年度 shown, and the stored milestones."""
    marks = []
    for year, _label in timeline.fiscal_years:
        day = municipality.budget_request_date(year)
        name = gettext("予算要求（%(year)s予算）") % {"year": wareki_fiscal_year(year + 1, short=True)}
        marks.append(Mark("budget", name, day))
    for milestone in stored:
        marks.append(Mark(milestone.kind, milestone.name, milestone.date, milestone.end_date))
    return marks


def visible_milestones(user):
    return scope_to_municipality(user, Milestone.objects.all())


# ---------------------------------------------------------------------------
# Baselines
# ---------------------------------------------------------------------------
def visible_baselines(user):
    return scope_to_municipality(user, Baseline.objects.select_related("created_by"))


def baseline_detail(user, baseline_id) -> Baseline:
    return get_object_or_404(visible_baselines(user), pk=baseline_id)


def pick_baseline(user, baseline_id) -> Baseline | None:
    if not baseline_id or not str(baseline_id).isdecimal():
        return None
    return visible_baselines(user).filter(pk=baseline_id).first()


def baseline_rows(baseline: Baseline | None, project_ids=None) -> dict[int, BaselineStep]:
    if baseline is None:
        return {}
    rows = BaselineStep.objects.filter(baseline=baseline)
    if project_ids is not None:
        rows = rows.filter(project_id__in=project_ids)
    return {row.progress_id: row for row in rows}


def baseline_differences(user, baseline: Baseline, *, project_id: int | None = None) -> list[rules.Shift]:
    """Each step whose planned dates moved since the baseline, with the days moved."""
    projects = migration_selectors.projects_with_steps(user)
    if project_id:
        projects = projects.filter(pk=project_id)
    projects = list(projects)
    saved = baseline_rows(baseline, [p.id for p in projects]).values()
    steps = [s for p in projects for s in p.step_progress.all()]
    return rules.baseline_shifts(saved, steps)


# ---------------------------------------------------------------------------
# Gantt data
# ---------------------------------------------------------------------------
@dataclass
class StepRow:
    progress: object
    late: bool
    planned: Bar | None
    actual: Bar | None
    baseline: Bar | None
    can_edit: bool

    @property
    def step(self):
        return self.progress.step


@dataclass
class PhaseRows:
    code: str
    label: str
    rows: list[StepRow]
    bar: Bar | None = None

    @property
    def letter(self) -> str:
        return PHASE_LETTERS[self.code]


@dataclass
class ProjectGantt:
    project: MigrationProject
    phases: list[PhaseRows]
    forecast: rules.Forecast
    marks: list[Mark]
    can_edit: bool
    forecast_bar: Bar | None = None

    @property
    def steps(self) -> list[StepRow]:
        return [row for phase in self.phases for row in phase.rows]

    @property
    def late(self) -> bool:
        return self.forecast.late_steps > 0


@dataclass
class Group:
    label: str
    projects: list[ProjectGantt]


@dataclass
class Schedule:
    """Everything one Gantt page (project or portfolio), the API and the workbook show."""

    timeline: Timeline
    today: dt.date
    today_left: float
    marks: list[Mark]  # municipality-wide: 予算要求, 議会, … (and, for one project, its own)
    groups: list[Group]
    baseline: Baseline | None = None
    filters: dict = field(default_factory=dict)

    @property
    def projects(self) -> list[ProjectGantt]:
        return [p for g in self.groups for p in g.projects]

    @property
    def national_deadline_left(self) -> float | None:
        """Where the national deadline's line is drawn across the portfolio (None when off the chart)."""
        return self.timeline.offset(NATIONAL_DEADLINE) if self.timeline.contains(NATIONAL_DEADLINE) else None


def _project_dates(project, steps, baseline):
    for progress in steps:
        yield from (progress.planned_start, progress.planned_end, progress.actual_start, progress.actual_end)
        row = baseline.get(progress.id)
        if row:
            yield from (row.planned_start, row.planned_end)
    yield project.target_go_live
    yield project.deadline
    if project.current_contract:
        yield project.current_contract.end_date


def _gantt(user, project, timeline, day, baseline) -> ProjectGantt:
    steps = list(project.step_progress.all())
    editable = can_edit_project(user, project)
    phases = []
    for code, label in PHASES:
        rows = []
        for progress in (p for p in steps if p.step.phase == code):
            saved = baseline.get(progress.id)
            running = bool(progress.actual_start and not progress.actual_end)
            actual_end = progress.actual_end or (max(day, progress.actual_start) if running else None)
            rows.append(
                StepRow(
                    progress=progress,
                    late=rules.is_late(progress, day),
                    planned=_bar(timeline, "planned", progress.planned_start, progress.planned_end),
                    actual=_bar(timeline, "actual", progress.actual_start, actual_end, open_ended=running),
                    baseline=_bar(timeline, "baseline", saved.planned_start, saved.planned_end) if saved else None,
                    can_edit=editable,
                )
            )
        starts = [r.progress.planned_start for r in rows if r.progress.planned_start]
        ends = [r.progress.planned_end for r in rows if r.progress.planned_end]
        bar = _bar(timeline, "phase", min(starts), max(ends), label=label, phase=code) if starts and ends else None
        phases.append(PhaseRows(code=code, label=label, rows=rows, bar=bar))
    forecast = rules.project_forecast(project, steps, day)
    forecast_bar = None
    if forecast.finish and not forecast.finished and forecast.finish > day:
        forecast_bar = _bar(timeline, "forecast", day, forecast.finish)
    return ProjectGantt(
        project=project,
        phases=phases,
        forecast=forecast,
        marks=_place_marks(timeline, project_marks(project)),
        can_edit=editable,
        forecast_bar=forecast_bar,
    )


def _schedule(user, projects, *, day, zoom, baseline, group_by="", filters=None) -> Schedule:
    projects = list(projects)
    saved = baseline_rows(baseline, [p.id for p in projects])
    dates = [day]
    forecasts = {}
    for project in projects:
        steps = list(project.step_progress.all())
        dates.extend(_project_dates(project, steps, saved))
        finish, _finished = rules.forecast_finish(steps, day)
        forecasts[project.id] = finish
        dates.append(finish)
    timeline = Timeline.covering(dates, zoom=zoom if zoom in ZOOMS else "month")
    gantts = [_gantt(user, project, timeline, day, saved) for project in projects]
    filters = filters or {}
    if filters.get("late_only"):
        gantts = [g for g in gantts if g.late]
    municipality = projects[0].municipality if projects else getattr(user, "municipality", None)
    stored = list(visible_milestones(user).filter(municipality=municipality)) if municipality else []
    marks = _place_marks(timeline, municipality_marks(municipality, timeline, stored)) if municipality else []
    return Schedule(
        timeline=timeline,
        today=day,
        today_left=timeline.offset(day),
        marks=marks,
        groups=_group(gantts, group_by),
        baseline=baseline,
        filters=filters,
    )


def _group(gantts, group_by) -> list[Group]:
    if group_by not in GROUPINGS:
        return [Group(label="", projects=gantts)]
    groups: dict[str, Group] = {}
    if group_by == "department":
        ordered = sorted(
            gantts,
            key=lambda g: (g.project.department.sort_order, g.project.department.name, g.project.operation.number),
        )
        key = lambda g: g.project.department.name  # noqa: E731
    else:
        order = [code for code, _label in TargetOperation.Group.choices]
        ordered = sorted(gantts, key=lambda g: (order.index(g.project.operation.group), g.project.operation.number))
        key = lambda g: g.project.operation.get_group_display()  # noqa: E731
    for gantt in ordered:
        groups.setdefault(key(gantt), Group(label=key(gantt), projects=[])).projects.append(gantt)
    return list(groups.values())


def project_schedule(user, project_id: int, *, on=None, zoom="month", baseline=None) -> Schedule:
    """One project's Gantt: its 17 steps by phase, its milestones and the municipality's."""
    day = on or today()
    project = migration_selectors.project_detail(user, project_id)
    return _schedule(user, [project], day=day, zoom=zoom, baseline=baseline)


def portfolio_schedule(
    user,
    *,
    on=None,
    zoom="month",
    baseline=None,
    department_id=None,
    group=None,
    late_only=False,
    difficult_only=False,
    group_by="department",
) -> Schedule:
    """All projects of the municipality, filterable, grouped by department or operation group."""
    day = on or today()
    projects = migration_selectors.projects_with_steps(user, department_id=department_id)
    if group:
        projects = projects.filter(operation__group=group)
    if difficult_only:
        projects = projects.filter(is_difficult=True)
    filters = {
        "department": department_id,
        "group": group,
        "late_only": late_only,
        "difficult_only": difficult_only,
        "group_by": group_by,
    }
    return _schedule(user, projects, day=day, zoom=zoom, baseline=baseline, group_by=group_by, filters=filters)
