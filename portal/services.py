"""Writes of the portal app: recorded jobs."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.jobs import get_handler
from portal.models import Job
from portal.permissions import can_manage_municipality, is_municipal_user, require

logger = logging.getLogger(__name__)


@transaction.atomic
def start_job(*, actor, municipality, kind: str, params: dict | None = None) -> Job:
    """Record a job and queue it once the transaction commits."""
    from portal.tasks import run_job_task

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
        file_name, content = get_handler(job.kind).run(job, report)
    except Exception as error:  # the failure is shown to the user on the job page
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
    else:
        job.refresh_from_db()
        job.result_name = file_name
        job.result_file.save(file_name, ContentFile(content), save=False)
        job.state, job.progress, job.finished_at = Job.State.DONE, 100, timezone.now()
        job.save(update_fields=["result_name", "result_file", "state", "progress", "finished_at"])
    job.refresh_from_db()
    return job
