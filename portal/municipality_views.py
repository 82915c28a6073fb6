"""団体の設定: the DX office's page for its municipality's settings and departments."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import services
from portal.decorators import municipal_user_required
from portal.models import Department, Municipality
from portal.permissions import can_manage_municipality
from portal.views_helpers import save_form


class MunicipalitySettingsForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = services.MUNICIPALITY_SETTING_FIELDS


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "sort_order"]


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def municipality_settings(request):
    municipality = request.user.municipality
    if municipality is None or not can_manage_municipality(request.user, municipality.id):
        raise PermissionDenied(_("団体の設定を変更できるのは事務局です。"))
    form = MunicipalitySettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=municipality
    )
    department_form = DepartmentForm(request.POST if request.POST.get("form") == "department" else None)
    if save_form(
        form,
        lambda data: services.update_municipality_settings(actor=request.user, municipality=municipality, data=data),
    ):
        messages.success(request, _("団体の設定を保存しました。"))
        return redirect("municipality_settings")

    def save_department(data):
        target = None
        if request.POST.get("department_id"):
            target = get_object_or_404(Department, pk=request.POST["department_id"], municipality=municipality)
        return services.save_department(actor=request.user, municipality=municipality, department=target, **data)

    if department := save_form(department_form, save_department):
        messages.success(request, _("部署「%(name)s」を保存しました。") % {"name": department.name})
        return redirect("municipality_settings")
    municipality.refresh_from_db()
    return render(
        request,
        "portal/municipality_settings.html",
        {
            "municipality": municipality,
            "form": form,
            "department_form": department_form,
            "departments": municipality.departments.all(),
        },
    )
