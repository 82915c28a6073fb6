from celery import shared_task

from migration import services


@shared_task(name="migration.send_report_reminders")
def send_report_reminders() -> int:
    """Daily: remind departments of unsubmitted monthly reports (the service decides which)."""
    return services.send_report_reminders()
