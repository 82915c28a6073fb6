"""Writes of the portal app: recorded jobs."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.jobs import JobParamsError, get_handler
from portal.models import Job
from portal.permissions import can_manage_municipality, is_municipal_user, require

logger = logging.getLogger(__name__)


@transaction.atomic
def start_job(*, actor, municipality, kind: str, params: dict | None = None) -> Job:
    """Record a job and queue it once the transaction commits."""
    from portal.tasks import run_job_task

    require(  # e.g. a superuser: a job belongs to one municipality
        municipality is not None,
        _(
            "出力・取込などの処理を開始できるのは団体に所属する利用者です。"
            "管理画面でこの利用者に団体を設定するか、団体に所属する利用者でログインし直してください。"
        ),
    )
    handler = get_handler(kind)
    if handler.permission == "manage":
        require(can_manage_municipality(actor, municipality.id))
    else:
        require(is_municipal_user(actor) and (actor.is_superuser or actor.municipality_id == municipality.id))
    job = Job.objects.create(municipality=municipality, kind=kind, params=params or {}, created_by=actor)
    transaction.on_commit(lambda: run_job_task.delay(job.id))
    return job


def run_job(*, job_id: int) -> Job:
    """Run a queued job: state, progress, result file and error are recorded as it goes."""
    job = Job.objects.select_related("municipality", "created_by").get(pk=job_id)
    if job.state != Job.State.QUEUED:
        return job
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now(), progress=0)

    def report(percent: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))))

    try:
        with translation.override(settings.LANGUAGE_CODE):  # exported files stay Japanese
            file_name, content = get_handler(job.kind).run(job, report)
    except Exception as error:  # the failure is shown to the user on the job page
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = str(error) if isinstance(error, JobParamsError) else f"{type(error).__name__}: {error}"
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, finished_at=timezone.now(), error=message)
    else:
        job.refresh_from_db()
        job.result_name = file_name
        job.result_file.save(file_name, ContentFile(content), save=False)
        job.state, job.progress, job.finished_at = Job.State.DONE, 100, timezone.now()
        job.save(update_fields=["result_name", "result_file", "state", "progress", "finished_at"])
    job.refresh_from_db()
    return job


MUNICIPALITY_SETTING_FIELDS = [
    "report_due_day",
    "budget_request_month",
    "budget_request_day",
    "contract_warning_months",
]


@transaction.atomic
def update_municipality_settings(*, actor, municipality, data: dict):
    """The DX office's settings of its own municipality (due day of reports, 予算要求 date, …)."""
    require(can_manage_municipality(actor, municipality.id), _("団体の設定を変更できるのは事務局です。"))
    for name, value in data.items():
        if name not in MUNICIPALITY_SETTING_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(municipality, name, value)
    municipality.full_clean()
    municipality.save(update_fields=list(data))
    return municipality


@transaction.atomic
def save_department(*, actor, municipality, name: str, sort_order: int = 0, department=None):
    """Add a department, or rename/reorder one. The DX office flag is set by the system administrator."""
    from portal.models import Department

    require(can_manage_municipality(actor, municipality.id), _("部署を変更できるのは事務局です。"))
    department = department or Department(municipality=municipality)
    if department.municipality_id != municipality.id:
        raise ValueError("department of another municipality")
    department.name, department.sort_order = name.strip(), sort_order
    department.full_clean()
    department.save()
    return department
