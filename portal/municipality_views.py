"""団体の設定: the DX office's page for its municipality's settings and departments."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal import services
from portal.decorators import municipal_user_required
from portal.models import Department, Municipality
from portal.permissions import can_manage_municipality
from portal.views_helpers import add_validation_errors


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
        raise PermissionDenied("団体の設定を変更できるのは事務局です。")
    form = MunicipalitySettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=municipality
    )
    department_form = DepartmentForm(request.POST if request.POST.get("form") == "department" else None)
    try:
        if form.is_bound and form.is_valid():
            services.update_municipality_settings(actor=request.user, municipality=municipality, data=form.cleaned_data)
            messages.success(request, "団体の設定を保存しました。")
            return redirect("municipality_settings")
        if department_form.is_bound and department_form.is_valid():
            target = None
            if request.POST.get("department_id"):
                target = get_object_or_404(Department, pk=request.POST["department_id"], municipality=municipality)
            services.save_department(
                actor=request.user, municipality=municipality, department=target, **department_form.cleaned_data
            )
            messages.success(request, f"部署「{department_form.cleaned_data['name']}」を保存しました。")
            return redirect("municipality_settings")
    except ValidationError as error:
        add_validation_errors(department_form if department_form.is_bound else form, error)
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
