"""Writes of the schedules app. Step dates are always changed through
``migration.services.update_step_progress`` (same validation, history and version check)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from migration import services as migration_services
from migration.models import MigrationProject, StepProgress
from portal.permissions import can_edit_project, can_manage_municipality, require
from schedules import rules
from schedules.models import Baseline, BaselineStep, Milestone


@transaction.atomic
def create_baseline(*, actor, municipality, name: str, note: str = "") -> Baseline:
    """Save the current planned dates of every step of the municipality under a name (DX office)."""
    require(can_manage_municipality(actor, municipality.id), _("ベースラインを保存できるのは事務局です。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("ベースライン名を入力してください（例: 令和6年度当初計画）。")})
    if Baseline.objects.filter(municipality=municipality, name=name).exists():
        raise ValidationError(
            {"name": _("「%(name)s」という名前のベースラインは既にあります。別の名前にしてください。") % {"name": name}}
        )
    baseline = Baseline(municipality=municipality, name=name, note=note, created_by=actor)
    baseline.full_clean(exclude=["municipality"])
    baseline.save()
    steps = StepProgress.objects.filter(project__municipality=municipality).select_related("step")
    BaselineStep.objects.bulk_create(
        BaselineStep(
            baseline=baseline,
            progress=progress,
            project_id=progress.project_id,
            step_number=progress.step.number,
            status=progress.status,
            planned_start=progress.planned_start,
            planned_end=progress.planned_end,
        )
        for progress in steps
    )
    return baseline


@transaction.atomic
def delete_baseline(*, actor, baseline: Baseline) -> None:
    require(can_manage_municipality(actor, baseline.municipality_id), _("ベースラインを削除できるのは事務局です。"))
    baseline.delete()


def propose_plan(*, project: MigrationProject, steps=None) -> list[rules.PlannedStep]:
    """標準工程で計画を作成 (proposal only, nothing saved): backwards from the target go-live."""
    if not project.target_go_live:
        raise ValidationError(_("稼働目標日が未設定です。先に案件情報で稼働目標日を入力してください。"))
    steps = list(steps if steps is not None else project.step_progress.select_related("step"))
    if rules.has_planned_dates(steps):
        raise ValidationError(
            _(
                "予定日が入力済みの手順があるため、標準工程では作成できません。ガントチャートから各手順の予定を直してください。"
            )
        )
    return rules.generate_plan(steps, project.target_go_live)


@transaction.atomic
def apply_plan(*, actor, project: MigrationProject, plan: list[tuple[StepProgress, int, dict]]) -> int:
    """Save a reviewed proposal: ``plan`` is [(progress, expected_version, {planned_start, planned_end})].
    Every step goes through update_step_progress; all or nothing."""
    require(can_edit_project(actor, project), _("この案件の手順を更新する権限がありません。"))
    for progress, version, data in plan:
        if progress.project_id != project.id:
            raise ValidationError(_("別の案件の手順は更新できません。"))
        migration_services.update_step_progress(actor=actor, progress=progress, expected_version=version, data=data)
    return len(plan)


@transaction.atomic
def save_milestone(*, actor, municipality, data: dict, milestone: Milestone | None = None) -> Milestone:
    require(can_manage_municipality(actor, municipality.id), _("団体のマイルストーンを登録できるのは事務局です。"))
    milestone = milestone or Milestone(municipality=municipality)
    if milestone.municipality_id != municipality.id:
        raise ValidationError(_("別の団体のマイルストーンは変更できません。"))
    for name in ("kind", "name", "date", "end_date"):
        if name in data:
            setattr(milestone, name, data[name])
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def delete_milestone(*, actor, milestone: Milestone) -> None:
    require(
        can_manage_municipality(actor, milestone.municipality_id), _("団体のマイルストーンを削除できるのは事務局です。")
    )
    milestone.delete()
