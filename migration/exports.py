"""Exports of migration data, run as recorded jobs (portal.jobs)."""

from django.utils import timezone

from migration.rules import current_step, next_planned_date, step_is_late
from portal.calendar import wareki
from portal.excel import table_workbook
from portal.jobs import job_handler

PROJECT_LIST_HEADERS = [
    "業務番号", "標準化対象業務", "業務主管課", "現行システム名", "現行ベンダ", "移行パターン", "移行困難システム",
    "現在の手順", "次の予定日", "遅延手順数", "稼働目標日", "移行期限",
]  # fmt: skip


@job_handler("migration.project_list", label="移行案件一覧（Excel）")
def project_list_workbook(job, report):
    from django.db.models import Prefetch

    from migration.models import MigrationProject, StepProgress

    today = timezone.localdate()
    projects = (
        MigrationProject.objects.filter(municipality=job.municipality)
        .select_related("operation", "department", "current_vendor")
        .prefetch_related(
            Prefetch("step_progress", queryset=StepProgress.objects.select_related("step").order_by("step__number"))
        )
        .order_by("operation__number")
    )
    if job.params.get("department"):
        projects = projects.filter(department_id=job.params["department"])
    rows, total = [], max(projects.count(), 1)
    for index, project in enumerate(projects, start=1):
        steps = list(project.step_progress.all())
        late = [s for s in steps if step_is_late(s, today)]
        if job.params.get("late_only") and not late:
            continue
        current = current_step(steps)
        rows.append(
            [
                project.operation.number,
                project.operation.name,
                project.department.name,
                project.current_system_name,
                project.current_vendor.name if project.current_vendor else "",
                project.get_migration_pattern_display(),
                "○" if project.is_difficult else "",
                f"{current.step.number}. {current.step.name}" if current else "全手順完了",
                wareki(next_planned_date(steps, today)),
                len(late),
                wareki(project.target_go_live),
                wareki(project.deadline),
            ]
        )
        report(index * 90 // total)
    content = table_workbook(
        "移行案件一覧", PROJECT_LIST_HEADERS, rows, widths=[8, 20, 16, 20, 24, 22, 10, 36, 18, 10, 18, 18]
    )
    return f"移行案件一覧_{job.municipality.name}_{today:%Y%m%d}.xlsx", content
