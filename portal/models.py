import calendar
import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.validators import validate_municipality_code

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]  # fmt: skip


class Municipality(models.Model):
    class Kind(models.TextChoices):
        DESIGNATED_CITY = "designated_city", _("指定都市")
        CORE_CITY = "core_city", _("中核市")
        CITY = "city", _("一般市")
        TOWN_VILLAGE = "town_village", _("町村")

    name = models.CharField(_("団体名"), max_length=50)
    code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, unique=True, validators=[validate_municipality_code]
    )
    prefecture = models.CharField(_("都道府県"), max_length=4, choices=[(p, p) for p in PREFECTURES])
    kind = models.CharField(_("団体区分"), max_length=20, choices=Kind.choices, default=Kind.CITY)
    # Settings of the municipality, edited by its DX office.
    report_due_day = models.PositiveSmallIntegerField(
        _("進捗報告の提出期限日"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("報告対象月の翌月の何日までに提出するか（1〜28）。"),
    )
    budget_request_month = models.PositiveSmallIntegerField(
        _("予算要求の締切（月）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    budget_request_day = models.PositiveSmallIntegerField(
        _("予算要求の締切（日）"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    contract_warning_months = models.PositiveSmallIntegerField(
        _("契約終了を知らせる期間（か月）"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("契約終了日がこの期間内に来る契約を一覧に表示します。"),
    )

    class Meta:
        verbose_name = _("団体")
        verbose_name_plural = _("団体")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def budget_request_date(self, fiscal_year: int) -> dt.date:
        """予算要求 for the next fiscal year happens in the autumn of this fiscal year."""
        year = fiscal_year if self.budget_request_month >= 4 else fiscal_year + 1
        last_day = calendar.monthrange(year, self.budget_request_month)[1]
        return dt.date(year, self.budget_request_month, min(self.budget_request_day, last_day))

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.code[:2].isdigit() and self.prefecture in PREFECTURES:
            if int(self.code[:2]) != PREFECTURES.index(self.prefecture) + 1:
                raise ValidationError(
                    {"prefecture": gettext("都道府県が団体コードの上2桁（都道府県コード）と一致しません。")}
                )


class Department(models.Model):
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("部署名"), max_length=100)
    is_dx_office = models.BooleanField(
        _("事務局（DX推進担当）"), default=False, help_text=_("団体ごとに1部署だけ指定できます。")
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "部署")
        verbose_name_plural = _("部署")
        ordering = ["municipality", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="department_name_unique"),
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(is_dx_office=True), name="one_dx_office_per_municipality"
            ),
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        DX_OFFICE = "dx_office", _("事務局")
        DEPARTMENT = "department", _("業務主管課")
        MANAGER = "manager", _("幹部")
        VENDOR = "vendor", _("ベンダ")
        OVERSIGHT = "oversight", _("広域・共同（閲覧のみ）")

    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.DEPARTMENT)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("ベンダ以外の利用者は必ず1団体に所属します。"),
    )
    departments = models.ManyToManyField(Department, verbose_name=_("所属部署"), blank=True, related_name="members")
    vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("所属ベンダ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    phone_extension = models.CharField(_("内線"), max_length=20, blank=True)
    oversight_group = models.ForeignKey(
        "portal.OversightGroup",
        verbose_name=_("閲覧する団体グループ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("役割が「広域・共同（閲覧のみ）」の利用者が閲覧できる団体のグループ。"),
    )

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    def __str__(self):
        full = f"{self.last_name} {self.first_name}".strip()
        return full or self.username

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role == self.Role.VENDOR:
            if not self.vendor_id:
                raise ValidationError({"vendor": gettext("ベンダの利用者は所属ベンダを指定してください。")})
        elif self.role == self.Role.OVERSIGHT:
            if not self.oversight_group_id:
                raise ValidationError(
                    {"oversight_group": gettext("広域・共同の利用者は閲覧する団体グループを指定してください。")}
                )
        elif not self.municipality_id and not self.is_superuser:
            raise ValidationError({"municipality": gettext("団体を指定してください。")})


class Job(models.Model):
    """A recorded piece of long work (export, import, report) run by Celery; see portal/jobs.py."""

    class State(models.TextChoices):
        QUEUED = "queued", _("待機")
        RUNNING = "running", _("実行中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("処理の種類"), max_length=100)
    params = models.JSONField(_("条件"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("依頼者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("進捗（%）"), default=0)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    result_file = models.FileField(_("結果ファイル"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー内容"), blank=True)

    class Meta:
        verbose_name = _("処理ジョブ")
        verbose_name_plural = _("処理ジョブ")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def label(self) -> str:
        from portal.jobs import job_label

        return job_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class OversightGroup(models.Model):
    """A prefecture or a joint-use group (三市共同, 7町) that follows several municipalities, read-only."""

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        JOINT = "joint", _("共同利用団体")
        OTHER = "other", _("その他")

    name = models.CharField(_("グループ名"), max_length=100, unique=True)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.JOINT)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("対象団体"), blank=True, related_name="oversight_groups"
    )

    class Meta:
        verbose_name = _("広域・共同グループ")
        verbose_name_plural = _("広域・共同グループ")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _report_run_upload_to(instance, filename):
    return f"monthly_reports/{instance.municipality_id}/{instance.month:%Y%m}/{filename}"


class ReportRun(models.Model):
    """One generation of a municipality's monthly report workbook (月次報告書) for one month."""

    State = Job.State

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定期実行")
        MANUAL = "manual", _("手動")
        API = "api", _("API")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="report_runs"
    )
    month = models.DateField(_("対象月"), help_text=_("対象月の1日。"))
    trigger = models.CharField(_("起動"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        User, verbose_name=_("依頼者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("進捗（%）"), default=0)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    result_file = models.FileField(_("ファイル"), upload_to=_report_run_upload_to, blank=True)
    result_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    error = models.TextField(_("エラー内容"), blank=True)

    class Meta:
        verbose_name = _("月次報告書の作成")
        verbose_name_plural = _("月次報告書の作成")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "month"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_report_run_per_month",
            )
        ]

    def __str__(self):
        return f"{self.municipality} {self.month:%Y-%m}（{self.get_state_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
