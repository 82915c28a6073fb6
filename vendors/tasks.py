from celery import shared_task

from vendors import services


@shared_task(name="vendors.send_rfi_deadline_reminders")
def send_rfi_deadline_reminders() -> int:
    """Daily: remind invited vendors three days before an RFI's deadline (once per invitation)."""
    return services.send_rfi_deadline_reminders()
