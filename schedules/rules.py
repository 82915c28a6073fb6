"""Plain schedule rules: late steps, forecast finish, plan generation, baseline differences.

They take objects with the attributes of ``migration.models.StepProgress`` (status, planned/actual
dates, ``step`` with number and typical months) and never touch the database."""

import calendar
import datetime as dt
from dataclasses import dataclass

from migration.rules import step_is_late

CLOSED = ("done", "not_applicable")
# 手順13「システム移行時の設定」has no typical duration in the 手順書; it runs beside data migration
# (手順14), so the portal assumes the shortest duration of the neighbouring steps: 2 months.
DEFAULT_STEP_MONTHS = 2


def is_late(progress, today: dt.date) -> bool:
    """The issue's rule (planned end passed and not done, or started after the planned start) is
    ``migration.rules.step_is_late``; it also counts a step not yet started whose planned start has
    passed. Reused as is so that every page agrees."""
    return step_is_late(progress, today)


def typical_months(step) -> int:
    """The 手順書's shortest typical duration (months) of a step; DEFAULT_STEP_MONTHS when it has none."""
    return step.typical_months_min or step.typical_months_max or DEFAULT_STEP_MONTHS


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def planned_end_from(progress, start: dt.date) -> dt.date:
    """When the step ends if it starts on ``start``: its planned duration, or the 手順書's typical months."""
    if progress.planned_start and progress.planned_end:
        return start + (progress.planned_end - progress.planned_start)
    return add_months(start, typical_months(progress.step)) - dt.timedelta(days=1)


@dataclass
class Forecast:
    finish: dt.date | None  # forecast (or actual, when finished) finish of the project's last step
    deadline: dt.date
    finished: bool
    late_steps: int

    @property
    def days_over(self) -> int:
        """Days the forecast finish lies after the deadline (0 when not after it, or finished)."""
        if self.finished or not self.finish or self.finish <= self.deadline:
            return 0
        return (self.finish - self.deadline).days

    @property
    def over_deadline(self) -> bool:
        """期限超過見込み."""
        return self.days_over > 0


def forecast_finish(steps, today: dt.date) -> tuple[dt.date | None, bool]:
    """(forecast finish, finished). Walk the steps in order from today: a step in progress ends
    after its planned duration from its actual start (not before today); a step not started begins
    when the previous one ends, not before today nor before its own planned start, and lasts its
    planned duration (or the typical one). Done and 対象外 steps are skipped. A project whose
    steps are all done/対象外 is finished on its last actual end."""
    steps = sorted(steps, key=lambda p: p.step.number)
    open_steps = [p for p in steps if p.status not in CLOSED]
    if not open_steps:
        ends = [p.actual_end for p in steps if p.status == "done" and p.actual_end]
        return max(ends, default=None), True
    cursor = today
    finish = today
    for progress in open_steps:
        if progress.actual_start:
            end = max(planned_end_from(progress, progress.actual_start), today)
        else:
            end = planned_end_from(progress, max(cursor, progress.planned_start or cursor))
        finish = max(finish, end)
        cursor = end + dt.timedelta(days=1)
    return finish, False


def project_forecast(project, steps, today: dt.date) -> Forecast:
    steps = list(steps)
    finish, finished = forecast_finish(steps, today)
    return Forecast(
        finish=finish,
        deadline=project.deadline,
        finished=finished,
        late_steps=sum(1 for p in steps if is_late(p, today)),
    )


@dataclass
class PlannedStep:
    progress: object
    planned_start: dt.date
    planned_end: dt.date
    months: int


def generate_plan(steps, go_live: dt.date) -> list[PlannedStep]:
    """標準工程: lay the steps backwards from the target go-live, in step order, each with its
    typical duration; 対象外 steps are skipped. The last step ends the day before the go-live."""
    plan = []
    end = go_live - dt.timedelta(days=1)
    for progress in sorted(steps, key=lambda p: p.step.number, reverse=True):
        if progress.status == "not_applicable":
            continue
        months = typical_months(progress.step)
        start = add_months(end + dt.timedelta(days=1), -months)
        plan.append(PlannedStep(progress=progress, planned_start=start, planned_end=end, months=months))
        end = start - dt.timedelta(days=1)
    return sorted(plan, key=lambda p: p.progress.step.number)


def has_planned_dates(steps) -> bool:
    return any(p.planned_start or p.planned_end for p in steps if p.status != "not_applicable")


@dataclass
class Shift:
    """A step whose planned dates moved since a baseline."""

    project: object
    step: object
    baseline_start: dt.date | None
    baseline_end: dt.date | None
    current_start: dt.date | None
    current_end: dt.date | None

    @staticmethod
    def _days(before, after):
        if before and after:
            return (after - before).days
        return None

    @property
    def start_days(self) -> int | None:
        return self._days(self.baseline_start, self.current_start)

    @property
    def end_days(self) -> int | None:
        return self._days(self.baseline_end, self.current_end)


def baseline_shifts(baseline_rows, current_steps) -> list[Shift]:
    """Steps whose planned start or end differ from the baseline; ``baseline_rows`` carry
    progress_id, planned_start and planned_end; ``current_steps`` are StepProgress rows."""
    saved = {row.progress_id: row for row in baseline_rows}
    shifts = []
    for progress in current_steps:
        row = saved.get(progress.id)
        if row is None:
            continue
        if (row.planned_start, row.planned_end) != (progress.planned_start, progress.planned_end):
            shifts.append(
                Shift(
                    project=progress.project,
                    step=progress.step,
                    baseline_start=row.planned_start,
                    baseline_end=row.planned_end,
                    current_start=progress.planned_start,
                    current_end=progress.planned_end,
                )
            )
    return shifts
