from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fitgap import permissions as perms
from fitgap import selectors, services
from fitgap.forms import (
    BulkForm,
    CatalogueImportForm,
    GapItemForm,
    ItemFilterForm,
    MoveCatalogueForm,
    NewItemForm,
    StartAnalysisForm,
    SurveyImportForm,
)
from fitgap.models import Analysis, GapItem
from portal.concurrency import StaleObjectError
from portal.decorators import municipal_user_required
from portal.imports import ImportRejected
from portal.services import start_job
from portal.views_helpers import add_validation_errors, save_form


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@municipal_user_required
def home(request):
    """Fit & Gap: the whole municipality's counts, each project's, and the urgent high-impact gaps."""
    total, projects = selectors.municipality_summary(request.user)
    municipality_id = request.user.municipality_id
    show_alerts = perms.can_see_alerts(request.user, municipality_id)
    return render(
        request,
        "fitgap/home.html",
        {
            "total": total,
            "projects": projects,
            "urgent": list(selectors.urgent_gaps(request.user)) if show_alerts else None,
            "alert_days": selectors.ALERT_DAYS,
            "today": selectors.today(),
            "can_manage": perms.can_manage_catalogues(request.user, municipality_id),
        },
    )


# --- catalogues ----------------------------------------------------------------------------


@login_required
@municipal_user_required
def catalogue_list(request):
    catalogues = selectors.visible_catalogues(request.user).order_by("operation__number", "-imported_at")
    return render(
        request,
        "fitgap/catalogue_list.html",
        {
            "catalogues": catalogues,
            "can_manage": perms.can_manage_catalogues(request.user, request.user.municipality_id),
        },
    )


@login_required
@municipal_user_required
def catalogue_template(request):
    from fitgap.exports import catalogue_template as build

    return _xlsx_response(build(), "要件一覧_様式.xlsx")


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request):
    municipality = request.user.municipality
    if not perms.can_manage_catalogues(request.user, municipality.id):
        raise PermissionDenied(_("標準仕様書を取り込めるのは事務局です。"))
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            catalogue, diff = services.import_catalogue(
                actor=request.user,
                municipality=municipality,
                operation=data["operation"],
                title=data["title"],
                version_label=data["version_label"],
                published_on=data["published_on"],
                file=data["file"],
            )
        except ImportRejected as rejected:
            problems = rejected.problems
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if diff.previous:
                message = _(
                    "%(catalogue)sを取り込みました（前の版 %(previous)s から 追加 %(added)s件・変更 %(changed)s件・"
                    "削除 %(removed)s件）。"
                ) % {
                    "catalogue": catalogue,
                    "previous": diff.previous.version_label,
                    "added": len(diff.added),
                    "changed": len(diff.changed),
                    "removed": len(diff.removed),
                }
            else:
                message = _("%(catalogue)sを取り込みました。") % {"catalogue": catalogue}
            messages.success(request, message)
            return redirect("fitgap:catalogue_detail", catalogue_id=catalogue.id)
    status = 400 if request.method == "POST" else 200
    return render(request, "fitgap/catalogue_import.html", {"form": form, "problems": problems}, status=status)


@login_required
@municipal_user_required
def catalogue_detail(request, catalogue_id):
    catalogue = selectors.catalogue_detail(request.user, catalogue_id)
    requirements = list(catalogue.requirements.all())
    diff = services.catalogue_diff(catalogue.previous, catalogue)
    return render(
        request,
        "fitgap/catalogue_detail.html",
        {
            "catalogue": catalogue,
            "requirements": requirements,
            "diff": diff,
            "changed_ids": {new.id for _old, new, _change in diff.changed},
            "added_ids": {r.id for r in diff.added},
            "analyses": catalogue.analyses.select_related("project__operation", "project__department"),
        },
    )


# --- a project's analysis --------------------------------------------------------------------


def _project(request, project_id):
    from migration.selectors import project_detail

    return project_detail(request.user, project_id)


