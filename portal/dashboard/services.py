"""Writes of the dashboard area: monthly report workbook runs (月次報告書の作成)."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Municipality, ReportRun
from portal.permissions import can_manage_municipality, require

logger = logging.getLogger(__name__)

# A failed run is tried this many times in all before it stays 失敗.
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 60
# A run still 実行中 after this long lost its worker: it no longer blocks a new request. Stale runs are
# failed when a run of the same month is requested, by the daily beat task, and when a task starts.
STALE_AFTER = dt.timedelta(minutes=30)
STALE_ERROR = "処理が時間内に終了しませんでした（処理サーバの停止など）。もう一度作成してください。"
# The earliest month a workbook can be made for: 令和元年5月. 和暦 names no date before 昭和, and the
# standardisation (標準化法, 令和3年) has no data from before 令和.
EARLIEST_REPORT_MONTH = dt.date(2019, 5, 1)
EARLIEST_REPORT_MONTH_ERROR = gettext_lazy("対象月は令和元年5月（2019-05）以降の月を指定してください。")


def fail_stale_runs(*, municipality=None, month=None, run_id=None) -> int:
    """Fail the runs still 実行中 STALE_AFTER after they started (their worker died): all of them, or
    those of one municipality and month, or one run."""
    limit = timezone.now() - STALE_AFTER
    runs = ReportRun.objects.filter(state=ReportRun.State.RUNNING, started_at__lt=limit)
    if municipality is not None:
        runs = runs.filter(municipality=municipality)
    if month is not None:
        runs = runs.filter(month=month)
    if run_id is not None:
        runs = runs.filter(pk=run_id)
    stale = list(runs.values_list("pk", "error"))
    for pk, error in stale:  # keep the errors of earlier attempts
        ReportRun.objects.filter(pk=pk, state=ReportRun.State.RUNNING).update(
            state=ReportRun.State.FAILED,
            finished_at=timezone.now(),
            error=(error + "\n" if error else "") + STALE_ERROR,
        )
    if stale:
        logger.warning("monthly report runs %s failed: still running after %s", [pk for pk, _e in stale], STALE_AFTER)
    return len(stale)


def request_report_run(*, actor, municipality: Municipality, month: dt.date, trigger=ReportRun.Trigger.MANUAL):
    """Queue the workbook of a month; while one for the same municipality and month is waiting or
    running, that one is returned instead of a duplicate. Returns (run, created)."""
    from portal.tasks import run_report_run_task

    if actor is not None:
        require(can_manage_municipality(actor, municipality.id), _("月次報告書を作成できるのは事務局です。"))
    elif trigger != ReportRun.Trigger.SCHEDULE:
        raise ValueError("only the schedule may start a run without an actor")
    month = month.replace(day=1)
    if month < EARLIEST_REPORT_MONTH:
        raise ValidationError({"month": [EARLIEST_REPORT_MONTH_ERROR]})
    fail_stale_runs(municipality=municipality, month=month)
    try:
        with transaction.atomic():
            existing = (
                ReportRun.objects.select_for_update()
                .filter(municipality=municipality, month=month, state__in=ReportRun.ACTIVE_STATES)
                .first()
            )
            if existing:
                return existing, False
            run = ReportRun.objects.create(municipality=municipality, month=month, trigger=trigger, requested_by=actor)
    except IntegrityError:  # another request won the race (one_active_report_run_per_month)
        existing = ReportRun.objects.filter(
            municipality=municipality, month=month, state__in=ReportRun.ACTIVE_STATES
        ).first()
        if existing is None:
            raise
        return existing, False
    transaction.on_commit(lambda: run_report_run_task.delay(run.id))
    return run, True


def run_report_run(*, run_id: int, builder=None) -> ReportRun:
    """Build the workbook of a queued run, recording progress, the file, or the error.

    A failure before the last attempt puts the run back to 待機 with the error kept, and the
    caller (the Celery task) queues it again; after MAX_ATTEMPTS it stays 失敗."""
    from portal.dashboard.report_workbook import build_monthly_workbook

    builder = builder or build_monthly_workbook
    fail_stale_runs(run_id=run_id)  # a redelivered task of a run whose worker died long ago
    updated = ReportRun.objects.filter(pk=run_id, state=ReportRun.State.QUEUED).update(
        state=ReportRun.State.RUNNING, started_at=timezone.now(), progress=0, finished_at=None
    )
    run = ReportRun.objects.select_related("municipality").get(pk=run_id)
    if not updated:
        return run  # already running elsewhere, or finished
    ReportRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)
    run.attempts += 1

    def report(percent: int) -> None:
        ReportRun.objects.filter(pk=run.pk).update(progress=max(0, min(99, int(percent))))

    try:
        with translation.override(settings.LANGUAGE_CODE):  # the workbook stays Japanese
            file_name, content = builder(run.municipality, run.month, report=report)
    except Exception as error:
        logger.exception("monthly report run %s failed (attempt %s)", run.pk, run.attempts)
        message = f"{run.attempts}回目: {type(error).__name__}: {error}"
        retry = run.attempts < MAX_ATTEMPTS
        ReportRun.objects.filter(pk=run.pk).update(
            state=ReportRun.State.QUEUED if retry else ReportRun.State.FAILED,
            finished_at=None if retry else timezone.now(),
            error=(run.error + "\n" if run.error else "") + message,
        )
    else:
        run.refresh_from_db()
        run.result_name = file_name
        run.result_file.save(file_name, ContentFile(content), save=False)
        run.state, run.progress, run.finished_at = ReportRun.State.DONE, 100, timezone.now()
        run.save(update_fields=["result_name", "result_file", "state", "progress", "finished_at"])
    run.refresh_from_db()
    return run


def generate_scheduled_reports(*, on: dt.date | None = None) -> list[ReportRun]:
    """The beat task's work (daily): stale runs are failed; on settings.MONTHLY_REPORT_DAY, every
    municipality's workbook for the previous month (a month already done or running is not started again)."""
    from portal.dashboard.selectors import previous_month

    fail_stale_runs()  # every day: no run stays 実行中 for ever after its worker died
    day = on or timezone.localdate()
    if day.day != settings.MONTHLY_REPORT_DAY:
        return []
    month = previous_month(day)
    runs = []
    for municipality in Municipality.objects.order_by("code"):
        if ReportRun.objects.filter(municipality=municipality, month=month, state=ReportRun.State.DONE).exists():
            continue
        run, _created = request_report_run(
            actor=None, municipality=municipality, month=month, trigger=ReportRun.Trigger.SCHEDULE
        )
        runs.append(run)
    return runs
