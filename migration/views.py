from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from migration import permissions as report_perms
from migration import selectors, services
from migration.forms import (
    CommentForm,
    IssueFilterForm,
    MonthlyReportForm,
    NewIssueForm,
    ProjectCreateForm,
    ProjectFilterForm,
    ProjectForm,
    RegisterImportForm,
    ReportStepForm,
    ReturnReportForm,
    RiskIssueForm,
    StepProgressForm,
    meeting_formset,
)
from migration.models import MonthlyReport, RiskIssue
from portal import history
from portal.concurrency import StaleObjectError
from portal.decorators import municipal_user_required
from portal.permissions import can_edit_project, can_manage_municipality
from portal.views_helpers import add_validation_errors, save_form


@login_required
@municipal_user_required
def project_list(request):
    from portal.models import Department

    departments = Department.objects.filter(municipality_id=request.user.municipality_id)
    filters = ProjectFilterForm(request.GET or None, municipality_departments=departments)
    department_id = late_only = None
    if filters.is_valid():
        department = filters.cleaned_data["department"]
        department_id = department.id if department else None
        late_only = filters.cleaned_data["late_only"]
    rows = selectors.project_rows(request.user, department_id=department_id)
    if late_only:
        rows = [row for row in rows if row.late_steps]
    return render(
        request,
        "migration/project_list.html",
        {
            "rows": rows,
            "filters": filters,
            "today": selectors.today(),
            "can_add": can_manage_municipality(request.user, request.user.municipality_id),
        },
    )


@login_required
@municipal_user_required
def project_detail(request, project_id):
    project = selectors.project_detail(request.user, project_id)
    today = selectors.today()
    steps = list(project.step_progress.all())
    return render(
        request,
        "migration/project_detail.html",
        {
            "project": project,
            "steps": steps,
            "late_ids": {s.id for s in steps if s.is_late(today)},
            "history": selectors.project_history(project),
            "can_edit_steps": can_edit_project(request.user, project),
            "can_edit_project": can_manage_municipality(request.user, project.municipality_id),
            "contracts": project.contracts.select_related("vendor"),
            "today": today,
        },
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id):
    project = selectors.project_detail(request.user, project_id)
    if not can_manage_municipality(request.user, project.municipality_id):
        raise PermissionDenied(_("案件情報を変更できるのは事務局です。"))
    form = ProjectForm(request.POST or None, instance=project)
    saved = save_form(
        form,
        lambda data: services.update_project(
            actor=request.user, project=project, expected_version=data["version"], data=form.changed_values()
        ),
    )
    if saved:
        messages.success(request, _("案件情報を保存しました。"))
        return redirect("migration:project_detail", project_id=project.id)
    return render(request, "migration/project_form.html", {"project": project, "form": form})


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def step_edit(request, project_id, step_number):
    """The step form: a table row swapped in place with htmx, or a page of its own without JavaScript."""
    progress = selectors.step_progress_detail(request.user, project_id, step_number)
    if not can_edit_project(request.user, progress.project):
        raise PermissionDenied(_("この案件の手順を更新できるのは事務局と業務主管課です。"))
    form = StepProgressForm(request.POST or None, instance=progress)
    saved = save_form(
        form,
        lambda data: services.update_step_progress(
            actor=request.user, progress=progress, expected_version=data["version"], data=form.changed_values()
        ),
    )
    if saved:
        messages.success(
            request,
            _("手順%(number)s「%(name)s」を保存しました。")
            % {"number": progress.step.number, "name": progress.step.name},
        )
        if request.htmx:  # reload the project page: the row, its late flag and the history all change
            return HttpResponseClientRefresh()
        return redirect(
            reverse("migration:project_detail", args=[progress.project_id]) + f"#step-{progress.step.number}"
        )
    template = "migration/_step_row_form.html" if request.htmx else "migration/step_form.html"
    return render(request, template, {"progress": progress, "form": form, "project": progress.project})


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    municipality = request.user.municipality
    if not can_manage_municipality(request.user, municipality.id):
        raise PermissionDenied(_("移行案件を追加できるのは事務局です。"))
    form = ProjectCreateForm(request.POST or None, municipality=municipality)

    def create(data):
        data = dict(data)
        return services.create_project(
            actor=request.user,
            municipality=municipality,
            operation=data.pop("operation"),
            department=data.pop("department"),
            **data,
        )

    project = save_form(form, create)
    if project:
        messages.success(
            request,
            _("「%(name)s」の移行案件を追加しました（17の作業手順を作成）。") % {"name": project.operation.name},
        )
        return redirect("migration:project_detail", project_id=project.id)
    return render(request, "migration/project_create.html", {"form": form})


