from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import selectors
from portal.decorators import municipal_user_required
from portal.permissions import Role


@login_required
def home(request):
    if request.user.role == Role.VENDOR and not request.user.is_superuser:
        return render(request, "portal/vendor_home.html")
    if request.user.role == Role.OVERSIGHT:
        return redirect("dashboard:oversight")
    if request.user.is_superuser or request.user.role in (Role.DX_OFFICE, Role.MANAGER):
        return redirect("dashboard:home")
    return redirect("migration:project_list")


@login_required
@municipal_user_required
def job_list(request):
    return render(request, "portal/job_list.html", {"jobs": selectors.visible_jobs(request.user)[:50]})


@login_required
@municipal_user_required
def job_detail(request, job_id):
    job = selectors.job_detail(request.user, job_id)
    template = "portal/_job_status.html" if request.htmx else "portal/job_detail.html"
    return render(request, template, {"job": job})


@login_required
@municipal_user_required
def job_download(request, job_id):
    job = selectors.job_detail(request.user, job_id)
    if not job.result_file:
        raise Http404(_("ファイルはまだありません。"))
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)
