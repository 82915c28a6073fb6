from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from portal.models import Municipality
from portal.validators import validate_corporate_number


class Vendor(models.Model):
    """A vendor company (事業者). Shared by all municipalities of the installation."""

    name = models.CharField("事業者名", max_length=100)
    corporate_number = models.CharField("法人番号", max_length=13, unique=True, validators=[validate_corporate_number])
    address = models.CharField("所在地", max_length=200, blank=True)
    contact_name = models.CharField("担当者名", max_length=100, blank=True)
    contact_email = models.EmailField("連絡先メールアドレス", blank=True)
    contact_phone = models.CharField("連絡先電話番号", max_length=30, blank=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ベンダ"
        verbose_name_plural = "ベンダ"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contract(models.Model):
    """A municipality's contract with a vendor; an all-in-one package contract covers many projects."""

    municipality = models.ForeignKey(
        Municipality, verbose_name="団体", on_delete=models.CASCADE, related_name="contracts"
    )
    vendor = models.ForeignKey(Vendor, verbose_name="ベンダ", on_delete=models.PROTECT, related_name="contracts")

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "導入"
        MAINTENANCE = "maintenance", "保守・運用"
        SAAS = "saas", "ASP・SaaS"
        GOV_CLOUD_ASSISTANT = "gov_cloud_assistant", "ガバメントクラウド運用管理補助者"
        CONSULTING = "consulting", "コンサル"
        OTHER = "other", "その他"

    package_name = models.CharField("パッケージ名", max_length=100)
    kind = models.CharField("契約種別", max_length=30, choices=Kind.choices, default=Kind.INTRODUCTION)
    amount = models.PositiveBigIntegerField("契約金額（円・税込）", null=True, blank=True)
    start_date = models.DateField("契約開始日")
    end_date = models.DateField("契約終了日")
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name="対象の移行案件", blank=True, related_name="contracts"
    )
    notes = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = "契約"
        verbose_name_plural = "契約"
        ordering = ["municipality", "end_date"]

    def __str__(self):
        return f"{self.vendor.name} {self.package_name}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "契約終了日は契約開始日以降の日付にしてください。"})


