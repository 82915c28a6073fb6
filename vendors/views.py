from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.concurrency import StaleObjectError
from portal.decorators import municipal_user_required
from portal.imports import ImportRejected
from portal.permissions import can_manage_municipality, require
from portal.views_helpers import add_validation_errors, save_form
from vendors import exports, selectors, services
from vendors import permissions as perms
from vendors.forms import (
    ContractForm,
    CriterionForm,
    FileForm,
    InviteForm,
    QuestionForm,
    ReopenForm,
    RfiForm,
    RfpForm,
    SelectionForm,
    VendorEditForm,
    VendorForm,
)
from vendors.models import (
    COST_CATEGORIES,
    OTHER_CATEGORIES,
    ContractDocument,
    CostKind,
    Environment,
    RfiAttachment,
    RfiResponse,
    RfiResponseFile,
    SystemType,
)


def _require_manage(request):
    require(can_manage_municipality(request.user, request.user.municipality_id), _("この操作は事務局が行います。"))


def vendor_user_required(view):
    def wrapper(request, *args, **kwargs):
        if not perms.is_vendor_user(request.user):
            raise PermissionDenied(_("このページはベンダの担当者向けです。"))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ---------------------------------------------------------------------------
# The DX office: vendors, contracts, RFIs and RFPs
# ---------------------------------------------------------------------------
@login_required
@municipal_user_required
def home(request):
    user = request.user
    return render(
        request,
        "vendors/home.html",
        {
            "warnings": selectors.contract_warnings(user),
            "warning_months": user.municipality.contract_warning_months if user.municipality_id else 6,
            "contracts": selectors.visible_contracts(user),
            "rfis": selectors.visible_rfis(user).prefetch_related("invitations"),
            "rfps": selectors.visible_rfps(user),
            "vendors": selectors.visible_vendors(user),
            "can_manage": can_manage_municipality(user, user.municipality_id),
        },
    )


@login_required
@municipal_user_required
def vendor_create(request):
    _require_manage(request)
    form = VendorForm(request.POST or None)
    vendor = save_form(form, lambda data: services.create_vendor(actor=request.user, **data))
    if vendor:
        messages.success(request, _("ベンダ「%(name)s」を登録しました。") % {"name": vendor.name})
        return redirect("vendors:vendor_detail", vendor_id=vendor.id)
    return render(request, "vendors/vendor_form.html", {"form": form})


@login_required
@municipal_user_required
def vendor_edit(request, vendor_id):
    _require_manage(request)
    vendor = get_object_or_404(selectors.visible_vendors(request.user), pk=vendor_id)
    form = VendorEditForm(request.POST or None, instance=vendor)

    def save(data):
        data = {k: v for k, v in data.items() if k != "version"}
        return services.update_vendor(
            actor=request.user, vendor=vendor, expected_version=form.cleaned_data["version"], data=data
        )

    saved = save_form(form, save)
    if saved:
        messages.success(request, _("ベンダ「%(name)s」を保存しました。") % {"name": saved.name})
        return redirect("vendors:vendor_detail", vendor_id=saved.id)
    return render(request, "vendors/vendor_form.html", {"form": form, "vendor": vendor})


@login_required
@municipal_user_required
def vendor_detail(request, vendor_id):
    vendor = get_object_or_404(selectors.visible_vendors(request.user), pk=vendor_id)
    can_manage = can_manage_municipality(request.user, request.user.municipality_id)
    invite_form = InviteForm(request.POST or None) if can_manage else None
    if request.method == "POST" and request.POST.get("resend"):
        _require_manage(request)
        staff = get_object_or_404(vendor.staff.all(), pk=request.POST["resend"])
        try:
            services.resend_invitation(actor=request.user, user=staff)
            messages.success(request, _("%(name)sさんに招待メールを再送しました。") % {"name": staff.last_name})
        except ValidationError as error:
            messages.error(request, "".join(error.messages))
        return redirect("vendors:vendor_detail", vendor_id=vendor.id)
    if request.method == "POST":
        _require_manage(request)
        user = save_form(
            invite_form, lambda data: services.invite_vendor_user(actor=request.user, vendor=vendor, **data)
        )
        if user:
            messages.success(
                request, _("%(name)sさんのアカウントを作成し、招待メールを送りました。") % {"name": user.last_name}
            )
            return redirect("vendors:vendor_detail", vendor_id=vendor.id)
    return render(
        request,
        "vendors/vendor_detail.html",
        {
            "vendor": vendor,
            "staff": vendor.staff.order_by("username"),
            "invite_form": invite_form,
            "can_manage": can_manage,
            "contracts": selectors.visible_contracts(request.user).filter(vendor=vendor),
        },
    )


