from celery import shared_task

from portal import services

# Export handlers of the generic list exports must be registered in the worker too.
import portal.dashboard.exports  # noqa: E402, F401  isort: skip


@shared_task(name="portal.run_job")
def run_job_task(job_id: int) -> None:
    services.run_job(job_id=job_id)


@shared_task(name="portal.run_report_run")
def run_report_run_task(run_id: int) -> None:
    """Build one monthly report workbook; a failure is queued again a few times (see MAX_ATTEMPTS)."""
    from portal.dashboard import services as dashboard_services
    from portal.models import ReportRun

    run = dashboard_services.run_report_run(run_id=run_id)
    if run.state == ReportRun.State.QUEUED and run.attempts:
        run_report_run_task.apply_async((run_id,), countdown=dashboard_services.RETRY_DELAY_SECONDS * run.attempts)


@shared_task(name="portal.generate_monthly_reports")
def generate_monthly_reports() -> int:
    """Daily beat task; it only does something on settings.MONTHLY_REPORT_DAY."""
    from portal.dashboard import services as dashboard_services

    return len(dashboard_services.generate_scheduled_reports())