# ---------------------------------------------------------------------------
# Files, RFI (情報提供依頼), RFP and selection (ベンダ選定)
# ---------------------------------------------------------------------------
def _upload_to(instance, filename):
    """Stored under MEDIA_ROOT with a random name; the original name is kept in the row."""
    import uuid

    return f"vendors/{instance.__class__.__name__.lower()}/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    file = models.FileField("ファイル", upload_to=_upload_to)
    original_name = models.CharField("ファイル名", max_length=255)
    kind = models.CharField("形式", max_length=10)
    size = models.PositiveBigIntegerField("サイズ（バイト）", default=0)
    uploaded_by = models.ForeignKey(
        "portal.User", verbose_name="登録者", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ContractDocument(StoredFile):
    contract = models.ForeignKey(Contract, verbose_name="契約", on_delete=models.CASCADE, related_name="documents")

    class Meta(StoredFile.Meta):
        verbose_name = "契約書類"
        verbose_name_plural = "契約書類"


class Environment(models.TextChoices):
    GOV_CLOUD = "gov_cloud", "ガバメントクラウドの場合"
    LOCAL_CLOUD = "local_cloud", "自治体クラウドの場合"


class SystemType(models.TextChoices):
    STANDARD = "standard", "標準準拠システム"
    NON_STANDARD = "non_standard", "標準準拠対象外システム（想定）"


class CostKind(models.TextChoices):
    INITIAL = "initial", "初期費用"
    ANNUAL = "annual", "運用経費（年間）"


# (code, kind, label) in the order of DOMAIN §7; "…_other" needs its 説明.
COST_CATEGORIES = [
    ("design", CostKind.INITIAL, "設計"),
    ("development", CostKind.INITIAL, "開発"),
    ("devices", CostKind.INITIAL, "端末・周辺機器"),
    ("character_mapping", CostKind.INITIAL, "文字同定"),
    ("data_cleansing", CostKind.INITIAL, "データクレンジング"),
    ("data_migration", CostKind.INITIAL, "データ抽出・移行"),
    ("environment_setup", CostKind.INITIAL, "稼働環境設定"),
    ("operation_test", CostKind.INITIAL, "運用テスト"),
    ("training", CostKind.INITIAL, "操作研修"),
    ("initial_other", CostKind.INITIAL, "その他"),
    ("hardware", CostKind.ANNUAL, "ハードウェア費用"),
    ("software", CostKind.ANNUAL, "ソフトウェア費用"),
    ("maintenance", CostKind.ANNUAL, "運用・保守"),
    ("annual_other", CostKind.ANNUAL, "その他"),
]
COST_CATEGORY_KIND = {code: kind for code, kind, _ in COST_CATEGORIES}
COST_CATEGORY_LABEL = {code: f"{CostKind(kind).label}: {label}" for code, kind, label in COST_CATEGORIES}
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
        DRAFT = "draft", "作成中"
        SENT = "sent", "送付済み"

    municipality = models.ForeignKey(Municipality, verbose_name="団体", on_delete=models.CASCADE, related_name="rfis")
    title = models.CharField("件名", max_length=200)
    description = models.TextField("依頼内容", blank=True)
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name="対象の移行案件", blank=True, related_name="rfis"
    )
    deadline = models.DateField("回答期限")
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.DRAFT)
    sent_at = models.DateTimeField("送付日時", null=True, blank=True)
    created_by = models.ForeignKey(
        "portal.User", verbose_name="作成者", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = "情報提供依頼（RFI）"
        verbose_name_plural = "情報提供依頼（RFI）"
        ordering = ["-deadline", "-id"]

    def __str__(self):
        return self.title

    def is_past_deadline(self, today) -> bool:
        return today > self.deadline


class RfiQuestion(models.Model):
    rfi = models.ForeignKey(Rfi, verbose_name="RFI", on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField("番号")
    text = models.TextField("質問")
    is_standard = models.BooleanField("標準の質問", default=False)

    class Meta:
        verbose_name = "RFIの質問"
        verbose_name_plural = "RFIの質問"
        ordering = ["rfi", "number"]
        constraints = [models.UniqueConstraint(fields=["rfi", "number"], name="one_question_number_per_rfi")]

    def __str__(self):
        return f"問{self.number} {self.text[:30]}"


class RfiAttachment(StoredFile):
    rfi = models.ForeignKey(Rfi, verbose_name="RFI", on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = "RFIの添付資料"
        verbose_name_plural = "RFIの添付資料"


class RfiInvitation(models.Model):
    """One vendor invited to answer one RFI."""

    rfi = models.ForeignKey(Rfi, verbose_name="RFI", on_delete=models.CASCADE, related_name="invitations")
    vendor = models.ForeignKey(Vendor, verbose_name="ベンダ", on_delete=models.PROTECT, related_name="rfi_invitations")
    reopened_until = models.DateField("再受付の期限", null=True, blank=True)
    reminder_sent_on = models.DateField("期限前の督促送信日", null=True, blank=True)

    class Meta:
        verbose_name = "RFIの依頼先"
        verbose_name_plural = "RFIの依頼先"
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
        DRAFT = "draft", "下書き"
        SUBMITTED = "submitted", "提出済み"

    invitation = models.ForeignKey(
        RfiInvitation, verbose_name="依頼先", on_delete=models.CASCADE, related_name="responses"
    )
    number = models.PositiveSmallIntegerField("回答の版", default=1)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "portal.User", verbose_name="提出者", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "RFIの回答"
        verbose_name_plural = "RFIの回答"
        ordering = ["invitation", "number"]
        constraints = [models.UniqueConstraint(fields=["invitation", "number"], name="one_response_number")]

    def __str__(self):
        return f"{self.invitation} 第{self.number}版"


class RfiAnswer(models.Model):
    response = models.ForeignKey(RfiResponse, verbose_name="回答", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RfiQuestion, verbose_name="質問", on_delete=models.CASCADE, related_name="answers")
    gov_cloud = models.TextField("ガバメントクラウドの場合", blank=True)
    local_cloud = models.TextField("自治体クラウドの場合", blank=True)

    class Meta:
        verbose_name = "質問への回答"
        verbose_name_plural = "質問への回答"
        ordering = ["response", "question__number"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.response} {self.question}"


class RfiCostLine(models.Model):
    response = models.ForeignKey(RfiResponse, verbose_name="回答", on_delete=models.CASCADE, related_name="cost_lines")
    system_type = models.CharField("区分", max_length=20, choices=SystemType.choices)
    environment = models.CharField("環境", max_length=20, choices=Environment.choices)
    category = models.CharField(
        "費目", max_length=30, choices=[(code, COST_CATEGORY_LABEL[code]) for code, _, _ in COST_CATEGORIES]
    )
    amount = models.PositiveBigIntegerField("金額（円）")
    description = models.CharField("その他費用の説明", max_length=500, blank=True)

    class Meta:
        verbose_name = "費用"
        verbose_name_plural = "費用"
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
                {"description": "「その他」の金額を入れた場合は、その他費用の説明を入力してください。"}
            )


class RfiResponseFile(StoredFile):
    response = models.ForeignKey(RfiResponse, verbose_name="回答", on_delete=models.CASCADE, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = "回答の添付ファイル"
        verbose_name_plural = "回答の添付ファイル"


class Rfp(models.Model):
    """提案依頼 (RFP) and the selection (ベンダ選定・決定) that follows it."""

    municipality = models.ForeignKey(Municipality, verbose_name="団体", on_delete=models.CASCADE, related_name="rfps")
    title = models.CharField("件名", max_length=200)
    rfi = models.ForeignKey(
        Rfi, verbose_name="元のRFI", on_delete=models.SET_NULL, null=True, blank=True, related_name="rfps"
    )
    projects = models.ManyToManyField(
        "migration.MigrationProject", verbose_name="対象の移行案件", blank=True, related_name="rfps"
    )
    vendors = models.ManyToManyField(Vendor, verbose_name="提案ベンダ", blank=True, related_name="rfps")
    selected_vendor = models.ForeignKey(
        Vendor, verbose_name="選定ベンダ", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField("選定理由", blank=True)
    decided_on = models.DateField("決定日", null=True, blank=True)
    contract = models.ForeignKey(
        Contract, verbose_name="契約", on_delete=models.SET_NULL, null=True, blank=True, related_name="rfps"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[projects, vendors])

    class Meta:
        verbose_name = "提案依頼（RFP）"
        verbose_name_plural = "提案依頼（RFP）"
        ordering = ["-id"]

    def __str__(self):
        return self.title


class RfpCriterion(models.Model):
    rfp = models.ForeignKey(Rfp, verbose_name="RFP", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("評価基準", max_length=200)
    weight = models.PositiveSmallIntegerField("配点（重み）", default=1)
    max_score = models.PositiveSmallIntegerField("満点", default=5)

    class Meta:
        verbose_name = "評価基準"
        verbose_name_plural = "評価基準"
        ordering = ["rfp", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.weight < 1:
            raise ValidationError({"weight": "配点は1以上の整数で入力してください。"})
        if self.max_score < 1:
            raise ValidationError({"max_score": "満点は1以上の整数で入力してください。"})


class RfpScore(models.Model):
    criterion = models.ForeignKey(
        RfpCriterion, verbose_name="評価基準", on_delete=models.CASCADE, related_name="scores"
    )
    vendor = models.ForeignKey(Vendor, verbose_name="ベンダ", on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey("portal.User", verbose_name="評価者", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("点数")

    class Meta:
        verbose_name = "評価点"
        verbose_name_plural = "評価点"
        constraints = [
            models.UniqueConstraint(fields=["criterion", "vendor", "evaluator"], name="one_score_per_evaluator")
        ]

    def __str__(self):
        return f"{self.criterion} {self.vendor} {self.score}"

    def clean(self):
        if self.criterion_id and self.score > self.criterion.max_score:
            raise ValidationError({"score": f"点数は0〜{self.criterion.max_score}の範囲で入力してください。"})