@login_required
@municipal_user_required
def contract_edit(request, contract_id=None):
    _require_manage(request)
    contract = None
    if contract_id:
        contract = get_object_or_404(selectors.visible_contracts(request.user), pk=contract_id)
    form = ContractForm(request.POST or None, instance=contract, municipality=request.user.municipality)
    document_form = FileForm()

    def save(data):
        data = {k: v for k, v in data.items() if k != "version"}
        if contract is None:
            return services.create_contract(actor=request.user, municipality=request.user.municipality, **data)
        return services.update_contract(
            actor=request.user, contract=contract, expected_version=form.cleaned_data["version"], data=data
        )

    saved = save_form(form, save)
    if saved:
        messages.success(request, _("契約「%(name)s」を保存しました。") % {"name": saved})
        return redirect("vendors:contract_edit", contract_id=saved.id)
    return render(
        request, "vendors/contract_form.html", {"form": form, "contract": contract, "document_form": document_form}
    )


@login_required
@municipal_user_required
@require_POST
def contract_document_upload(request, contract_id):
    contract = get_object_or_404(selectors.visible_contracts(request.user), pk=contract_id)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_contract_document(actor=request.user, contract=contract, file=form.cleaned_data["file"])
            messages.success(request, _("契約書類を登録しました。"))
            return redirect("vendors:contract_edit", contract_id=contract.id)
        except ValidationError as error:
            add_validation_errors(form, error)
    contract_form = ContractForm(instance=contract, municipality=request.user.municipality)
    return render(
        request, "vendors/contract_form.html", {"form": contract_form, "contract": contract, "document_form": form}
    )


@login_required
@municipal_user_required
def rfi_edit(request, rfi_id=None):
    _require_manage(request)
    rfi = get_object_or_404(selectors.visible_rfis(request.user), pk=rfi_id) if rfi_id else None
    form = RfiForm(request.POST or None, instance=rfi, municipality=request.user.municipality)

    def save(data):
        data = {k: v for k, v in data.items() if k != "version"}
        if rfi is None:
            return services.create_rfi(actor=request.user, municipality=request.user.municipality, **data)
        return services.update_rfi(
            actor=request.user, rfi=rfi, expected_version=form.cleaned_data["version"], data=data
        )

    saved = save_form(form, save)
    if saved:
        messages.success(request, _("RFI「%(title)s」を保存しました。") % {"title": saved.title})
        return redirect("vendors:rfi_detail", rfi_id=saved.id)
    return render(request, "vendors/rfi_form.html", {"form": form, "rfi": rfi})


def _rfi_detail_context(request, rfi, **extra):
    invitations = rfi.invitations.select_related("vendor").prefetch_related("responses")
    rows = []
    for invitation in invitations:
        submitted = [r for r in invitation.responses.all() if r.state == RfiResponse.State.SUBMITTED]
        rows.append({"invitation": invitation, "submitted": submitted, "open": invitation.is_open(selectors.today())})
    return {
        "rfi": rfi,
        "rows": rows,
        "questions": rfi.questions.all(),
        "attachments": rfi.attachments.all(),
        "can_manage": perms.can_manage_rfi(request.user, rfi),
        "question_form": QuestionForm(),
        "file_form": FileForm(),
        "reopen_form": ReopenForm(),
        "past_deadline": rfi.is_past_deadline(selectors.today()),
        "suggestions": selectors.step_suggestions(rfi=rfi),
        **extra,
    }


@login_required
@municipal_user_required
def rfi_detail(request, rfi_id):
    rfi = get_object_or_404(selectors.visible_rfis(request.user), pk=rfi_id)
    return render(request, "vendors/rfi_detail.html", _rfi_detail_context(request, rfi))


