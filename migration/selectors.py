"""Reads of migration projects, always scoped to what the user may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
    entries = history.entries(MigrationProject, project_records, lambda r: "案件情報")
    entries += history.entries(
        StepProgress,
        step_records,
        lambda r: f"手順{steps[r.step_id].number} {steps[r.step_id].name}",
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
    return history.entries(Contract, records, lambda r: f"契約 {r.vendor.name} {r.package_name}")
