"""Writes for vendors, contracts, RFIs and RFPs. Every function takes the acting user."""

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.concurrency import StaleObjectError, claim_version
from portal.excel import in_default_language
from portal.imports import ImportProblem, ImportRejected
from portal.permissions import Role, can_manage_municipality, is_municipal_user, require
from portal.uploads import validate_upload
from vendors import permissions as perms
from vendors.models import (
    COST_CATEGORIES,
    COST_CATEGORY_KIND,
    OTHER_CATEGORIES,
    STANDARD_QUESTIONS,
    Contract,
    ContractDocument,
    CostKind,
    Environment,
    Rfi,
    RfiAnswer,
    RfiAttachment,
    RfiCostLine,
    RfiInvitation,
    RfiQuestion,
    RfiResponse,
    RfiResponseFile,
    Rfp,
    RfpCriterion,
    RfpScore,
    SystemType,
    Vendor,
)

CONTRACT_FIELDS = ["vendor", "package_name", "kind", "amount", "start_date", "end_date", "notes"]
VENDOR_FIELDS = ["name", "corporate_number", "address", "contact_name", "contact_email", "contact_phone"]
RFI_FIELDS = ["title", "description", "deadline"]
ALLOWED_FILES = {"pdf", "xlsx", "docx", "csv", "zip", "png", "jpg"}
REMIND_DAYS_BEFORE = 3