@login_required
@municipal_user_required
@require_POST
def rfi_action(request, rfi_id, what):
    rfi = get_object_or_404(selectors.visible_rfis(request.user), pk=rfi_id)
    extra = {}
    try:
        if what == "send":
            services.send_rfi(actor=request.user, rfi=rfi, expected_version=int(request.POST.get("version") or 0))
            messages.success(request, _("RFIを送付し、依頼先のベンダに案内メールを送りました。"))
        elif what == "question":
            form = QuestionForm(request.POST)
            extra["question_form"] = form
            if not form.is_valid():
                raise ValidationError(_("追加する質問を入力してください。"))
            services.add_rfi_question(actor=request.user, rfi=rfi, text=form.cleaned_data["text"])
            messages.success(request, _("質問を追加しました。"))
        elif what == "delete_question":
            question = get_object_or_404(rfi.questions, pk=request.POST.get("question"))
            services.delete_rfi_question(actor=request.user, question=question)
            messages.success(request, _("問%(number)sを削除しました。") % {"number": question.number})
        elif what == "attachment":
            form = FileForm(request.POST, request.FILES)
            extra["file_form"] = form
            if not form.is_valid():
                raise ValidationError(_("添付するファイルを選んでください。"))
            services.add_rfi_attachment(actor=request.user, rfi=rfi, file=form.cleaned_data["file"])
            messages.success(request, _("添付資料を登録しました。"))
        elif what == "reopen":
            form = ReopenForm(request.POST)
            extra["reopen_form"] = form
            invitation = get_object_or_404(rfi.invitations, pk=request.POST.get("invitation"))
            if not form.is_valid():
                raise ValidationError(_("再受付の期限を日付で入力してください。"))
            services.reopen_invitation(actor=request.user, invitation=invitation, until=form.cleaned_data["until"])
            messages.success(request, _("%(name)sの回答を再受付にしました。") % {"name": invitation.vendor.name})
        else:
            raise Http404
    except (ValidationError, StaleObjectError) as error:
        problems = [error.message] if isinstance(error, StaleObjectError) else error.messages
        context = _rfi_detail_context(request, rfi, problems=problems, **extra)
        return render(request, "vendors/rfi_detail.html", context, status=400)
    return redirect("vendors:rfi_detail", rfi_id=rfi.id)


@login_required
@municipal_user_required
def rfi_comparison(request, rfi_id):
    rfi = get_object_or_404(selectors.visible_rfis(request.user), pk=rfi_id)
    return render(request, "vendors/rfi_comparison.html", {"rfi": rfi, **selectors.rfi_comparison(rfi)})


@login_required
@municipal_user_required
def rfi_comparison_export(request, rfi_id):
    rfi = get_object_or_404(selectors.visible_rfis(request.user), pk=rfi_id)
    content = exports.comparison_workbook(rfi)
    return _xlsx(content, f"RFI比較_{rfi.title}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def response_detail(request, response_id):
    """One version of a vendor's answer: the vendor's own staff, or the municipality's staff (submitted)."""
    response = get_object_or_404(selectors.visible_responses(request.user), pk=response_id)
    rfi = response.invitation.rfi
    cells = selectors.cost_cells(response)
    return render(
        request,
        "vendors/response_detail.html",
        {
            "response": response,
            "rfi": rfi,
            "question_rows": [
                (q, next((a for a in response.answers.all() if a.question_id == q.id), None))
                for q in rfi.questions.all()
            ],
            "sections": _cost_sections(cells, {}),
            "totals": _totals_rows(selectors.cost_totals(cells)),
            "is_vendor": perms.is_vendor_user(request.user),
        },
    )


@login_required
@municipal_user_required
def step_suggestions(request, kind, object_id):
    """Suggested updates of steps 5–11 after RFI/RFP events; the user ticks the ones to apply."""
    if kind == "rfi":
        source = get_object_or_404(selectors.visible_rfis(request.user), pk=object_id)
        suggestions = selectors.step_suggestions(rfi=source)
        back = ("vendors:rfi_detail", {"rfi_id": source.id})
    else:
        source = get_object_or_404(selectors.visible_rfps(request.user), pk=object_id)
        suggestions = selectors.step_suggestions(rfp=source)
        back = ("vendors:rfp_detail", {"rfp_id": source.id})
    problems = []
    if request.method == "POST":
        chosen = set(request.POST.getlist("apply"))
        try:
            applied = services.apply_step_suggestions(actor=request.user, suggestions=suggestions, chosen_keys=chosen)
        except (ValidationError, StaleObjectError, PermissionDenied) as error:
            problems = [getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)]))]
        else:
            messages.success(request, _("手順の進捗を%(count)s件更新しました。") % {"count": applied})
            return redirect(back[0], **back[1])
    return render(
        request,
        "vendors/step_suggestions.html",
        {
            "source": source,
            "kind": kind,
            "suggestions": suggestions,
            "problems": problems,
            "back_url": reverse(back[0], kwargs=back[1]),
        },
    )


