"""Plain rules about step progress, shared by pages, API, exports and schedules."""

import datetime as dt


def step_is_late(progress, today: dt.date) -> bool:
    """A step is late when its planned end has passed and it is not done, or when it started
    (or, not yet started, will start) after its planned start. Done and 対象外 steps are never late."""
    status = progress.status
    if status in ("done", "not_applicable"):
        return False
    if progress.planned_end and progress.planned_end < today:
        return True
    if progress.planned_start:
        if progress.actual_start:
            return progress.actual_start > progress.planned_start
        return progress.planned_start < today
    return False


def current_step(progresses):
    """The step a project is at: the first one in order that is neither done nor 対象外."""
    for progress in progresses:
        if progress.status not in ("done", "not_applicable"):
            return progress
    return None


def next_planned_date(progresses, today: dt.date) -> dt.date | None:
    """The nearest planned start or end on or after today among unfinished steps."""
    dates = [
        day
        for p in progresses
        if p.status not in ("done", "not_applicable")
        for day in (p.planned_start, p.planned_end)
        if day and day >= today
    ]
    return min(dates, default=None)
