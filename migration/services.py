"""Writes to migration projects and step progress. Every function takes the acting user."""

from django.db import transaction

from migration.models import MigrationProject, ProcedureStep, StepProgress
from portal.concurrency import claim_version
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
    _apply(project, data, PROJECT_FIELDS)
    project.full_clean()
    project._history_user = actor
    project.save()
    _apply_pattern_rule(actor=actor, project=project)
    return project


def _apply_pattern_rule(*, actor, project: MigrationProject) -> None:
    """Bパターン (same vendor): RFP and vendor selection (steps 9–10) are 対象外 unless already done."""
    if project.migration_pattern != MigrationProject.Pattern.B:
        return
    skippable = project.step_progress.filter(step__skipped_without_vendor_change=True).exclude(
        status__in=[StepProgress.Status.DONE, StepProgress.Status.NOT_APPLICABLE]
    )
    for progress in skippable:
        progress.status = StepProgress.Status.NOT_APPLICABLE
        progress.version += 1
        progress._history_user = actor
        progress._change_reason = "Bパターン（同一ベンダ）のため対象外"
        progress.save()


@transaction.atomic
def update_step_progress(*, actor, progress: StepProgress, expected_version: int, data: dict) -> StepProgress:
    require(can_edit_project(actor, progress.project), "この案件の手順を更新する権限がありません。")
    progress = StepProgress.objects.select_for_update().select_related("step", "project").get(pk=progress.pk)
    claim_version(progress, expected_version)
    _apply(progress, data, STEP_FIELDS)
    if progress.status == StepProgress.Status.DONE:
        progress.percent_done = 100
    progress.full_clean()
    progress._history_user = actor
    progress.save()
    return progress
