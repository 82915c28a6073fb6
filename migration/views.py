from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from migration import selectors, services
from migration.forms import ProjectCreateForm, ProjectFilterForm, ProjectForm, StepProgressForm
from portal.decorators import municipal_user_required
from portal.permissions import can_edit_project, can_manage_municipality
from portal.services import start_job
from portal.views_helpers import save_form


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
@require_POST
def project_list_export(request):
    job = start_job(
        actor=request.user,
        municipality=request.user.municipality,
        kind="migration.project_list",
        params={
            "department": request.POST.get("department") or None,
            "late_only": bool(request.POST.get("late_only")),
        },
    )
    return redirect("job_detail", job_id=job.id)


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
        raise PermissionDenied("案件情報を変更できるのは事務局です。")
    form = ProjectForm(request.POST or None, instance=project)
    saved = save_form(
        form,
        lambda data: services.update_project(
            actor=request.user, project=project, expected_version=data["version"], data=form.changed_values()
        ),
    )
    if saved:
        messages.success(request, "案件情報を保存しました。")
        return redirect("migration:project_detail", project_id=project.id)
    return render(request, "migration/project_form.html", {"project": project, "form": form})


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def step_edit(request, project_id, step_number):
    """The step form: a table row swapped in place with htmx, or a page of its own without JavaScript."""
    progress = selectors.step_progress_detail(request.user, project_id, step_number)
    if not can_edit_project(request.user, progress.project):
        raise PermissionDenied("この案件の手順を更新できるのは事務局と業務主管課です。")
    form = StepProgressForm(request.POST or None, instance=progress)
    saved = save_form(
        form,
        lambda data: services.update_step_progress(
            actor=request.user, progress=progress, expected_version=data["version"], data=form.changed_values()
        ),
    )
    if saved:
        messages.success(request, f"手順{progress.step.number}「{progress.step.name}」を保存しました。")
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
        raise PermissionDenied("移行案件を追加できるのは事務局です。")
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
        messages.success(request, f"「{project.operation.name}」の移行案件を追加しました（17の作業手順を作成）。")
        return redirect("migration:project_detail", project_id=project.id)
    return render(request, "migration/project_create.html", {"form": form})
