"""Pages: the dashboard, monthly report workbook runs, list exports and the oversight view."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.dashboard import selectors, services
from portal.dashboard.exports import FORMATS, LIST_EXPORTS, clean_params, job_kind
from portal.decorators import municipal_user_required
from portal.permissions import can_manage_municipality, is_municipal_user, is_oversight_user


def _dashboard_page(request, municipality, *, read_only: bool):
    from portal.dashboard import charts

    departments = list(municipality.departments.order_by("sort_order", "name"))
    department_id = request.GET.get("department", "")
    department = next((d for d in departments if str(d.id) == department_id), None)
    board = selectors.dashboard(municipality, department_id=department.id if department else None, user=request.user)
    return render(
        request,
        "dashboard/home.html",
        {
            "board": board,
            "departments": departments,
            "department": department,
            "burnup_chart": charts.burnup_svg(board.burnup, board.applicable_steps),
            "issue_chart": charts.issue_flow_svg(board.issue_flow),
            "read_only": read_only,
            "can_link": is_municipal_user(request.user) and request.user.municipality_id == municipality.id,
            "can_generate": can_manage_municipality(request.user, municipality.id) and not read_only,
        },
    )


@login_required
def home(request):
    if is_oversight_user(request.user) or (request.user.is_superuser and not request.user.municipality_id):
        return redirect("dashboard:oversight")
    if not is_municipal_user(request.user) or not request.user.municipality_id:
        raise PermissionDenied(_("このページは団体の職員向けです。"))
    return _dashboard_page(request, request.user.municipality, read_only=False)


@login_required
def municipality_dashboard(request, municipality_id):
    """A municipality's dashboard, read-only: for oversight users of a group holding it."""
    municipality = selectors.dashboard_municipality(request.user, municipality_id)
    return _dashboard_page(request, municipality, read_only=True)


@login_required
def oversight(request):
    if not (is_oversight_user(request.user) or request.user.is_superuser):
        raise PermissionDenied(_("このページは広域・共同グループの閲覧者向けです。"))
    rows = selectors.oversight_rows(request.user)
    from migration.models import ProcedureStep

    return render(
        request,
        "dashboard/oversight.html",
        {
            "rows": rows,
            "phases": ProcedureStep.Phase.choices,
            "group": request.user.oversight_group,
            "report_month": selectors.previous_month(selectors.today()),
        },
    )


def _month_choices(day: dt.date, count: int = 24) -> list[dt.date]:
    last = selectors.previous_month(day)
    months = (selectors.add_months(last, -i) for i in range(count))
    return [m for m in months if m >= services.EARLIEST_REPORT_MONTH]


def _parse_month(value: str | None) -> dt.date | None:
    """「2025-09」→ 2025-09-01; None when it is not a month (the caller checks the range:
    services.EARLIEST_REPORT_MONTH to this month)."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None


@login_required
def report_runs(request, municipality_id=None):
    municipality = selectors.dashboard_municipality(request.user, municipality_id)
    can_generate = can_manage_municipality(request.user, municipality.id)
    error, selected = None, request.POST.get("month", "")
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied(_("月次報告書を作成できるのは事務局です。"))
        month = _parse_month(selected)
        if month is None or month > selectors.first_of_month(selectors.today()):
            error = _("対象月を選んでください（今月以前の月を「年-月」で指定します）。")
        elif month < services.EARLIEST_REPORT_MONTH:
            error = _("対象月は令和元年5月（2019-05）以降の月を指定してください。")
        else:
            run, created = services.request_report_run(actor=request.user, municipality=municipality, month=month)
            if created:
                messages.success(request, _("月次報告書の作成を受け付けました。"))
            else:
                messages.info(
                    request, _("同じ月の作成が実行中です。実行中の処理を表示します（重複して作成はしません）。")
                )
            return redirect("dashboard:report_run", run_id=run.id)
    return render(
        request,
        "dashboard/report_runs.html",
        {
            "municipality": municipality,
            "runs": selectors.visible_report_runs(request.user, municipality)[:100],
            "can_generate": can_generate,
            "months": _month_choices(selectors.today()),
            "selected": selected or selectors.previous_month(selectors.today()).strftime("%Y-%m"),
            "error": error,
            "report_day": settings.MONTHLY_REPORT_DAY,
        },
        status=400 if error else 200,
    )


@login_required
def report_run(request, run_id):
    run = selectors.report_run_detail(request.user, run_id)
    template = "dashboard/_run_status.html" if request.htmx else "dashboard/report_run.html"
    return render(request, template, {"run": run})


@login_required
def report_run_download(request, run_id):
    run = selectors.report_run_detail(request.user, run_id)
    if not run.result_file:
        raise Http404(_("ファイルはまだありません。"))
    return FileResponse(run.result_file.open("rb"), as_attachment=True, filename=run.result_name)


@login_required
@municipal_user_required
@require_POST
def list_export(request, name):
    """Start the export of a list with the filters it was showing (sent as form fields)."""
    from portal.services import start_job

    export = LIST_EXPORTS.get(name)
    fmt = request.POST.get("format", "xlsx")
    if export is None or fmt not in FORMATS:
        raise Http404(_("出力できない一覧です。"))
    job = start_job(
        actor=request.user,
        municipality=request.user.municipality,
        kind=job_kind(name, fmt),
        params=clean_params(export, request.POST),
    )
    return redirect("job_detail", job_id=job.id)