def _analysis(project):
    return (
        Analysis.objects.select_related("catalogue", "project__operation", "project__department")
        .filter(project=project)
        .first()
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def analysis(request, project_id):
    """The table of a project's analysis: filters, inline editing, bulk change; or the start form."""
    project = _project(request, project_id)
    can_edit = perms.can_edit_analysis(request.user, project)
    current = _analysis(project)
    catalogues = selectors.visible_catalogues(request.user).filter(operation=project.operation).order_by("-imported_at")
    if current is None:
        form = StartAnalysisForm(request.POST or None, catalogues=catalogues)
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied(_("Fit & Gap分析を始められるのは業務主管課と事務局です。"))
            started = save_form(
                form,
                lambda data: services.start_analysis(actor=request.user, project=project, catalogue=data["catalogue"]),
            )
            if started:
                messages.success(
                    request,
                    _("%(catalogue)sとの比較分析を始めました（%(count)s行）。")
                    % {"catalogue": started.catalogue, "count": started.items.count()},
                )
                return redirect("fitgap:analysis", project_id=project.id)
        return render(
            request,
            "fitgap/analysis_start.html",
            {"project": project, "form": form, "can_edit": can_edit, "catalogues": catalogues},
        )
    filters = ItemFilterForm(request.GET or None)
    items = selectors.filter_items(
        current.items.select_related("requirement", "risk_issue"), filters.params() if request.GET else {}
    )
    today = selectors.today()
    rows = list(items)
    newer = [c for c in catalogues if c.imported_at > current.catalogue.imported_at]
    return render(
        request,
        "fitgap/analysis.html",
        {
            "project": project,
            "analysis": current,
            "items": rows,
            "overdue_ids": {i.id for i in rows if i.is_overdue(today)},
            "summary": selectors.analysis_summary(current),
            "filters": filters,
            "can_edit": can_edit,
            "bulk_form": BulkForm(),
            "import_form": SurveyImportForm(),
            "newer": newer,
            "today": today,
        },
    )


@login_required
@municipal_user_required
def analysis_summary(request, project_id):
    """The counts of one analysis (htmx: reloaded after a row is saved in place)."""
    project = _project(request, project_id)
    current = _analysis(project)
    if current is None:
        return redirect("fitgap:analysis", project_id=project.id)
    return render(request, "fitgap/_summary.html", {"summary": selectors.analysis_summary(current)})


def _item(request, project_id, item_id, *, edit=True):
    item = selectors.item_detail(request.user, project_id, item_id)
    if edit and not perms.can_edit_analysis(request.user, item.analysis.project):
        raise PermissionDenied(_("この分析を更新できるのは業務主管課と事務局です。"))
    return item


@login_required
@municipal_user_required
def item_row(request, project_id, item_id):
    """One table row (htmx: the 「キャンセル」 of an inline edit)."""
    item = _item(request, project_id, item_id, edit=False)
    today = selectors.today()
    return render(
        request,
        "fitgap/_item_row.html",
        {
            "item": item,
            "project": item.analysis.project,
            "can_edit": perms.can_edit_analysis(request.user, item.analysis.project),
            "overdue_ids": {item.id} if item.is_overdue(today) else set(),
        },
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def item_edit(request, project_id, item_id):
    """The judgement fields of a row: swapped into the table with htmx, or a page of its own."""
    item = _item(request, project_id, item_id)
    project = item.analysis.project
    form = GapItemForm(request.POST or None, instance=item)
    saved = save_form(
        form,
        lambda data: services.update_item(
            actor=request.user, item=item, expected_version=data["version"], data=form.changed_values()
        ),
    )
    if saved:
        if request.htmx:
            today = selectors.today()
            response = render(
                request,
                "fitgap/_item_row.html",
                {
                    "item": selectors.item_detail(request.user, project_id, item_id),
                    "project": project,
                    "can_edit": True,
                    "overdue_ids": {saved.id} if saved.is_overdue(today) else set(),
                    "saved": True,
                },
            )
            response["HX-Trigger"] = "fitgapChanged"  # the summary above the table reloads itself
            return response
        messages.success(
            request, _("%(key)s「%(title)s」を保存しました。") % {"key": saved.key, "title": saved.display_title}
        )
        return redirect(reverse("fitgap:analysis", args=[project.id]) + f"#item-{saved.id}")
    if request.htmx:  # keyboard users land in the form that replaced the row
        first = next(f for f in form.fields.values() if not f.widget.is_hidden)
        first.widget.attrs["autofocus"] = True
    template = "fitgap/_item_form_row.html" if request.htmx else "fitgap/item_form.html"
    return render(
        request,
        template,
        {"item": item, "form": form, "project": project},
        status=400 if form.errors and not request.htmx else 200,  # htmx swaps only 2xx answers
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def item_create(request, project_id):
    project = _project(request, project_id)
    if not perms.can_edit_analysis(request.user, project):
        raise PermissionDenied(_("この分析に行を追加できるのは業務主管課と事務局です。"))
    current = _analysis(project)
    if current is None:
        return redirect("fitgap:analysis", project_id=project.id)
    form = NewItemForm(request.POST or None, initial={"kind": request.GET.get("kind", GapItem.Kind.CUSTOMISATION)})
    item = save_form(
        form,
        lambda data: services.add_item(
            actor=request.user, analysis=current, kind=data["kind"], key=data["key"], data=form.item_data()
        ),
    )
    if item:
        messages.success(
            request,
            _("%(kind)sの行 %(key)s「%(title)s」を追加しました。")
            % {"kind": item.get_kind_display(), "key": item.key, "title": item.title},
        )
        return redirect(reverse("fitgap:analysis", args=[project.id]) + f"#item-{item.id}")
    return render(
        request, "fitgap/item_create.html", {"project": project, "form": form}, status=400 if form.errors else 200
    )


@login_required
@municipal_user_required
@require_POST
def bulk_change(request, project_id):
    project = _project(request, project_id)
    if not perms.can_edit_analysis(request.user, project):
        raise PermissionDenied(_("この分析を更新できるのは業務主管課と事務局です。"))
    current = _analysis(project)
    if current is None:
        return redirect("fitgap:analysis", project_id=project.id)
    form = BulkForm(request.POST)
    if request.POST.get("scope") == "shown":  # every row shown in the (filtered) table carries its version
        ids = [int(k[8:]) for k in request.POST if k.startswith("version-") and k[8:].isdigit()]
    else:
        ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
    back = reverse("fitgap:analysis", args=[project.id])
    if not ids:
        messages.error(request, _("一括変更する行をチェックボックスで選んでください。"))
        return redirect(back)
    if not form.is_valid():
        messages.error(
            request, "、".join(form.non_field_errors() or [e for errs in form.errors.values() for e in errs])
        )
        return redirect(back)
    items = {i.id: i for i in current.items.filter(pk__in=ids)}
    rows = []
    for item_id in ids:
        if item_id in items:
            version = request.POST.get(f"version-{item_id}", "")
            if not version.isdigit():  # without the version the user saw, a newer save would be overwritten
                messages.error(
                    request,
                    _(
                        "一括変更できませんでした（どの行も変更されていません）: 選んだ行の版数が送られていません。"
                        "分析表を読み込み直してから、もう一度行を選んでください。"
                    ),
                )
                return redirect(back)
            rows.append((items[item_id], int(version)))
    try:
        count = services.bulk_update(
            actor=request.user,
            analysis=current,
            rows=rows,
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
        )
    except StaleObjectError as conflict:
        messages.error(request, _("一括変更できませんでした（どの行も変更されていません）。") + conflict.message)
    except ValidationError as error:
        messages.error(
            request,
            _("一括変更できませんでした（どの行も変更されていません）: %(errors)s")
            % {"errors": "、".join(error.messages)},
        )
    else:
        messages.success(request, _("%(count)s行の担当者・対応期限を変更しました。") % {"count": count})
    return redirect(back)


@login_required
@municipal_user_required
@require_POST
def survey_export(request, project_id):
    project = _project(request, project_id)
    if _analysis(project) is None:
        return redirect("fitgap:analysis", project_id=project.id)
    job = start_job(
        actor=request.user,
        municipality=project.municipality,
        kind="fitgap.survey",
        params={"project": project.id, "shared": bool(request.POST.get("shared"))},
    )
    return redirect("job_detail", job_id=job.id)


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def survey_import(request, project_id):
    project = _project(request, project_id)
    if not perms.can_edit_analysis(request.user, project):
        raise PermissionDenied(_("調査票を取り込めるのは業務主管課と事務局です。"))
    current = _analysis(project)
    if current is None:
        return redirect("fitgap:analysis", project_id=project.id)
    form = SurveyImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_survey(actor=request.user, analysis=current, file=form.cleaned_data["file"])
        except ImportRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                _("調査票を取り込みました（更新 %(updated)s行、追加 %(created)s行）。")
                % {"updated": result["updated"], "created": result["created"]},
            )
            return redirect("fitgap:analysis", project_id=project.id)
    return render(
        request,
        "fitgap/survey_import.html",
        {"project": project, "analysis": current, "form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@municipal_user_required
@require_http_methods(["GET", "POST"])
def move_catalogue(request, project_id):
    project = _project(request, project_id)
    if not perms.can_edit_analysis(request.user, project):
        raise PermissionDenied(_("分析の版を更新できるのは業務主管課と事務局です。"))
    current = _analysis(project)
    if current is None:
        return redirect("fitgap:analysis", project_id=project.id)
    catalogues = (
        selectors.visible_catalogues(request.user).filter(operation=project.operation).exclude(pk=current.catalogue_id)
    )
    form = MoveCatalogueForm(request.POST or None, catalogues=catalogues, initial={"version": current.version})
    result = save_form(
        form,
        lambda data: services.move_to_catalogue(
            actor=request.user, analysis=current, catalogue=data["catalogue"], expected_version=data["version"]
        ),
    )
    if result:
        messages.success(
            request,
            _(
                "比較する標準仕様書の版を更新しました（引継ぎ %(kept)s行、要確認 %(review)s行、"
                "追加 %(added)s行、削除 %(removed)s行）。"
            )
            % {
                "kept": result["kept"],
                "review": result["review"],
                "added": result["added"],
                "removed": result["removed"],
            },
        )
        return redirect("fitgap:analysis", project_id=project.id)
    diffs = [(c, services.catalogue_diff(current.catalogue, c)) for c in catalogues]
    return render(
        request,
        "fitgap/move_catalogue.html",
        {"project": project, "analysis": current, "form": form, "diffs": diffs},
        status=400 if form.errors else 200,
    )


@login_required
@municipal_user_required
@require_POST
def item_delete(request, project_id, item_id):
    item = _item(request, project_id, item_id)
    version = request.POST.get("version", "")
    try:
        services.delete_item(actor=request.user, item=item, expected_version=int(version) if version.isdigit() else 0)
    except StaleObjectError as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        messages.success(
            request,
            _("%(kind)sの行 %(key)s「%(title)s」を削除しました。")
            % {"kind": item.get_kind_display(), "key": item.key, "title": item.title},
        )
    return redirect("fitgap:analysis", project_id=project_id)


@login_required
@municipal_user_required
@require_POST
def raise_issue(request, project_id, item_id):
    item = _item(request, project_id, item_id)
    try:
        issue = services.raise_risk_issue(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        messages.success(request, _("課題管理表に No.%(number)s として起票しました。") % {"number": issue.number})
    return redirect(reverse("fitgap:analysis", args=[project_id]) + f"#item-{item.id}")
