from celery import shared_task

from portal import services


@shared_task(name="portal.run_job")
def run_job_task(job_id: int) -> None:
    services.run_job(job_id=job_id)