@login_required
@municipal_user_required
def rfp_create(request):
    _require_manage(request)
    form = RfpForm(request.POST or None, municipality=request.user.municipality)
    rfp = save_form(
        form,
        lambda data: services.create_rfp(actor=request.user, municipality=request.user.municipality, **data),
    )
    if rfp:
        messages.success(
            request, _("RFP「%(title)s」を登録しました。評価基準を追加してください。") % {"title": rfp.title}
        )
        return redirect("vendors:rfp_detail", rfp_id=rfp.id)
    return render(request, "vendors/rfp_form.html", {"form": form})


@login_required
@municipal_user_required
def rfp_detail(request, rfp_id):
    rfp = get_object_or_404(selectors.visible_rfps(request.user).prefetch_related("criteria", "vendors"), pk=rfp_id)
    can_manage = can_manage_municipality(request.user, rfp.municipality_id)
    criterion_form = CriterionForm()
    selection_form = SelectionForm(rfp=rfp)
    problems = []
    what = request.POST.get("what") if request.method == "POST" else None
    if what == "criterion":
        criterion_form = CriterionForm(request.POST)
        if save_form(criterion_form, lambda data: services.add_criterion(actor=request.user, rfp=rfp, **data)):
            messages.success(request, _("評価基準を追加しました。"))
            return redirect("vendors:rfp_detail", rfp_id=rfp.id)
    elif what == "scores":
        scores = {}
        for criterion in rfp.criteria.all():
            for vendor in rfp.vendors.all():
                raw = request.POST.get(f"s_{criterion.id}_{vendor.id}", "").strip()
                # isdecimal, not isdigit: "²" is a digit but not a number int() reads.
                names = {"criterion": criterion.name, "vendor": vendor.name, "max": criterion.max_score}
                valid = raw.isdecimal() and len(raw.lstrip("0")) <= 9
                if raw and not raw.isdecimal():
                    problems.append(_("「%(criterion)s」（%(vendor)s）の点数は0以上の整数で入力してください。") % names)
                elif raw and not valid:
                    problems.append(
                        _("「%(criterion)s」（%(vendor)s）の点数は0〜%(max)sの範囲で入力してください。") % names
                    )
                scores[(criterion.id, vendor.id)] = int(raw) if raw and valid else None
        if not problems:
            try:
                services.save_scores(actor=request.user, rfp=rfp, scores=scores)
                messages.success(request, _("評価点を保存しました。"))
                return redirect("vendors:rfp_detail", rfp_id=rfp.id)
            except ValidationError as error:
                problems = error.messages
    elif what == "select":
        selection_form = SelectionForm(request.POST, rfp=rfp)

        def select(data):
            data = dict(data)
            return services.record_selection(actor=request.user, rfp=rfp, expected_version=data.pop("version"), **data)

        if save_form(selection_form, select):
            messages.success(request, _("選定結果を記録し、契約と移行パターンを更新しました。"))
            return redirect("vendors:rfp_detail", rfp_id=rfp.id)
    mine = selectors.evaluator_scores(rfp, request.user)
    if what == "scores":
        mine = {key: request.POST.get(f"s_{key[0]}_{key[1]}", "") for key in mine} | {
            (c.id, v.id): request.POST.get(f"s_{c.id}_{v.id}", "")
            for c in rfp.criteria.all()
            for v in rfp.vendors.all()
        }
    score_rows = [
        {"criterion": c, "cells": [(v, f"s_{c.id}_{v.id}", mine.get((c.id, v.id), "")) for v in rfp.vendors.all()]}
        for c in rfp.criteria.all()
    ]
    return render(
        request,
        "vendors/rfp_detail.html",
        {
            "rfp": rfp,
            "can_manage": can_manage,
            "can_evaluate": services.can_evaluate(request.user, rfp),
            "criterion_form": criterion_form,
            "selection_form": selection_form,
            "score_rows": score_rows,
            "ranking": selectors.rfp_ranking(rfp),
            "problems": problems,
            "suggestions": selectors.step_suggestions(rfp=rfp),
        },
        status=400 if (problems or (what and request.method == "POST")) else 200,
    )


