"""Gantt pages: the portfolio, one project, step edits from a bar, 標準工程, baselines, milestones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from migration import selectors as migration_selectors
from migration.forms import StepProgressForm
from migration.services import update_step_progress
from portal.concurrency import StaleObjectError
from portal.decorators import municipal_user_required
from portal.models import Department
from portal.permissions import can_edit_project, can_manage_municipality
from portal.services import start_job
from portal.views_helpers import add_validation_errors, save_form
from schedules import rules, selectors, services
from schedules.forms import BaselineForm, MilestoneForm, PortfolioFilterForm, ScheduleViewForm


def _is_dx(user) -> bool:
    return bool(user.municipality_id) and can_manage_municipality(user, user.municipality_id)


def _own_municipality(user):
    if not user.municipality_id:
        raise PermissionDenied(_("団体に所属する利用者で操作してください。"))
    return user.municipality


@login_required
@municipal_user_required
def portfolio(request):
    """全案件のガントチャート: one row per project (phases as segments), expandable to steps."""
    form = PortfolioFilterForm(
        request.GET,
        departments=Department.objects.filter(municipality_id=request.user.municipality_id),
        baselines=selectors.visible_baselines(request.user),
    )
    department = form.value("department")
    schedule = selectors.portfolio_schedule(
        request.user,
        zoom=form.value("zoom", "month"),
        baseline=form.value("baseline"),
        department_id=department.id if department else None,
        group=form.value("group"),
        late_only=bool(form.value("late_only")),
        difficult_only=bool(form.value("difficult_only")),
        group_by=form.value("group_by", "department"),
    )
    context = {"schedule": schedule, "form": form, "is_dx": _is_dx(request.user), "query": request.GET.urlencode()}
    if request.htmx and request.htmx.target == "schedule":
        return render(request, "schedules/_portfolio_body.html", context)
    return render(request, "schedules/portfolio.html", context)


@login_required
@municipal_user_required
def project_gantt(request, project_id):
    """One project's Gantt: the 17 steps by phase, planned and actual bars, milestones, forecast."""
    form = ScheduleViewForm(request.GET, baselines=selectors.visible_baselines(request.user))
    baseline = form.value("baseline")
    schedule = selectors.project_schedule(request.user, project_id, zoom=form.value("zoom", "month"), baseline=baseline)
    gantt = schedule.projects[0]
    context = {
        "schedule": schedule,
        "gantt": gantt,
        "project": gantt.project,
        "form": form,
        "is_dx": _is_dx(request.user),
        "shifts": selectors.baseline_differences(request.user, baseline, project_id=project_id) if baseline else None,
        "can_plan": gantt.can_edit
        and gantt.project.target_go_live
        and not rules.has_planned_dates([row.progress for row in gantt.steps]),
        "query": request.GET.urlencode(),
    }
    if request.htmx and request.htmx.target == "schedule":
        return render(request, "schedules/_project_body.html", context)
    return render(request, "schedules/project.html", context)


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def step_edit(request, project_id, step_number):
    """The small form behind a bar: the step's dates and status, saved by the migration service."""
    progress = migration_selectors.step_progress_detail(request.user, project_id, step_number)
    if not can_edit_project(request.user, progress.project):
        raise PermissionDenied(_("この案件の手順を更新できるのは事務局と業務主管課です。"))
    form = StepProgressForm(request.POST or None, instance=progress)
    saved = save_form(
        form,
        lambda data: update_step_progress(
            actor=request.user, progress=progress, expected_version=data["version"], data=form.changed_values()
        ),
    )
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not back.startswith("/schedules/"):
        back = reverse("schedules:project", args=[project_id])
    if saved:
        messages.success(
            request,
            _("手順%(number)s「%(name)s」を保存しました。")
            % {"number": progress.step.number, "name": progress.step.name},
        )
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect(back)
    template = "schedules/_step_form.html" if request.htmx else "schedules/step_form.html"
    return render(request, template, {"progress": progress, "form": form, "project": progress.project, "next": back})


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def plan(request, project_id):
    """標準工程で計画を作成: a proposal laid backwards from the target go-live; saved only on POST."""
    project = migration_selectors.project_detail(request.user, project_id)
    if not can_edit_project(request.user, project):
        raise PermissionDenied(_("この案件の計画を作成できるのは事務局と業務主管課です。"))
    steps = list(project.step_progress.all())
    error = None
    try:
        proposal = services.propose_plan(project=project, steps=steps)
    except ValidationError as problem:
        proposal, error = [], " ".join(problem.messages)
    if request.method == "POST" and proposal:
        items = []
        for item in proposal:
            version = request.POST.get(f"version-{item.progress.step.number}", "")
            items.append(
                (
                    item.progress,
                    int(version) if version.isdecimal() else -1,
                    {"planned_start": item.planned_start, "planned_end": item.planned_end},
                )
            )
        try:
            count = services.apply_plan(actor=request.user, project=project, plan=items)
        except StaleObjectError as conflict:
            error = conflict.message
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("標準工程で%(count)s手順の予定日を保存しました。") % {"count": count})
            return redirect("schedules:project", project_id=project.id)
    return render(request, "schedules/plan.html", {"project": project, "proposal": proposal, "error": error})


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def baseline_list(request):
    is_dx = _is_dx(request.user)
    form = BaselineForm(request.POST or None)
    if request.method == "POST":
        if not is_dx:
            raise PermissionDenied(_("ベースラインを保存できるのは事務局です。"))
        baseline = save_form(
            form,
            lambda data: services.create_baseline(
                actor=request.user, municipality=_own_municipality(request.user), name=data["name"], note=data["note"]
            ),
        )
        if baseline:
            messages.success(
                request, _("現在の計画をベースライン「%(name)s」として保存しました。") % {"name": baseline.name}
            )
            return redirect("schedules:baseline_detail", baseline_id=baseline.id)
    return render(
        request,
        "schedules/baselines.html",
        {"baselines": selectors.visible_baselines(request.user), "form": form, "is_dx": is_dx},
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def baseline_detail(request, baseline_id):
    baseline = selectors.baseline_detail(request.user, baseline_id)
    if request.method == "POST":
        services.delete_baseline(actor=request.user, baseline=baseline)
        messages.success(request, _("ベースライン「%(name)s」を削除しました。") % {"name": baseline.name})
        return redirect("schedules:baseline_list")
    return render(
        request,
        "schedules/baseline_detail.html",
        {
            "baseline": baseline,
            "shifts": selectors.baseline_differences(request.user, baseline),
            "is_dx": _is_dx(request.user),
        },
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def milestone_list(request):
    """団体のマイルストーン (議会 sessions, …); 予算要求 dates come from the municipality's settings."""
    is_dx = _is_dx(request.user)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST":
        if not is_dx:
            raise PermissionDenied(_("団体のマイルストーンを登録できるのは事務局です。"))
        if form.is_valid():
            try:
                milestone = services.save_milestone(
                    actor=request.user, municipality=_own_municipality(request.user), data=form.cleaned_data
                )
            except ValidationError as problem:
                add_validation_errors(form, problem)
            else:
                messages.success(request, _("「%(name)s」を登録しました。") % {"name": milestone.name})
                return redirect("schedules:milestone_list")
    municipality = request.user.municipality
    years = sorted({selectors.fiscal_year(selectors.today()) + offset for offset in (-2, -1, 0, 1)})
    return render(
        request,
        "schedules/milestones.html",
        {
            "milestones": selectors.visible_milestones(request.user),
            "form": form,
            "is_dx": is_dx,
            "budget_dates": [(year, municipality.budget_request_date(year)) for year in years] if municipality else [],
        },
    )


@login_required
@municipal_user_required
@require_POST
def milestone_delete(request, milestone_id):
    milestone = get_object_or_404(selectors.visible_milestones(request.user), pk=milestone_id)
    services.delete_milestone(actor=request.user, milestone=milestone)
    messages.success(request, _("「%(name)s」を削除しました。") % {"name": milestone.name})
    return redirect("schedules:milestone_list")


@login_required
@municipal_user_required
@require_POST
def export(request):
    """スケジュール表 (Excel) of the portfolio or of one project, made as a recorded job."""
    params = {name: request.POST.get(name) or None for name in ("project", "department", "group", "baseline")}
    params.update(
        late_only=bool(request.POST.get("late_only")),
        difficult_only=bool(request.POST.get("difficult_only")),
        group_by=request.POST.get("group_by") or "department",
    )
    if params["project"]:
        if not params["project"].isdecimal():
            raise Http404(_("案件が見つかりません。"))
        # 404 unless it is a project the user can see
        params["project"] = migration_selectors.project_detail(request.user, int(params["project"])).id
    job = start_job(
        actor=request.user, municipality=_own_municipality(request.user), kind="schedules.workbook", params=params
    )
    return redirect("job_detail", job_id=job.id)