# ---------------------------------------------------------------------------
# Monthly progress reports (進捗報告書) and the issue/risk register (課題管理表)
# ---------------------------------------------------------------------------


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _month_choices(center):
    months, month = [], center
    for _i in range(6):
        month = services.next_month(month)
    for _i in range(18):
        months.append(month)
        month = services.previous_month(month)
    return months


@login_required
@municipal_user_required
def report_board(request):
    """提出状況: departments × projects of a month; the DX office reminds, departments submit all at once."""
    from portal.models import Department

    month = selectors.parse_month(request.GET.get("month"))
    departments = Department.objects.filter(municipality_id=request.user.municipality_id)
    department_id = request.GET.get("department") or None
    if department_id and not str(department_id).isdigit():
        department_id = None
    board = selectors.report_board(request.user, month, department_id=department_id and int(department_id))
    is_dx = can_manage_municipality(request.user, request.user.municipality_id)
    submittable = [
        row.report
        for row in board.rows
        if row.report and row.report.is_editable and report_perms.can_edit_report(request.user, row.report)
    ]
    return render(
        request,
        "migration/report_board.html",
        {
            "board": board,
            "month": month,
            "months": _month_choices(month),
            "departments": departments,
            "department_id": int(department_id) if department_id else None,
            "is_dx": is_dx,
            "today": selectors.today(),
            "submittable": submittable,
            "can_create": {
                row.project.id for row in board.rows if report_perms.can_write_report(request.user, row.project)
            },
        },
    )


@login_required
@municipal_user_required
@require_POST
def report_create(request, project_id):
    project = selectors.project_detail(request.user, project_id)
    month = selectors.parse_month(request.POST.get("month"))
    report = services.create_report(actor=request.user, project=project, month=month)
    return redirect("migration:report_edit", report_id=report.id)


@login_required
@municipal_user_required
@require_POST
def report_submit_all(request):
    """A department submits every one of its editable reports of the month at once."""
    month = selectors.parse_month(request.POST.get("month"))
    ids = [int(i) for i in request.POST.getlist("report") if i.isdigit()]
    reports = [r for r in selectors.visible_reports(request.user).filter(pk__in=ids, month=month)]
    reports = [r for r in reports if report_perms.can_edit_report(request.user, r)]
    if not reports:
        messages.error(request, _("提出できる報告（下書き・差戻し）を選んでください。"))
    else:
        try:
            services.submit_reports(actor=request.user, reports=reports)
        except (ValidationError, StaleObjectError) as error:
            text = error.message if isinstance(error, StaleObjectError) else "、".join(error.messages)
            messages.error(
                request,
                _("まとめて提出できませんでした（どの報告も提出されていません）: %(errors)s") % {"errors": text},
            )
        else:
            messages.success(request, _("%(count)s件の進捗報告を提出しました。") % {"count": len(reports)})
    return redirect(reverse("migration:report_board") + f"?month={month:%Y-%m}")


@login_required
@municipal_user_required
@require_POST
def report_remind(request, project_id):
    project = selectors.project_detail(request.user, project_id)
    month = selectors.parse_month(request.POST.get("month"))
    try:
        sent = services.send_report_reminder_by_hand(actor=request.user, project=project, month=month)
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        if sent:
            messages.success(
                request,
                _("%(department)sに「%(name)s」の督促メールを送信しました。")
                % {"department": project.department.name, "name": project.operation.name},
            )
        else:
            messages.info(
                request,
                _("「%(name)s」の督促メールは本日すでに送信済みです（1日1回まで）。")
                % {"name": project.operation.name},
            )
    return redirect(reverse("migration:report_board") + f"?month={month:%Y-%m}")


NOISY_HISTORY_FIELDS = {"created_at", "updated_at"}