def _today() -> dt.date:
    return timezone.localdate()


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _vendor_recipients(vendor_id) -> list[str]:
    from portal.models import User

    return sorted(
        User.objects.filter(vendor_id=vendor_id, role=Role.VENDOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _check_projects(municipality, projects) -> None:
    if any(p.municipality_id != municipality.id for p in projects):
        raise ValidationError({"projects": _("対象の移行案件は同じ団体の案件から選んでください。")})


def _store(model, *, actor, file, **owner):
    """Check size and type by content, then keep the file under MEDIA_ROOT with its original name in the row."""
    try:
        kind = validate_upload(file, allowed=ALLOWED_FILES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    name = (getattr(file, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
    row = model(original_name=name, kind=kind, size=file.size, uploaded_by=actor, **owner)
    row.file.save(name, file, save=False)
    row.save()
    return row


# ---------------------------------------------------------------------------
# Vendors and their staff
# ---------------------------------------------------------------------------
@transaction.atomic
def create_vendor(*, actor, **fields) -> Vendor:
    """The vendor registry is shared; any DX office may add a company."""
    require(is_municipal_user(actor) and can_manage_municipality(actor, actor.municipality_id))
    vendor = Vendor(**{k: v for k, v in fields.items() if k in VENDOR_FIELDS})
    vendor.full_clean()
    vendor._history_user = actor
    vendor.save()
    return vendor


@transaction.atomic
def update_vendor(*, actor, vendor: Vendor, expected_version: int, data: dict) -> Vendor:
    """The shared registry: any DX office may correct a company's details (versioned)."""
    require(is_municipal_user(actor) and can_manage_municipality(actor, actor.municipality_id))
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    claim_version(vendor, expected_version)
    for name, value in data.items():
        if name not in VENDOR_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(vendor, name, value)
    vendor.full_clean()
    vendor._history_user = actor
    vendor.save()
    return vendor


def invitation_link(user) -> str:
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("vendors:set_password", kwargs={"uidb64": uid, "token": token})
    return f"{settings.PORTAL_BASE_URL}{path}"


@transaction.atomic
def invite_vendor_user(*, actor, vendor: Vendor, username: str, email: str, last_name: str, first_name: str = ""):
    """A staff account of a vendor, without a password: the invitation e-mail carries a one-time link
    (Django's password-reset token, invalid once the password is set) to choose one."""
    from portal.models import User

    require(is_municipal_user(actor) and can_manage_municipality(actor, actor.municipality_id))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("このログインIDは既に使われています。別のIDを入力してください。")})
    user = User(
        username=username,
        email=email,
        last_name=last_name,
        first_name=first_name,
        role=Role.VENDOR,
        vendor=vendor,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _send_account_mail(actor, user)
    return user


def _send_account_mail(actor, user) -> None:
    link = invitation_link(user)
    body = (
        f"{user.vendor.name} {user.last_name} 様\n\n"
        f"{actor.municipality or ''}の標準化移行管理ポータルのアカウントを作成しました。\n"
        f"ログインID: {user.username}\n\n"
        f"次のリンクからパスワードを設定してください（リンクは一度だけ使えます）。\n{link}\n"
    )
    _mail("【標準化移行管理ポータル】アカウントのご案内", body, [user.email])


@transaction.atomic
def resend_invitation(*, actor, user):
    """A new one-time link for a vendor user who has not set a password yet."""
    require(is_municipal_user(actor) and can_manage_municipality(actor, actor.municipality_id))
    if user.role != Role.VENDOR or not user.vendor_id:
        raise ValidationError(_("ベンダの担当者アカウントではありません。"))
    if user.has_usable_password():
        raise ValidationError(_("この担当者は既にパスワードを設定済みです。"))
    _send_account_mail(actor, user)
    return user


# ---------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------
@transaction.atomic
def create_contract(*, actor, municipality, projects=(), **fields) -> Contract:
    require(can_manage_municipality(actor, municipality.id))
    contract = Contract(municipality=municipality, **{k: v for k, v in fields.items() if k in CONTRACT_FIELDS})
    contract.full_clean()
    _check_projects(municipality, projects)
    contract._history_user = actor
    contract.save()
    contract.projects.set(projects)
    return contract


@transaction.atomic
def update_contract(*, actor, contract: Contract, expected_version: int, data: dict) -> Contract:
    require(can_manage_municipality(actor, contract.municipality_id))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    claim_version(contract, expected_version)
    projects = data.pop("projects", None)
    for name, value in data.items():
        if name not in CONTRACT_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(contract, name, value)
    contract.full_clean()
    contract._history_user = actor
    contract.save()
    if projects is not None:
        _check_projects(contract.municipality, projects)
        contract.projects.set(projects)
    return contract


@transaction.atomic
def add_contract_document(*, actor, contract: Contract, file) -> ContractDocument:
    require(can_manage_municipality(actor, contract.municipality_id))
    return _store(ContractDocument, actor=actor, file=file, contract=contract)


# ---------------------------------------------------------------------------
# RFI: the DX office's side
# ---------------------------------------------------------------------------
@transaction.atomic
def create_rfi(*, actor, municipality, title, deadline, description="", projects=(), vendors=()) -> Rfi:
    """A draft RFI with the standard questions of DOMAIN §7 pre-filled."""
    require(can_manage_municipality(actor, municipality.id))
    rfi = Rfi(municipality=municipality, title=title, description=description, deadline=deadline, created_by=actor)
    rfi.full_clean()
    _check_projects(municipality, projects)
    rfi._history_user = actor
    rfi.save()
    rfi.projects.set(projects)
    for number, text in enumerate(STANDARD_QUESTIONS, start=1):
        RfiQuestion.objects.create(rfi=rfi, number=number, text=text, is_standard=True)
    for vendor in vendors:
        RfiInvitation.objects.create(rfi=rfi, vendor=vendor)
    return rfi


@transaction.atomic
def update_rfi(*, actor, rfi: Rfi, expected_version: int, data: dict) -> Rfi:
    require(perms.can_manage_rfi(actor, rfi))
    rfi = Rfi.objects.select_for_update().get(pk=rfi.pk)
    claim_version(rfi, expected_version)
    projects = data.pop("projects", None)
    vendors = data.pop("vendors", None)
    for name, value in data.items():
        if name not in RFI_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(rfi, name, value)
    rfi.full_clean()
    rfi._history_user = actor
    rfi.save()
    if projects is not None:
        _check_projects(rfi.municipality, projects)
        rfi.projects.set(projects)
    if vendors is not None:
        current = set(rfi.invitations.values_list("vendor_id", flat=True))
        wanted = {v.id for v in vendors}
        removed = current - wanted
        if removed and RfiResponse.objects.filter(invitation__rfi=rfi, invitation__vendor_id__in=removed).exists():
            raise ValidationError({"vendors": _("回答を始めたベンダは依頼先から外せません。")})
        rfi.invitations.filter(vendor_id__in=removed).delete()
        for vendor_id in wanted - current:
            invitation = RfiInvitation.objects.create(rfi=rfi, vendor_id=vendor_id)
            if rfi.state == Rfi.State.SENT:
                _send_invitation_mail(invitation)
    return rfi


@transaction.atomic
def add_rfi_question(*, actor, rfi: Rfi, text: str) -> RfiQuestion:
    require(perms.can_manage_rfi(actor, rfi))
    if not text.strip():
        raise ValidationError({"text": _("質問の内容を入力してください。")})
    if rfi.state == Rfi.State.SENT:
        raise ValidationError(_("送付済みのRFIには質問を追加できません。"))
    number = (rfi.questions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return RfiQuestion.objects.create(rfi=rfi, number=number, text=text.strip())


@transaction.atomic
def delete_rfi_question(*, actor, question: RfiQuestion) -> None:
    require(perms.can_manage_rfi(actor, question.rfi))
    if question.rfi.state == Rfi.State.SENT:
        raise ValidationError(_("送付済みのRFIの質問は削除できません。"))
    question.delete()


@transaction.atomic
def add_rfi_attachment(*, actor, rfi: Rfi, file) -> RfiAttachment:
    require(perms.can_manage_rfi(actor, rfi))
    return _store(RfiAttachment, actor=actor, file=file, rfi=rfi)


def _send_invitation_mail(invitation: RfiInvitation) -> None:
    rfi = invitation.rfi
    body = (
        f"{invitation.vendor.name} ご担当者様\n\n"
        f"{rfi.municipality.name}から情報提供依頼（RFI）「{rfi.title}」が届いています。\n"
        f"回答期限: {rfi.deadline.year}年{rfi.deadline.month}月{rfi.deadline.day}日\n\n"
        f"{settings.PORTAL_BASE_URL}/vendor/rfis/{rfi.id}/ から回答してください。"
    )
    _mail(f"【情報提供依頼】{rfi.municipality.name}「{rfi.title}」", body, _vendor_recipients(invitation.vendor_id))


@transaction.atomic
def send_rfi(*, actor, rfi: Rfi, expected_version: int) -> Rfi:
    require(perms.can_manage_rfi(actor, rfi))
    rfi = Rfi.objects.select_for_update().get(pk=rfi.pk)
    if rfi.state == Rfi.State.SENT:
        raise ValidationError(_("このRFIは既に送付済みです。"))
    if not rfi.invitations.exists():
        raise ValidationError({"vendors": _("依頼先のベンダを1社以上選んでから送付してください。")})
    if rfi.deadline < _today():
        raise ValidationError({"deadline": _("回答期限が過ぎています。今日以降の日付にしてから送付してください。")})
    claim_version(rfi, expected_version)
    rfi.state = Rfi.State.SENT
    rfi.sent_at = timezone.now()
    rfi._history_user = actor
    rfi.save()
    for invitation in rfi.invitations.select_related("vendor", "rfi__municipality"):
        _send_invitation_mail(invitation)
    return rfi


@transaction.atomic
def reopen_invitation(*, actor, invitation: RfiInvitation, until: dt.date) -> RfiInvitation:
    """After the deadline: let one vendor answer again until the given day."""
    require(perms.can_manage_rfi(actor, invitation.rfi))
    if until < _today():
        raise ValidationError({"until": _("再受付の期限は今日以降の日付にしてください。")})
    invitation.reopened_until = until
    invitation.save(update_fields=["reopened_until"])
    rfi = invitation.rfi
    body = (
        f"{rfi.municipality.name}の情報提供依頼（RFI）「{rfi.title}」の回答を、"
        f"{until.year}年{until.month}月{until.day}日まで再受付します。"
    )
    _mail(f"【情報提供依頼】「{rfi.title}」回答の再受付", body, _vendor_recipients(invitation.vendor_id))
    return invitation


# ---------------------------------------------------------------------------
# RFI: the vendor's side
# ---------------------------------------------------------------------------
def _lock_invitation(actor, invitation) -> RfiInvitation:
    require(perms.can_answer(actor, invitation), _("このRFIに回答する権限がありません。"))
    invitation = (
        RfiInvitation.objects.select_for_update(of=("self",)).select_related("rfi__municipality").get(pk=invitation.pk)
    )
    if not invitation.is_open(_today()):
        raise ValidationError(
            _("回答期限を過ぎたため、回答は締め切られています。変更が必要な場合は依頼元の団体にご連絡ください。")
        )
    return invitation


def _working_draft(actor, invitation, based_on_id, expected_version) -> RfiResponse:
    """The draft to write to. After a submission a new version starts as a copy; earlier versions stay."""
    latest = invitation.responses.order_by("-number").first()
    if latest is None:
        return RfiResponse.objects.create(invitation=invitation, number=1)
    if based_on_id is not None and latest.id != based_on_id:
        raise ValidationError(
            _("この回答は他の担当者が先に更新しました。画面を開き直して、最新の内容を確認してください。")
        )
    if latest.state == RfiResponse.State.DRAFT:
        claim_version(latest, expected_version)
        return latest
    draft = RfiResponse.objects.create(invitation=invitation, number=latest.number + 1)
    for answer in latest.answers.all():
        RfiAnswer.objects.create(
            response=draft, question_id=answer.question_id, gov_cloud=answer.gov_cloud, local_cloud=answer.local_cloud
        )
    for line in latest.cost_lines.all():
        RfiCostLine.objects.create(
            response=draft,
            system_type=line.system_type,
            environment=line.environment,
            category=line.category,
            amount=line.amount,
            description=line.description,
        )
    for stored in latest.files.all():
        RfiResponseFile.objects.create(
            response=draft,
            file=stored.file.name,
            original_name=stored.original_name,
            kind=stored.kind,
            size=stored.size,
            uploaded_by=stored.uploaded_by,
        )
    return draft


MAX_AMOUNT = 10**15 - 1  # 999兆円: well inside the PositiveBigIntegerField column
DESCRIPTION_MAX = RfiCostLine._meta.get_field("description").max_length


def parse_amount(value) -> tuple[int | None, str | None]:
    """A cost amount as whole yen: (amount, None), or (None, a Japanese message saying what to fix).
    Text may have commas and full-width digits; never raises."""
    if isinstance(value, str):
        text = value.replace(",", "").replace("，", "").strip()
        negative = text[:1] in ("-", "－", "−")
        digits = text[1:] if negative else text
        if not digits.isdecimal():
            return None, _("金額は円単位の整数（数字のみ、カンマ可）で入力してください。")
        digits = digits.lstrip("0") or "0"
        if len(digits) > len(str(MAX_AMOUNT)):
            return None, _("金額が大きすぎます。%(max)s円以下で入力してください。") % {"max": f"{MAX_AMOUNT:,}"}
        value = -int(digits) if negative else int(digits)
    if isinstance(value, float):
        if not value.is_integer():
            return None, _("金額は円単位の整数で入力してください（小数は使えません）。")
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None, _("金額は円単位の整数で入力してください。")
    if value < 0:
        return None, _("金額は0円以上で入力してください。")
    if value > MAX_AMOUNT:
        return None, _("金額が大きすぎます。%(max)s円以下で入力してください。") % {"max": f"{MAX_AMOUNT:,}"}
    return value, None


def description_problem(description: str) -> str | None:
    if len(description) > DESCRIPTION_MAX:
        return _("その他費用の説明は%(max)s文字以内で入力してください（現在%(length)s文字）。") % {
            "max": DESCRIPTION_MAX,
            "length": len(description),
        }
    return None


def clean_cost_lines(lines) -> list[dict]:
    """Validate cost table entries: whole yen, 0 to MAX_AMOUNT, その他 with its 説明 (at most 500 characters).
    Errors name the cell."""
    cleaned, errors = [], []
    valid_codes = {code for code, _kind, _label in COST_CATEGORIES}
    for line in lines:
        system_type, environment, category = line.get("system_type"), line.get("environment"), line.get("category")
        if system_type not in SystemType.values or environment not in Environment.values or category not in valid_codes:
            errors.append(_("費用の区分・環境・費目の指定が正しくありません。"))
            continue
        where = cost_cell_label(system_type, environment, category)
        amount = line.get("amount")
        description = str(line.get("description") or "").strip()
        if problem := description_problem(description):
            errors.append(f"{where}: {problem}")
            continue
        if amount in (None, ""):
            if description:
                errors.append(_("%(cell)s: 説明を入れた場合は金額も入力してください。") % {"cell": where})
            continue
        amount, problem = parse_amount(amount)
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        if category in OTHER_CATEGORIES and amount > 0 and not description:
            errors.append(
                _("%(cell)s: 「その他」に金額を入れた場合は、その他費用の説明を入力してください。") % {"cell": where}
            )
            continue
        cleaned.append(
            {
                "system_type": system_type,
                "environment": environment,
                "category": category,
                "amount": amount,
                "description": description if category in OTHER_CATEGORIES else "",
            }
        )
    if errors:
        raise ValidationError({"cost_lines": errors})
    return cleaned


def cost_cell_label(system_type, environment, category) -> str:
    label = next(label for code, _kind, label in COST_CATEGORIES if code == category)
    kind = CostKind(COST_CATEGORY_KIND[category]).label
    return f"{SystemType(system_type).label}／{Environment(environment).label}／{kind}「{label}」"


@transaction.atomic
def save_response(
    *, actor, invitation: RfiInvitation, answers: dict | None = None, cost_lines=None,
    based_on_id: int | None = None, expected_version: int | None = None,
) -> RfiResponse:  # fmt: skip
    """Save the vendor's draft: answers {question_id: (gov_cloud, local_cloud)} and the whole cost table."""
    invitation = _lock_invitation(actor, invitation)
    cleaned = clean_cost_lines(cost_lines) if cost_lines is not None else None
    draft = _working_draft(actor, invitation, based_on_id, expected_version)
    if answers is not None:
        question_ids = set(invitation.rfi.questions.values_list("id", flat=True))
        for question_id, (gov_cloud, local_cloud) in answers.items():
            if int(question_id) not in question_ids:
                raise ValidationError(_("このRFIにない質問への回答は保存できません。"))
            RfiAnswer.objects.update_or_create(
                response=draft,
                question_id=int(question_id),
                defaults={"gov_cloud": gov_cloud or "", "local_cloud": local_cloud or ""},
            )
    if cleaned is not None:
        draft.cost_lines.all().delete()
        RfiCostLine.objects.bulk_create(RfiCostLine(response=draft, **line) for line in cleaned)
    draft._history_user = actor
    draft.save(update_fields=["updated_at"])
    return draft


@transaction.atomic
def add_response_file(*, actor, invitation: RfiInvitation, file, based_on_id=None, expected_version=None):
    invitation = _lock_invitation(actor, invitation)
    draft = _working_draft(actor, invitation, based_on_id, expected_version)
    stored = _store(RfiResponseFile, actor=actor, file=file, response=draft)
    return stored


@transaction.atomic
def remove_response_file(*, actor, stored: RfiResponseFile) -> None:
    invitation = _lock_invitation(actor, stored.response.invitation)
    if stored.response.state != RfiResponse.State.DRAFT:
        raise ValidationError(_("提出済みの版のファイルは削除できません。修正する場合は新しい版で差し替えてください。"))
    if stored.response.invitation_id != invitation.id:
        raise ValidationError(_("このファイルは削除できません。"))
    stored.delete()


class NotTheLatestDraft(StaleObjectError):
    """The version a vendor asked to submit is not the latest draft any more (API: 409)."""

    def __init__(self, current, text):
        super().__init__(current, [])
        self.text = text

    @property
    def message(self) -> str:
        return self.text


def not_latest_draft_problem(response: RfiResponse, latest: RfiResponse | None) -> str | None:
    """Why ``response`` cannot be submitted as the invitation's latest draft (None when it can)."""
    if latest is not None and latest.pk != response.pk:
        return _(
            "第%(number)s版より新しい第%(latest)s版があります。提出できるのは最新の下書きだけです。"
            "最新の版を読み込み直してから提出してください。"
        ) % {"number": response.number, "latest": latest.number}
    if response.state != RfiResponse.State.DRAFT:
        return _(
            "第%(number)s版は既に提出済みです。修正する場合は、保存して新しい版の下書きを作ってから提出してください。"
        ) % {"number": response.number}
    return None


@transaction.atomic
def submit_response(
    *, actor, invitation: RfiInvitation, expected_version: int, response_id: int | None = None
) -> RfiResponse:
    """Submit the latest draft. With ``response_id`` only if that version is still the latest draft."""
    invitation = _lock_invitation(actor, invitation)
    draft = invitation.responses.order_by("-number").first()
    if response_id is not None:
        response = invitation.responses.filter(pk=response_id).first()
        if response is None:
            raise ValidationError(_("この回答の版が見つかりません。画面を開き直してください。"))
        if problem := not_latest_draft_problem(response, draft):
            raise NotTheLatestDraft(draft, problem)
    if draft is None or draft.state != RfiResponse.State.DRAFT:
        raise ValidationError(_("提出する下書きがありません。回答を入力して保存してから提出してください。"))
    claim_version(draft, expected_version)
    unanswered = [
        q.number
        for q in invitation.rfi.questions.all()
        if not draft.answers.filter(question=q).exclude(gov_cloud="", local_cloud="").exists()
    ]
    if unanswered:
        numbers = pgettext("list separator", "、").join(_("問%(number)s") % {"number": n} for n in unanswered)
        raise ValidationError(
            _("%(questions)sが未回答です。少なくとも一方の環境について回答を入力してください。")
            % {"questions": numbers}
        )
    draft.state = RfiResponse.State.SUBMITTED
    draft.submitted_at = timezone.now()
    draft.submitted_by = actor
    draft._history_user = actor
    draft.save()
    rfi = invitation.rfi
    body = (
        f"{invitation.vendor.name} {actor.get_full_name() or actor.username} 様\n\n"
        f"{rfi.municipality.name}の情報提供依頼（RFI）「{rfi.title}」への回答（第{draft.number}版）を受け付けました。\n"
        f"受付日時: {timezone.localtime(draft.submitted_at):%Y年%m月%d日 %H:%M}\n"
        "回答期限までは修正して再提出できます（以前の版も記録されます）。"
    )
    recipients = sorted({*(_vendor_recipients(invitation.vendor_id)), *([actor.email] if actor.email else [])})
    _mail(f"【受付】「{rfi.title}」への回答を受け付けました", body, recipients)
    return draft


@transaction.atomic
def save_and_submit_response(
    *, actor, invitation: RfiInvitation, answers: dict | None = None, cost_lines=None,
    based_on_id: int | None = None, expected_version: int | None = None,
) -> RfiResponse:  # fmt: skip
    """Save the draft and submit it in one transaction: when the submission is refused (a question left
    unanswered, …) nothing is saved, so the page's version stays the current one."""
    draft = save_response(
        actor=actor, invitation=invitation, answers=answers, cost_lines=cost_lines,
        based_on_id=based_on_id, expected_version=expected_version,
    )  # fmt: skip
    return submit_response(actor=actor, invitation=invitation, expected_version=draft.version, response_id=draft.id)


# ---------------------------------------------------------------------------
# Cost table as an xlsx template (download and upload back)
# ---------------------------------------------------------------------------
COST_HEADERS = ["区分", "環境", "費用の種類", "費目", "金額（円）", "その他費用の説明", "コード"]


@in_default_language
def cost_table_workbook(response=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Protection

    from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, write_cell

    cells = {}
    if response is not None:
        cells = {(c.system_type, c.environment, c.category): c for c in response.cost_lines.all()}
    book = Workbook()
    sheet = book.active
    sheet.title = "費用"
    for column, header in enumerate(COST_HEADERS, start=1):
        cell = write_cell(sheet, 1, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True)
    row = 1
    for system_type in SystemType:
        for environment in Environment:
            for code, kind, label in COST_CATEGORIES:
                row += 1
                line = cells.get((system_type.value, environment.value, code))
                values = [
                    system_type.label,
                    environment.label,
                    CostKind(kind).label,
                    label,
                    line.amount if line else None,
                    line.description if line else "",
                    f"{system_type.value}:{environment.value}:{code}",
                ]
                for column, value in enumerate(values, start=1):
                    cell = write_cell(sheet, row, column, value)
                    cell.border = BORDER
                    if column in (5, 6):
                        cell.protection = Protection(locked=False)
                sheet.cell(row=row, column=5).number_format = "#,##0"
    for column, width in zip("ABCDEFG", [30, 24, 16, 20, 16, 40, 36], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # only 金額 and 説明 can be typed in
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@in_default_language
def read_cost_table(file) -> list[dict]:
    """All-or-nothing: every problem with its row and column, nothing saved if any."""
    from openpyxl import load_workbook

    try:
        validate_upload(file, allowed={"xlsx"})
    except ValidationError as error:
        raise ImportRejected([ImportProblem(None, "", m) for m in error.messages]) from error
    try:
        book = load_workbook(file, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise ImportRejected([ImportProblem(None, "", _("Excelファイルとして読み込めませんでした。"))]) from error
    sheet = book["費用"] if "費用" in book.sheetnames else book.active
    headers = [c.value for c in sheet[1]]
    if headers[: len(COST_HEADERS)] != COST_HEADERS:
        raise ImportRejected(
            [ImportProblem(1, "", _("見出し行が費用表のひな形と違います。ダウンロードしたひな形に入力してください。"))]
        )
    problems, lines, seen = [], [], set()
    for row_number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(v in (None, "") for v in row):
            continue
        code = row[6] if len(row) > 6 else None
        parts = str(code or "").split(":")
        if (
            len(parts) != 3
            or parts[0] not in SystemType.values
            or parts[1] not in Environment.values
            or parts[2] not in COST_CATEGORY_KIND
        ):
            problems.append(
                ImportProblem(row_number, "コード", _("コード列が読み取れません。ひな形の行を変更しないでください。"))
            )
            continue
        if code in seen:
            problems.append(ImportProblem(row_number, "コード", _("同じ費目の行が2回あります。")))
            continue
        seen.add(code)
        amount, description = row[4], str(row[5] or "").strip()
        if problem := description_problem(description):
            problems.append(ImportProblem(row_number, "その他費用の説明", problem))
            continue
        if amount in (None, ""):
            if description:
                problems.append(
                    ImportProblem(row_number, "金額（円）", _("説明を入れた場合は金額も入力してください。"))
                )
            continue
        amount, problem = parse_amount(amount)
        if problem:
            problems.append(ImportProblem(row_number, "金額（円）", problem))
            continue
        if parts[2] in OTHER_CATEGORIES and amount > 0 and not description:
            problems.append(
                ImportProblem(
                    row_number, "その他費用の説明", _("「その他」に金額を入れた場合は説明を入力してください。")
                )
            )
            continue
        lines.append(
            {
                "system_type": parts[0],
                "environment": parts[1],
                "category": parts[2],
                "amount": amount,
                "description": description,
            }
        )
    if problems:
        raise ImportRejected(problems)
    return lines


@transaction.atomic
def import_cost_table(*, actor, invitation: RfiInvitation, file, based_on_id=None, expected_version=None):
    lines = read_cost_table(file)
    return save_response(
        actor=actor, invitation=invitation, cost_lines=lines, based_on_id=based_on_id, expected_version=expected_version
    )


# ---------------------------------------------------------------------------
# Reminders (Celery beat: vendors.send_rfi_deadline_reminders)
# ---------------------------------------------------------------------------
def send_rfi_deadline_reminders(*, today: dt.date | None = None) -> int:
    """Three days before the deadline, remind invited vendors that have not submitted. Sent once."""
    today = today or _today()
    due = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    sent = 0
    # Up to three days ahead, so a missed daily run still reminds; reminder_sent_on makes it once only.
    invitations = RfiInvitation.objects.filter(
        rfi__state=Rfi.State.SENT, rfi__deadline__range=(today, due), reminder_sent_on__isnull=True
    ).select_related("rfi__municipality", "vendor")
    for invitation in invitations:
        with transaction.atomic():
            claimed = RfiInvitation.objects.filter(pk=invitation.pk, reminder_sent_on__isnull=True).update(
                reminder_sent_on=today
            )
            if not claimed:
                continue
            if invitation.responses.filter(state=RfiResponse.State.SUBMITTED).exists():
                continue
            rfi = invitation.rfi
            days_left = (rfi.deadline - today).days
            body = (
                f"{invitation.vendor.name} ご担当者様\n\n"
                f"{rfi.municipality.name}の情報提供依頼（RFI）「{rfi.title}」の回答期限は"
                f"{rfi.deadline.year}年{rfi.deadline.month}月{rfi.deadline.day}日です（あと{days_left}日）。\n"
                f"{settings.PORTAL_BASE_URL}/vendor/rfis/{rfi.id}/ から回答を提出してください。"
            )
            recipients = _vendor_recipients(invitation.vendor_id)
            _mail(f"【回答期限のお知らせ】「{rfi.title}」", body, recipients)
            sent += bool(recipients)
    return sent


# ---------------------------------------------------------------------------
# RFP, evaluation and selection
# ---------------------------------------------------------------------------
@transaction.atomic
def create_rfp(*, actor, municipality, title, rfi=None, projects=(), vendors=()) -> Rfp:
    require(can_manage_municipality(actor, municipality.id))
    if rfi is not None and rfi.municipality_id != municipality.id:
        raise ValidationError({"rfi": _("元のRFIは同じ団体のRFIから選んでください。")})
    rfp = Rfp(municipality=municipality, title=title, rfi=rfi)
    rfp.full_clean()
    _check_projects(municipality, projects)
    rfp._history_user = actor
    rfp.save()
    rfp.projects.set(projects)
    rfp.vendors.set(vendors)
    return rfp


@transaction.atomic
def add_criterion(*, actor, rfp: Rfp, name: str, weight: int, max_score: int = 5) -> RfpCriterion:
    require(can_manage_municipality(actor, rfp.municipality_id))
    criterion = RfpCriterion(rfp=rfp, name=name, weight=weight, max_score=max_score)
    criterion.full_clean()
    criterion.save()
    return criterion


def can_evaluate(actor, rfp) -> bool:
    """Evaluators: the DX office and the departments of the covered projects."""
    from portal.permissions import can_edit_project

    if can_manage_municipality(actor, rfp.municipality_id):
        return True
    return any(can_edit_project(actor, project) for project in rfp.projects.all())


@transaction.atomic
def save_scores(*, actor, rfp: Rfp, scores: dict) -> int:
    """The actor's own scores {(criterion_id, vendor_id): score or None}."""
    require(can_evaluate(actor, rfp), _("このRFPを評価する権限がありません。"))
    criteria = {c.id: c for c in rfp.criteria.all()}
    vendor_ids = set(rfp.vendors.values_list("id", flat=True))
    errors = []
    for (criterion_id, vendor_id), score in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None or int(vendor_id) not in vendor_ids:
            errors.append(_("このRFPにない評価基準またはベンダです。"))
        elif score is not None and not (0 <= score <= criterion.max_score):
            errors.append(
                _("「%(criterion)s」の点数は0〜%(max)sの範囲で入力してください。")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
    if errors:
        raise ValidationError({"scores": errors})
    saved = 0
    for (criterion_id, vendor_id), score in scores.items():
        if score is None:
            RfpScore.objects.filter(criterion_id=criterion_id, vendor_id=vendor_id, evaluator=actor).delete()
            continue
        RfpScore.objects.update_or_create(
            criterion_id=int(criterion_id), vendor_id=int(vendor_id), evaluator=actor, defaults={"score": score}
        )
        saved += 1
    return saved


@transaction.atomic
def record_selection(
    *, actor, rfp: Rfp, expected_version: int, vendor: Vendor, reason: str, decided_on: dt.date,
    package_name: str, start_date: dt.date, end_date: dt.date, amount: int | None = None,
    kind: str = Contract.Kind.INTRODUCTION,
) -> Rfp:  # fmt: skip
    """Record the selected vendor; create or update the contract; set each covered project's pattern
    (A when the vendor changes, B when the current vendor stays) through migration.services."""
    from migration import services as migration_services
    from migration.models import MigrationProject

    require(can_manage_municipality(actor, rfp.municipality_id))
    rfp = Rfp.objects.select_for_update().get(pk=rfp.pk)
    claim_version(rfp, expected_version)
    errors = {}
    if not rfp.vendors.filter(pk=vendor.pk).exists():
        errors["vendor"] = _("選定ベンダは提案ベンダの中から選んでください。")
    if not reason.strip():
        errors["decision_reason"] = _("選定理由を入力してください。")
    if errors:
        raise ValidationError(errors)
    projects = list(rfp.projects.all())
    contract_data = {
        "vendor": vendor,
        "package_name": package_name,
        "kind": kind,
        "amount": amount,
        "start_date": start_date,
        "end_date": end_date,
    }
    if rfp.contract_id:
        contract = rfp.contract
        notes = contract.notes
        update_contract(
            actor=actor,
            contract=contract,
            expected_version=contract.version,
            data={**contract_data, "notes": notes, "projects": projects},
        )
        contract.refresh_from_db()
    else:
        contract = create_contract(
            actor=actor,
            municipality=rfp.municipality,
            projects=projects,
            notes=f"RFP「{rfp.title}」の選定により登録",
            **contract_data,
        )
    rfp.selected_vendor = vendor
    rfp.decision_reason = reason.strip()
    rfp.decided_on = decided_on
    rfp.contract = contract
    rfp._history_user = actor
    rfp.save()
    for project in projects:
        project = MigrationProject.objects.get(pk=project.pk)
        pattern = MigrationProject.Pattern.B if project.current_vendor_id == vendor.id else MigrationProject.Pattern.A
        if project.migration_pattern != pattern:
            migration_services.update_project(
                actor=actor, project=project, expected_version=project.version, data={"migration_pattern": pattern}
            )
    return rfp


@transaction.atomic
def apply_step_suggestions(*, actor, suggestions, chosen_keys) -> int:
    """Apply the suggestions the user confirmed, each through migration.services.update_step_progress."""
    from migration import services as migration_services

    applied = 0
    for suggestion in suggestions:
        if suggestion.key not in chosen_keys:
            continue
        progress = suggestion.progress
        data = {"status": suggestion.status, "actual_start": suggestion.actual_start}
        if suggestion.actual_end:
            data["actual_end"] = suggestion.actual_end
        migration_services.update_step_progress(
            actor=actor, progress=progress, expected_version=progress.version, data=data
        )
        applied += 1
    return applied