# ---------------------------------------------------------------------------
# Vendor staff
# ---------------------------------------------------------------------------
@login_required
@vendor_user_required
def rfi_inbox(request):
    today = selectors.today()
    rows = []
    for invitation in (
        selectors.visible_invitations(request.user).prefetch_related("responses").order_by("-rfi__deadline")
    ):
        latest = max(invitation.responses.all(), key=lambda r: r.number, default=None)
        rows.append({"invitation": invitation, "latest": latest, "open": invitation.is_open(today)})
    return render(
        request,
        "vendors/rfi_inbox.html",
        {"rows": rows, "contracts": selectors.visible_contracts(request.user)},
    )


def _cost_sections(cells, posted):
    """The cost table as sections (区分 × 環境) of rows, for the answer form and the read-only view."""
    sections = []
    for system_type in SystemType:
        for environment in Environment:
            rows = []
            for code, kind, label in COST_CATEGORIES:
                key = (system_type.value, environment.value, code)
                name = f"c_{system_type.value}_{environment.value}_{code}"
                amount, description = cells.get(key, (None, ""))
                if posted:
                    amount, description = posted.get(name, ""), posted.get("d_" + name[2:], "")
                rows.append(
                    {
                        "kind": CostKind(kind).label,
                        "label": label,
                        "name": name,
                        "description_name": "d_" + name[2:],
                        "amount": "" if amount is None else amount,
                        "description": description,
                        "is_other": code in OTHER_CATEGORIES,
                    }
                )
            sections.append(
                {
                    "id": f"{system_type.value}-{environment.value}",
                    "title": f"{system_type.label}／{environment.label}",
                    "rows": rows,
                }
            )
    return sections


def _totals_rows(totals):
    total_label = _("合計")
    return [
        {
            "title": f"{total_label if s == 'all' else SystemType(s).label}／{Environment(e).label}",
            **values,
        }
        for (s, e), values in totals.items()
    ]


def _posted_answer(request, rfi):
    answers = {}
    for question in rfi.questions.all():
        answers[question.id] = (
            request.POST.get(f"q{question.id}_gov_cloud", ""),
            request.POST.get(f"q{question.id}_local_cloud", ""),
        )
    lines = []
    for system_type in SystemType.values:
        for environment in Environment.values:
            for code, _label, _help in COST_CATEGORIES:
                lines.append(
                    {
                        "system_type": system_type,
                        "environment": environment,
                        "category": code,
                        "amount": request.POST.get(f"c_{system_type}_{environment}_{code}", "").strip(),
                        "description": request.POST.get(f"d_{system_type}_{environment}_{code}", ""),
                    }
                )
    return answers, lines


def _posted_int(request, name) -> int | None:
    """A whole number from a hidden field, or None (never a 500 on "²" or a thousand digits)."""
    raw = request.POST.get(name, "").strip()
    return int(raw) if raw.isdecimal() and raw.isascii() and len(raw) <= 18 else None