def _history(model, records, subject):
    """History entries newest first, without the automatic timestamps."""
    entries = history.entries(model, records, subject)
    for entry in entries:
        entry.changes = [c for c in entry.changes if c.field not in NOISY_HISTORY_FIELDS]
    return [e for e in entries if e.changes or e.action != str(history.ACTIONS["~"])][::-1]


def _report_context(request, report):
    steps = list(report.project.step_progress.select_related("step").order_by("step__number"))
    return {
        "report": report,
        "project": report.project,
        "steps": steps,
        "issues": selectors.issues_of_month(report.project_id, report.month),
        "due_date": services.report_due_date(report.project.municipality, report.month),
        "today": selectors.today(),
        "can_edit": report_perms.can_edit_report(request.user, report),
        "can_review": report_perms.can_review_report(request.user, report),
        "history": _history(
            MonthlyReport,
            report.history.select_related("history_user").order_by("id", "history_date", "history_id"),
            lambda r: _("進捗報告書"),
        ),
    }


@login_required
@municipal_user_required
def report_detail(request, report_id):
    report = selectors.report_detail(request.user, report_id)
    context = _report_context(request, report)
    context["return_form"] = ReturnReportForm(initial={"version": report.version})
    return render(request, "migration/report_detail.html", context)


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def report_edit(request, report_id):
    report = selectors.report_detail(request.user, report_id)
    if not report_perms.can_edit_report(request.user, report):
        if report_perms.can_write_report(request.user, report.project):
            messages.info(
                request, _("この報告は「%(state)s」のため編集できません。") % {"state": report.get_state_display()}
            )
            return redirect("migration:report_detail", report_id=report.id)
        raise PermissionDenied(_("この報告を編集できるのは業務主管課（と事務局）です。"))
    project = report.project
    data = request.POST or None
    form = MonthlyReportForm(data, instance=report)
    meetings = meeting_formset(data, report)
    steps = list(project.step_progress.select_related("step").order_by("step__number"))
    step_forms = [ReportStepForm(data, instance=s, prefix=f"step-{s.step.number}") for s in steps]
    new_issue = NewIssueForm(data, project=project, prefix="issue")
    if request.method == "POST":
        valid = all([form.is_valid(), meetings.is_valid(), all(f.is_valid() for f in step_forms), new_issue.is_valid()])
        if valid:
            try:
                report = services.save_report(
                    actor=request.user,
                    report=report,
                    expected_version=form.cleaned_data["version"],
                    data=form.changed_values(),
                    meetings=meetings.rows(),
                    step_updates=[
                        (f.instance, f.cleaned_data["version"], f.changed_values())
                        for f in step_forms
                        if f.has_real_changes()
                    ],
                    new_issues=[] if new_issue.is_empty() else [new_issue.issue_data()],
                )
                if "submit" in request.POST:
                    report = services.submit_report(actor=request.user, report=report, expected_version=report.version)
                    messages.success(request, _("進捗報告を提出しました。事務局の確認をお待ちください。"))
                else:
                    messages.success(request, _("進捗報告を保存しました（下書き）。"))
                return redirect("migration:report_detail", report_id=report.id)
            except StaleObjectError as conflict:
                target = next(
                    (
                        f
                        for f in step_forms
                        if f.instance.pk == conflict.current.pk and type(conflict.current) is type(f.instance)
                    ),
                    form,
                )
                form.add_error(None, conflict.message)
                target.refresh_version(conflict.current)
            except ValidationError as error:
                _spread_errors(error, form, step_forms)
    context = _report_context(request, report)
    context.update(
        form=form,
        meetings=meetings,
        step_rows=list(zip(steps, step_forms, strict=True)),
        new_issue=new_issue,
        open_issues=project.risk_issues.exclude(status__in=RiskIssue.CLOSED_STATUSES).order_by("number"),
        has_errors=request.method == "POST",
    )
    return render(request, "migration/report_form.html", context)


