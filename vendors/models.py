from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models import Municipality
from portal.validators import validate_corporate_number


class Vendor(models.Model):
    """A vendor company (事業者). Shared by all municipalities of the installation."""

    name = models.CharField(_("事業者名"), max_length=100)
    corporate_number = models.CharField(
        _("法人番号"), max_length=13, unique=True, validators=[validate_corporate_number]
    )
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    contact_name = models.CharField(_("担当者名"), max_length=100, blank=True)
    contact_email = models.EmailField(_("連絡先メールアドレス"), blank=True)
    contact_phone = models.CharField(_("連絡先電話番号"), max_length=30, blank=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ベンダ")
        verbose_name_plural = _("ベンダ")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contract(models.Model):
    """A municipality's contract with a vendor; an all-in-one package contract covers many projects."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="contracts"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("ベンダ"), on_delete=models.PROTECT, related_name="contracts")

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", _("導入")
        MAINTENANCE = "maintenance", _("保守・運用")
        SAAS = "saas", _("ASP・SaaS")
        GOV_CLOUD_ASSISTANT = "gov_cloud_assistant", _("ガバメントクラウド運用管理補助者")
        CONSULTING = "consulting", _("コンサル")
        OTHER = "other", _("その他")

    package_name = models.CharField(_("パッケージ名"), max_length=100)
    kind = models.CharField(_("契約種別"), max_length=30, choices=Kind.choices, default=Kind.INTRODUCTION)
    amount = models.PositiveBigIntegerField(_("契約金額（円・税込）"), null=True, blank=True)
    start_date = models.DateField(_("契約開始日"))
    end_date = models.DateField(_("契約終了日"))
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name=_("対象の移行案件"), blank=True, related_name="contracts"
    )
    notes = models.TextField(_("備考"), blank=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = pgettext_lazy("model", "契約")
        verbose_name_plural = _("契約")
        ordering = ["municipality", "end_date"]

    def __str__(self):
        return f"{self.vendor.name} {self.package_name}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": gettext("契約終了日は契約開始日以降の日付にしてください。")})


# ---------------------------------------------------------------------------
# Files, RFI (情報提供依頼), RFP and selection (ベンダ選定)
# ---------------------------------------------------------------------------
def _upload_to(instance, filename):
    """Stored under MEDIA_ROOT with a random name; the original name is kept in the row."""
    import uuid

    return f"vendors/{instance.__class__.__name__.lower()}/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    file = models.FileField(_("ファイル"), upload_to=_upload_to)
    original_name = models.CharField(_("ファイル名"), max_length=255)
    kind = models.CharField(_("形式"), max_length=10)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"), default=0)
    uploaded_by = models.ForeignKey(
        "portal.User", verbose_name=_("登録者"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ContractDocument(StoredFile):
    contract = models.ForeignKey(
        Contract, verbose_name=pgettext_lazy("model", "契約"), on_delete=models.CASCADE, related_name="documents"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("契約書類")
        verbose_name_plural = _("契約書類")


class Environment(models.TextChoices):
    GOV_CLOUD = "gov_cloud", _("ガバメントクラウドの場合")
    LOCAL_CLOUD = "local_cloud", _("自治体クラウドの場合")


class SystemType(models.TextChoices):
    STANDARD = "standard", _("標準準拠システム")
    NON_STANDARD = "non_standard", _("標準準拠対象外システム（想定）")


class CostKind(models.TextChoices):
    INITIAL = "initial", _("初期費用")
    ANNUAL = "annual", _("運用経費（年間）")


# (code, kind, label) in the order of DOMAIN §7; "…_other" needs its 説明.
COST_CATEGORIES = [
    ("design", CostKind.INITIAL, _("設計")),
    ("development", CostKind.INITIAL, _("開発")),
    ("devices", CostKind.INITIAL, _("端末・周辺機器")),
    ("character_mapping", CostKind.INITIAL, _("文字同定")),
    ("data_cleansing", CostKind.INITIAL, _("データクレンジング")),
    ("data_migration", CostKind.INITIAL, _("データ抽出・移行")),
    ("environment_setup", CostKind.INITIAL, _("稼働環境設定")),
    ("operation_test", CostKind.INITIAL, _("運用テスト")),
    ("training", CostKind.INITIAL, _("操作研修")),
    ("initial_other", CostKind.INITIAL, _("その他")),
    ("hardware", CostKind.ANNUAL, _("ハードウェア費用")),
    ("software", CostKind.ANNUAL, _("ソフトウェア費用")),
    ("maintenance", CostKind.ANNUAL, _("運用・保守")),
    ("annual_other", CostKind.ANNUAL, _("その他")),
]
COST_CATEGORY_KIND = {code: kind for code, kind, _label in COST_CATEGORIES}
COST_CATEGORY_LABEL = {
    code: format_lazy("{}: {}", CostKind(kind).label, label) for code, kind, label in COST_CATEGORIES
}
OTHER_CATEGORIES = {"initial_other", "annual_other"}

STANDARD_QUESTIONS = [
    "標準準拠パッケージ提供予定の有無（本団体の団体区分について）",
    "提供開始予定時期",
    "組合せ可能な他の標準化対象業務",
    "標準対象外機能の実装方法",
]


class Rfi(models.Model):
    """情報提供依頼 of one municipality to the vendors it invites."""

    class State(models.TextChoices):
        DRAFT = "draft", _("作成中")
        SENT = "sent", _("送付済み")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="rfis"
    )
    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(_("依頼内容"), blank=True)
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name=_("対象の移行案件"), blank=True, related_name="rfis"
    )
    deadline = models.DateField(_("回答期限"))
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.DRAFT)
    sent_at = models.DateTimeField(_("送付日時"), null=True, blank=True)
    created_by = models.ForeignKey(
        "portal.User", verbose_name=_("作成者"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = _("情報提供依頼（RFI）")
        verbose_name_plural = _("情報提供依頼（RFI）")
        ordering = ["-deadline", "-id"]

    def __str__(self):
        return self.title

    def is_past_deadline(self, today) -> bool:
        return today > self.deadline


class RfiQuestion(models.Model):
    rfi = models.ForeignKey(Rfi, verbose_name=_("RFI"), on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("番号"))
    text = models.TextField(_("質問"))
    is_standard = models.BooleanField(_("標準の質問"), default=False)

    class Meta:
        verbose_name = _("RFIの質問")
        verbose_name_plural = _("RFIの質問")
        ordering = ["rfi", "number"]
        constraints = [models.UniqueConstraint(fields=["rfi", "number"], name="one_question_number_per_rfi")]

    def __str__(self):
        return f"問{self.number} {self.text[:30]}"


class RfiAttachment(StoredFile):
    rfi = models.ForeignKey(Rfi, verbose_name=_("RFI"), on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("RFIの添付資料")
        verbose_name_plural = _("RFIの添付資料")


class RfiInvitation(models.Model):
    """One vendor invited to answer one RFI."""

    rfi = models.ForeignKey(Rfi, verbose_name=_("RFI"), on_delete=models.CASCADE, related_name="invitations")
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("ベンダ"), on_delete=models.PROTECT, related_name="rfi_invitations"
    )
    reopened_until = models.DateField(_("再受付の期限"), null=True, blank=True)
    reminder_sent_on = models.DateField(_("期限前の督促送信日"), null=True, blank=True)

    class Meta:
        verbose_name = _("RFIの依頼先")
        verbose_name_plural = _("RFIの依頼先")
        ordering = ["rfi", "vendor__name"]
        constraints = [models.UniqueConstraint(fields=["rfi", "vendor"], name="one_invitation_per_vendor")]

    def __str__(self):
        return f"{self.rfi} → {self.vendor}"

    def answer_deadline(self):
        if self.reopened_until and self.reopened_until > self.rfi.deadline:
            return self.reopened_until
        return self.rfi.deadline

    def is_open(self, today) -> bool:
        return self.rfi.state == Rfi.State.SENT and today <= self.answer_deadline()


class RfiResponse(models.Model):
    """One version of a vendor's answer. Editing after a submission starts a new version; earlier ones stay."""

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SUBMITTED = "submitted", _("提出済み")

    invitation = models.ForeignKey(
        RfiInvitation, verbose_name=_("依頼先"), on_delete=models.CASCADE, related_name="responses"
    )
    number = models.PositiveSmallIntegerField(_("回答の版"), default=1)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "portal.User", verbose_name=_("提出者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RFIの回答")
        verbose_name_plural = _("RFIの回答")
        ordering = ["invitation", "number"]
        constraints = [models.UniqueConstraint(fields=["invitation", "number"], name="one_response_number")]

    def __str__(self):
        return f"{self.invitation} 第{self.number}版"


class RfiAnswer(models.Model):
    response = models.ForeignKey(RfiResponse, verbose_name=_("回答"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RfiQuestion, verbose_name=_("質問"), on_delete=models.CASCADE, related_name="answers")
    gov_cloud = models.TextField(_("ガバメントクラウドの場合"), blank=True)
    local_cloud = models.TextField(_("自治体クラウドの場合"), blank=True)

    class Meta:
        verbose_name = _("質問への回答")
        verbose_name_plural = _("質問への回答")
        ordering = ["response", "question__number"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.response} {self.question}"


class RfiCostLine(models.Model):
    response = models.ForeignKey(
        RfiResponse, verbose_name=_("回答"), on_delete=models.CASCADE, related_name="cost_lines"
    )
    system_type = models.CharField(_("区分"), max_length=20, choices=SystemType.choices)
    environment = models.CharField(_("環境"), max_length=20, choices=Environment.choices)
    category = models.CharField(
        _("費目"), max_length=30, choices=[(code, COST_CATEGORY_LABEL[code]) for code, _kind, _label in COST_CATEGORIES]
    )
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    description = models.CharField(_("その他費用の説明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("費用")
        verbose_name_plural = _("費用")
        ordering = ["response", "system_type", "environment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "system_type", "environment", "category"], name="one_cost_per_cell"
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.amount}円"

    def clean(self):
        if self.category in OTHER_CATEGORIES and self.amount and not self.description.strip():
            raise ValidationError(
                {"description": gettext("「その他」の金額を入れた場合は、その他費用の説明を入力してください。")}
            )


class RfiResponseFile(StoredFile):
    response = models.ForeignKey(RfiResponse, verbose_name=_("回答"), on_delete=models.CASCADE, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = _("回答の添付ファイル")
        verbose_name_plural = _("回答の添付ファイル")


class Rfp(models.Model):
    """提案依頼 (RFP) and the selection (ベンダ選定・決定) that follows it."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="rfps"
    )
    title = models.CharField(_("件名"), max_length=200)
    rfi = models.ForeignKey(
        Rfi, verbose_name=_("元のRFI"), on_delete=models.SET_NULL, null=True, blank=True, related_name="rfps"
    )
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name=_("対象の移行案件"), blank=True, related_name="rfps"
    )
    vendors = models.ManyToManyField(Vendor, verbose_name=_("提案ベンダ"), blank=True, related_name="rfps")
    selected_vendor = models.ForeignKey(
        Vendor, verbose_name=_("選定ベンダ"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("選定理由"), blank=True)
    decided_on = models.DateField(_("決定日"), null=True, blank=True)
    contract = models.ForeignKey(
        Contract,
        verbose_name=pgettext_lazy("model", "契約"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rfps",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects, vendors])

    class Meta:
        verbose_name = _("提案依頼（RFP）")
        verbose_name_plural = _("提案依頼（RFP）")
        ordering = ["-id"]

    def __str__(self):
        return self.title


class RfpCriterion(models.Model):
    rfp = models.ForeignKey(Rfp, verbose_name=_("RFP"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("評価基準"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("配点（重み）"), default=1)
    max_score = models.PositiveSmallIntegerField(_("満点"), default=5)

    class Meta:
        verbose_name = _("評価基準")
        verbose_name_plural = _("評価基準")
        ordering = ["rfp", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.weight < 1:
            raise ValidationError({"weight": gettext("配点は1以上の整数で入力してください。")})
        if self.max_score < 1:
            raise ValidationError({"max_score": gettext("満点は1以上の整数で入力してください。")})


class RfpScore(models.Model):
    criterion = models.ForeignKey(
        RfpCriterion, verbose_name=_("評価基準"), on_delete=models.CASCADE, related_name="scores"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("ベンダ"), on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey("portal.User", verbose_name=_("評価者"), on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("点数"))

    class Meta:
        verbose_name = _("評価点")
        verbose_name_plural = _("評価点")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "vendor", "evaluator"], name="one_score_per_evaluator")
        ]

    def __str__(self):
        return f"{self.criterion} {self.vendor} {self.score}"

    def clean(self):
        if self.criterion_id and self.score > self.criterion.max_score:
            raise ValidationError(
                {"score": gettext("点数は0〜%(max)sの範囲で入力してください。") % {"max": self.criterion.max_score}}
            )