@login_required
@vendor_user_required
def rfi_answer(request, rfi_id):
    invitation = get_object_or_404(selectors.visible_invitations(request.user), rfi_id=rfi_id)
    rfi = invitation.rfi
    responses = list(invitation.responses.order_by("-number"))
    latest = responses[0] if responses else None
    problems, import_problems, posted = [], [], None
    if request.method == "POST":
        what = request.POST.get("what", "save")
        based_on, version = _posted_int(request, "based_on"), _posted_int(request, "version")
        try:
            if what in ("save", "submit"):
                posted = request.POST
                answers, lines = _posted_answer(request, rfi)
                # Save and submit are one transaction: a refused submission saves nothing.
                write = services.save_and_submit_response if what == "submit" else services.save_response
                draft = write(
                    actor=request.user,
                    invitation=invitation,
                    answers=answers,
                    cost_lines=lines,
                    based_on_id=based_on,
                    expected_version=version,
                )
                if what == "submit":
                    messages.success(
                        request,
                        _("回答（第%(number)s版）を提出しました。受付メールを送りました。") % {"number": draft.number},
                    )
                else:
                    messages.success(request, _("下書き（第%(number)s版）を保存しました。") % {"number": draft.number})
                return redirect("vendors:rfi_answer", rfi_id=rfi.id)
            if what == "file":
                form = FileForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(_("添付するファイルを選んでください。"))
                services.add_response_file(
                    actor=request.user,
                    invitation=invitation,
                    file=form.cleaned_data["file"],
                    based_on_id=based_on,
                    expected_version=version,
                )
                messages.success(
                    request, _("ファイル「%(name)s」を添付しました。") % {"name": form.cleaned_data["file"].name}
                )
                return redirect("vendors:rfi_answer", rfi_id=rfi.id)
            if what == "remove_file":
                stored = get_object_or_404(
                    RfiResponseFile, pk=request.POST.get("file"), response__invitation=invitation
                )
                services.remove_response_file(actor=request.user, stored=stored)
                messages.success(request, _("ファイル「%(name)s」を外しました。") % {"name": stored.original_name})
                return redirect("vendors:rfi_answer", rfi_id=rfi.id)
            if what == "import":
                if "file" not in request.FILES:
                    raise ValidationError(_("費用表のExcelファイルを選んでください。"))
                services.import_cost_table(
                    actor=request.user,
                    invitation=invitation,
                    file=request.FILES["file"],
                    based_on_id=based_on,
                    expected_version=version,
                )
                messages.success(request, _("費用表を取り込みました。"))
                return redirect("vendors:rfi_answer", rfi_id=rfi.id)
        except ImportRejected as rejected:
            import_problems = rejected.problems
        except StaleObjectError as conflict:
            problems = [conflict.message]
        except ValidationError as error:
            problems = error.messages
        # Redraw with the version as it is now (someone may have saved meanwhile), so that the hidden
        # based_on/version are current and the next save does not report a false conflict.
        responses = list(invitation.responses.order_by("-number"))
        latest = responses[0] if responses else None
    answers = {a.question_id: a for a in latest.answers.all()} if latest else {}
    question_rows = []
    for question in rfi.questions.all():
        answer = answers.get(question.id)
        gov = posted.get(f"q{question.id}_gov_cloud", "") if posted else (answer.gov_cloud if answer else "")
        local = posted.get(f"q{question.id}_local_cloud", "") if posted else (answer.local_cloud if answer else "")
        question_rows.append({"question": question, "gov_cloud": gov, "local_cloud": local})
    cells = selectors.cost_cells(latest)
    return render(
        request,
        "vendors/rfi_answer.html",
        {
            "invitation": invitation,
            "rfi": rfi,
            "latest": latest,
            "responses": responses,
            "question_rows": question_rows,
            "sections": _cost_sections(cells, posted),
            "totals": _totals_rows(selectors.cost_totals(cells)),
            "open": invitation.is_open(selectors.today()),
            "file_form": FileForm(),
            "problems": problems,
            "import_problems": import_problems,
        },
        status=400 if (problems or import_problems) else 200,
    )


@login_required
@vendor_user_required
def cost_template(request, rfi_id):
    invitation = get_object_or_404(selectors.visible_invitations(request.user), rfi_id=rfi_id)
    latest = invitation.responses.order_by("-number").first()
    return _xlsx(services.cost_table_workbook(latest), f"費用表_{invitation.rfi.title}.xlsx")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link: a vendor user chooses a password (one-time, Django's reset token)."""

    template_name = "vendors/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("パスワードを設定しました。ログインしてください。"))
        return super().form_valid(form)


# ---------------------------------------------------------------------------
# Files: only through a permission check, with the original (Japanese) name
# ---------------------------------------------------------------------------
FILE_MODELS = {"contract": ContractDocument, "rfi": RfiAttachment, "response": RfiResponseFile}


@login_required
def download(request, kind, file_id):
    model = FILE_MODELS.get(kind)
    if model is None:
        raise Http404
    if kind == "contract":
        stored = get_object_or_404(
            model.objects.filter(contract__in=selectors.visible_contracts(request.user)), pk=file_id
        )
    elif kind == "rfi":
        stored = get_object_or_404(model.objects.filter(rfi__in=selectors.visible_rfis(request.user)), pk=file_id)
    else:
        stored = get_object_or_404(
            model.objects.filter(response__in=selectors.visible_responses(request.user)), pk=file_id
        )
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=stored.original_name)