def _spread_errors(error: ValidationError, form, step_forms) -> None:
    """A service's ValidationError: on the report form, or on the step row it belongs to."""
    if hasattr(error, "error_dict"):
        step_fields = set(services.STEP_FIELDS)
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                if field in step_fields:
                    form.add_error(None, _("作業手順: %(message)s") % {"message": message})
                elif field in form.fields:
                    form.add_error(field, message)
                else:
                    label = {
                        "description": _("新しい課題・リスク"),
                        "due_date": _("新しい課題の対応希望期限"),
                        "other_departments": _("新しい課題の関係者"),
                    }.get(field, "")
                    form.add_error(None, f"{label}: {message}" if label else message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@municipal_user_required
@require_POST
def report_action(request, report_id, action):
    report = selectors.report_detail(request.user, report_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        message = _(
            "画面の版数が読み取れなかったため、操作できませんでした。ページを読み込み直してから、もう一度操作してください。"
        )
        context = _report_context(request, report)
        form = ReturnReportForm(request.POST)  # keeps a typed 差戻しの理由
        if action == "return":
            form.add_error(None, message)
        else:
            messages.error(request, message)
        context["return_form"] = form
        return render(request, "migration/report_detail.html", context, status=400)
    try:
        if action == "submit":
            services.submit_report(actor=request.user, report=report, expected_version=version)
            messages.success(request, _("進捗報告を提出しました。"))
        elif action == "accept":
            services.accept_report(actor=request.user, report=report, expected_version=version)
            messages.success(request, _("進捗報告を確認済にしました。"))
        elif action == "return":
            form = ReturnReportForm(request.POST)
            comment = form.data.get("return_comment", "")
            services.return_report(actor=request.user, report=report, expected_version=version, comment=comment)
            messages.success(request, _("進捗報告を差し戻しました。業務主管課にメールで知らせました。"))
        else:
            raise Http404
    except StaleObjectError as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        if action == "return":
            context = _report_context(request, report)
            form = ReturnReportForm(request.POST)
            add_validation_errors(form, error)
            context["return_form"] = form
            return render(request, "migration/report_detail.html", context, status=400)
        messages.error(request, "、".join(error.messages))
    return redirect("migration:report_detail", report_id=report.id)


@login_required
@municipal_user_required
def report_export(request, report_id):
    from migration.report_excel import report_workbook

    report = selectors.report_detail(request.user, report_id)
    steps = report.project.step_progress.select_related("step").order_by("step__number")
    issues = selectors.issues_of_month(report.project_id, report.month).select_related("project__operation")
    content = report_workbook(report, steps, issues)
    name = f"進捗報告書_{report.project.operation.name}_{report.month:%Y%m}.xlsx"
    return _xlsx_response(content, name)


# --- register ---


def _issue_list_filters(request):
    """The filter form, the selector parameters and the scope of /issues/ (shared with its export):
    業務横断課題 only unless ?scope=all."""
    from portal.models import Department

    departments = Department.objects.filter(municipality_id=request.user.municipality_id)
    filters = IssueFilterForm(request.GET or None, departments=departments)
    params = filters.params() if request.GET else {}
    scope = "all" if request.GET.get("scope") == "all" else "cross"
    if scope != "all":
        params["cross_cutting"] = True
    return filters, params, scope


@login_required
@municipal_user_required
def issue_list(request):
    """業務横断課題: items naming the DX office or another department, for the DX office."""
    filters, params, scope = _issue_list_filters(request)
    issues = list(selectors.filter_issues(selectors.visible_issues(request.user), params))
    return render(
        request,
        "migration/issue_list.html",
        {
            "issues": issues,
            "filters": filters,
            "scope": scope,
            "today": selectors.today(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@municipal_user_required
def issue_list_export(request):
    """Exactly the list /issues/ shows (業務横断課題 unless ?scope=all, its filters and order) as a
    課題管理表 workbook."""
    from migration.report_excel import register_workbook

    _, params, _ = _issue_list_filters(request)
    issues = selectors.filter_issues(selectors.visible_issues(request.user), params)
    name = f"課題管理表_{request.user.municipality.name}_{selectors.today():%Y%m%d}.xlsx"
    return _xlsx_response(register_workbook(issues, title=name), name)


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def project_issues(request, project_id):
    """A project's register: its items, the workbook download and upload."""
    from portal.imports import ImportProblem, ImportRejected

    project = selectors.project_detail(request.user, project_id)
    can_edit = report_perms.can_edit_issue(request.user, project)
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("この案件の課題を取り込めるのは業務主管課と事務局です。"))
        if form.is_valid():
            try:
                result = services.import_register(
                    actor=request.user,
                    municipality=project.municipality,
                    file=form.cleaned_data["file"],
                    project=project,
                )
            except ImportRejected as rejected:
                problems = rejected.problems
            except StaleObjectError as conflict:  # someone saved an item while the file was read
                problems = [ImportProblem(None, "", services.import_conflict_message(conflict))]
            except ValidationError as error:
                problems = [ImportProblem(None, "", message) for message in error.messages]
            else:
                messages.success(
                    request,
                    _("課題管理表を取り込みました（追加 %(created)s件、更新 %(updated)s件）。")
                    % {"created": result["created"], "updated": result["updated"]},
                )
                return redirect("migration:project_issues", project_id=project.id)
    issues = selectors.visible_issues(request.user).filter(project=project).order_by("number")
    if request.GET.get("format") == "xlsx":
        from migration.report_excel import register_workbook

        name = f"課題管理表_{project.operation.name}_{selectors.today():%Y%m%d}.xlsx"
        return _xlsx_response(register_workbook(issues, title=name), name)
    return render(
        request,
        "migration/issue_register.html",
        {
            "project": project,
            "issues": issues,
            "form": form,
            "problems": problems,
            "can_edit": can_edit,
            "today": selectors.today(),
        },
        status=400 if problems else 200,
    )


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def issue_create(request, project_id):
    project = selectors.project_detail(request.user, project_id)
    if not report_perms.can_edit_issue(request.user, project):
        raise PermissionDenied(_("この案件の課題・リスクを登録できるのは業務主管課と事務局です。"))
    form = RiskIssueForm(
        request.POST or None, instance=RiskIssue(project=project, raised_on=selectors.today()), project=project
    )

    def create(data):
        values, departments = form.issue_data()
        return services.create_risk_issue(
            actor=request.user, project=project, data=values, other_departments=departments
        )

    issue = save_form(form, create)
    if issue:
        messages.success(request, _("課題・リスク No.%(number)s を登録しました。") % {"number": issue.number})
        return redirect(_next_url(request, reverse("migration:issue_detail", args=[issue.id])))
    return render(
        request,
        "migration/issue_form.html",
        {"project": project, "form": form, "issue": None, "next": _next_url(request, "")},
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def issue_edit(request, issue_id):
    issue = selectors.issue_detail(request.user, issue_id)
    project = issue.project
    if not report_perms.can_edit_issue(request.user, project):
        raise PermissionDenied(_("この課題・リスクを更新できるのは業務主管課と事務局です。"))
    form = RiskIssueForm(request.POST or None, instance=issue, project=project)

    def update(data):
        values, departments = form.issue_data()
        return services.update_risk_issue(
            actor=request.user,
            issue=issue,
            expected_version=data["version"],
            data=values,
            other_departments=departments,
        )

    saved = save_form(form, update)
    if saved:
        messages.success(request, _("課題・リスク No.%(number)s を保存しました。") % {"number": saved.number})
        return redirect(_next_url(request, reverse("migration:issue_detail", args=[saved.id])))
    return render(
        request,
        "migration/issue_form.html",
        {"project": project, "form": form, "issue": issue, "next": _next_url(request, "")},
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def issue_detail(request, issue_id):
    issue = selectors.issue_detail(request.user, issue_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_risk_issue_comment(actor=request.user, issue=issue, body=form.cleaned_data["body"])
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("コメントを投稿しました。"))
                return redirect(reverse("migration:issue_detail", args=[issue.id]) + "#comments")
    records = issue.history.select_related("history_user").order_by("id", "history_date", "history_id")
    return render(
        request,
        "migration/issue_detail.html",
        {
            "issue": issue,
            "form": form,
            "today": selectors.today(),
            "can_edit": report_perms.can_edit_issue(request.user, issue.project),
            "can_comment": report_perms.can_comment_issue(request.user, issue),
            "history": _history(RiskIssue, records, lambda r: _("課題・リスク")),
        },
        status=400 if form.errors else 200,
    )
