import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.calendar import NATIONAL_DEADLINE
from portal.models import Department, Municipality


class TargetOperation(models.Model):
    """標準化対象業務 (reference data, fixtures/target_operations.json)."""

    class Group(models.TextChoices):
        RESIDENT_REGISTRY = "resident_registry", _("住民記録")
        FIRST = "first", _("第1グループ")
        SECOND = "second", _("第2グループ")
        ADDED = "added", _("追加")

    number = models.PositiveSmallIntegerField(_("番号"), unique=True)
    name = models.CharField(_("業務名"), max_length=50)
    name_en = models.CharField(_("英語名"), max_length=100)
    group = models.CharField(_("グループ"), max_length=20, choices=Group.choices)
    ministry = models.CharField(_("所管府省"), max_length=100)
    is_core17 = models.BooleanField(_("基幹系17業務"), default=True)

    class Meta:
        verbose_name = _("標準化対象業務")
        verbose_name_plural = _("標準化対象業務")
        ordering = ["number"]

    def __str__(self):
        return self.name


class ProcedureStep(models.Model):
    """The 17 steps of 総務省's 手順書 (reference data, fixtures/procedure_steps.json)."""

    class Phase(models.TextChoices):
        PLANNING = "planning", _("計画立案")
        SELECTION = "selection", _("システム選定")
        MIGRATION = "migration", _("移行")

    number = models.PositiveSmallIntegerField(_("手順番号"), unique=True)
    name = models.CharField(_("作業項目"), max_length=100)
    phase = models.CharField(_("フェーズ"), max_length=20, choices=Phase.choices)
    typical_months_min = models.PositiveSmallIntegerField(_("標準期間（最短・月）"), null=True, blank=True)
    typical_months_max = models.PositiveSmallIntegerField(_("標準期間（最長・月）"), null=True, blank=True)
    department_responsible = models.BooleanField(_("主管課"), default=False)
    dx_office_responsible = models.BooleanField(_("事務局"), default=False)
    vendor_responsible = models.BooleanField(_("事業者"), default=False)
    skipped_without_vendor_change = models.BooleanField(_("ベンダ変更なしの場合は対象外"), default=False)
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        verbose_name = _("作業手順")
        verbose_name_plural = _("作業手順")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def responsible_parties(self) -> list[str]:
        flags = [
            (self.department_responsible, gettext("主管課")),
            (self.dx_office_responsible, gettext("事務局")),
            (self.vendor_responsible, gettext("事業者")),
        ]
        return [label for on, label in flags if on]


class MigrationProject(models.Model):
    """業務別移行案件: one municipality's migration of one target operation."""

    class Pattern(models.TextChoices):
        UNDECIDED = "undecided", _("未定")
        A = "A", _("Aパターン（ベンダ変更）")
        B = "B", _("Bパターン（同一ベンダ）")

    class Approach(models.TextChoices):
        UNDECIDED = "undecided", _("未定")
        LIFT_FIRST = "lift_first", _("リフト先行")
        SHIFT_AT_ONCE = "shift_at_once", _("シフト一括")

    class GovCloudUse(models.TextChoices):
        UNDECIDED = "undecided", _("未定")
        SINGLE = "single", _("単独利用")
        SHARED = "shared", _("共同利用")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="projects"
    )
    operation = models.ForeignKey(
        TargetOperation, verbose_name=_("標準化対象業務"), on_delete=models.PROTECT, related_name="projects"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("業務主管課"), on_delete=models.PROTECT, related_name="projects"
    )
    current_system_name = models.CharField(_("現行システム名"), max_length=100, blank=True)
    current_vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name=_("現行ベンダ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_projects",
    )
    current_contract = models.ForeignKey(
        "vendors.Contract",
        verbose_name=_("現行契約"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_for_projects",
    )
    migration_pattern = models.CharField(
        _("移行パターン"), max_length=10, choices=Pattern.choices, default=Pattern.UNDECIDED
    )
    approach = models.CharField(_("移行方式"), max_length=20, choices=Approach.choices, default=Approach.UNDECIDED)
    gov_cloud_use = models.CharField(
        _("ガバメントクラウド利用方式"),
        max_length=20,
        choices=GovCloudUse.choices,
        default=GovCloudUse.UNDECIDED,
    )
    is_difficult = models.BooleanField(_("移行困難システム"), default=False)
    difficult_reason = models.TextField(_("移行困難の理由"), blank=True)
    individual_deadline = models.DateField(_("個別の移行期限"), null=True, blank=True)
    target_go_live = models.DateField(_("稼働目標日"), null=True, blank=True)
    notes = models.TextField(_("備考"), blank=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "移行案件")
        verbose_name_plural = _("移行案件")
        ordering = ["municipality", "operation__number"]
        constraints = [models.UniqueConstraint(fields=["municipality", "operation"], name="one_project_per_operation")]

    def __str__(self):
        return f"{self.operation.name}（{self.municipality.name}）"

    @property
    def deadline(self) -> dt.date:
        """The national deadline, or the individual one of a 移行困難システム."""
        if self.is_difficult and self.individual_deadline:
            return self.individual_deadline
        return NATIONAL_DEADLINE

    def clean(self):
        errors = {}
        if self.department_id and self.municipality_id and self.department.municipality_id != self.municipality_id:
            errors["department"] = gettext("業務主管課は同じ団体の部署から選んでください。")
        if self.is_difficult and not self.difficult_reason.strip():
            errors["difficult_reason"] = gettext("移行困難システムの場合は理由を入力してください。")
        if self.individual_deadline and not self.is_difficult:
            errors["individual_deadline"] = gettext("個別の移行期限は移行困難システムの場合だけ設定できます。")
        if self.current_contract_id and self.municipality_id:
            if self.current_contract.municipality_id != self.municipality_id:
                errors["current_contract"] = gettext("現行契約は同じ団体の契約から選んでください。")
        if errors:
            raise ValidationError(errors)


class StepProgress(models.Model):
    """Progress of one procedure step in one project; all 17 exist from the project's creation."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未着手")
        IN_PROGRESS = "in_progress", _("実施中")
        DONE = "done", _("完了")
        NOT_APPLICABLE = "not_applicable", _("対象外")
        ON_HOLD = "on_hold", _("保留")

    project = models.ForeignKey(
        MigrationProject,
        verbose_name=pgettext_lazy("model", "移行案件"),
        on_delete=models.CASCADE,
        related_name="step_progress",
    )
    step = models.ForeignKey(ProcedureStep, verbose_name=_("作業手順"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    planned_start = models.DateField(_("予定開始日"), null=True, blank=True)
    planned_end = models.DateField(_("予定終了日"), null=True, blank=True)
    actual_start = models.DateField(_("実績開始日"), null=True, blank=True)
    actual_end = models.DateField(_("実績終了日"), null=True, blank=True)
    percent_done = models.PositiveSmallIntegerField(_("進捗率（%）"), default=0)
    note = models.TextField(_("備考・対象外の理由"), blank=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("手順の進捗")
        verbose_name_plural = _("手順の進捗")
        ordering = ["project", "step__number"]
        constraints = [models.UniqueConstraint(fields=["project", "step"], name="one_progress_per_step")]

    def __str__(self):
        return f"{self.project} / {self.step}"

    def is_late(self, today: dt.date) -> bool:
        from migration.rules import step_is_late

        return step_is_late(self, today)

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = gettext("予定終了日は予定開始日以降の日付にしてください。")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = gettext("実績終了日は実績開始日以降の日付にしてください。")
        if self.actual_end and not self.actual_start:
            errors["actual_start"] = gettext("実績終了日を入れる場合は実績開始日も入力してください。")
        if not 0 <= self.percent_done <= 100:
            errors["percent_done"] = gettext("進捗率は0〜100の範囲で入力してください。")
        if self.status == self.Status.DONE and not self.actual_end:
            errors["actual_end"] = gettext("完了にするには実績終了日を入力してください。")
        if (
            self.status == self.Status.NOT_APPLICABLE
            and not self.step.skipped_without_vendor_change
            and not self.note.strip()
        ):
            errors["note"] = gettext("この手順を対象外にするには、備考欄に理由を入力してください。")
        if errors:
            raise ValidationError(errors)


class MonthlyReport(models.Model):
    """進捗報告書: one per project and month, submitted by the owning department."""

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SUBMITTED = "submitted", _("提出済")
        RETURNED = "returned", _("差戻し")
        ACCEPTED = "accepted", _("確認済")

    class Overall(models.TextChoices):
        ON_TRACK = "on_track", _("順調")
        AT_RISK = "at_risk", _("注意")
        OFF_TRACK = "off_track", _("遅延")

    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    project = models.ForeignKey(
        MigrationProject,
        verbose_name=pgettext_lazy("model", "移行案件"),
        on_delete=models.CASCADE,
        related_name="monthly_reports",
    )
    month = models.DateField(_("報告月"), help_text=_("報告対象月の1日。"))
    period_start = models.DateField(_("報告期間（自）"))
    period_end = models.DateField(_("報告期間（至）"))
    reporter = models.ForeignKey(
        "portal.User", verbose_name=_("報告者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.CharField(_("連絡先"), max_length=200, blank=True, help_text=_("メールアドレス・内線など。"))
    overall_status = models.CharField(_("全体状況"), max_length=20, choices=Overall.choices, default=Overall.ON_TRACK)
    overall_reason = models.CharField(_("全体状況の理由"), max_length=200, blank=True)
    work_done = models.TextField(_("今月の実施作業"), blank=True)
    next_plan = models.TextField(_("次月の検討・作業予定"), blank=True)
    notes_to_office = models.TextField(_("事務局への連絡事項"), blank=True)
    state = models.CharField(_("状態"), max_length=20, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "portal.User", verbose_name=_("提出者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(_("差戻しコメント"), blank=True)
    reviewed_at = models.DateTimeField(_("確認・差戻し日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "portal.User", verbose_name=_("確認者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("進捗報告書")
        verbose_name_plural = _("進捗報告書")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_report_per_project_month")]

    def __str__(self):
        return f"{self.project} {self.month:%Y年%m月}分"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    def clean(self):
        errors = {}
        if self.month and self.month.day != 1:
            errors["month"] = gettext("報告月は月の1日で指定してください。")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = gettext("報告期間の終わりは始まり以降の日付にしてください。")
        if self.overall_status != self.Overall.ON_TRACK and not self.overall_reason.strip():
            errors["overall_reason"] = gettext("全体状況が「順調」でない場合は、その理由を1行で入力してください。")
        if errors:
            raise ValidationError(errors)


class ReportMeeting(models.Model):
    """次月のコンサル・ベンダ等との打合せ予定 (rows of a report)."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("進捗報告書"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("日付"))
    party = models.CharField(_("相手先"), max_length=100)
    purpose = models.CharField(_("目的・内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("打合せ予定")
        verbose_name_plural = _("打合せ予定")
        ordering = ["report", "date", "id"]

    def __str__(self):
        return f"{self.date} {self.party}"


class ReportReminder(models.Model):
    """A reminder e-mail sent for a project's report of a month (at most once a day)."""

    project = models.ForeignKey(
        MigrationProject, verbose_name=pgettext_lazy("model", "移行案件"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("報告月"))
    sent_on = models.DateField(_("送信日"))
    sent_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    sent_by = models.ForeignKey(
        "portal.User", verbose_name=_("送信者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.TextField(_("宛先"), blank=True)

    class Meta:
        verbose_name = _("提出督促")
        verbose_name_plural = _("提出督促")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "sent_on"], name="one_reminder_per_report_day")
        ]

    def __str__(self):
        return f"{self.project} {self.month:%Y-%m} {self.sent_on}"


class RiskIssue(models.Model):
    """課題管理表の1行: a risk or issue of a project, living across months."""

    class Kind(models.TextChoices):
        RISK = "risk", _("リスク")
        ISSUE = "issue", _("課題")

    class Importance(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    class Status(models.TextChoices):
        OPEN = "open", _("未対応")
        IN_PROGRESS = "in_progress", _("対応中")
        DONE = "done", _("完了")
        WITHDRAWN = "withdrawn", _("取下げ")

    class Category(models.TextChoices):
        INTEGRATION = "integration", _("システム間連携")
        GOV_CLOUD = "gov_cloud", _("ガバメントクラウド")
        COMMON = "common", _("共通機能")
        SCHEDULE = "schedule", _("移行スケジュール")
        TRANSITION = "transition", _("過渡期対応")
        SECURITY = "security", _("セキュリティ")
        BUDGET = "budget", _("予算")
        OTHER = "other", _("その他")

    CLOSED_STATUSES = (Status.DONE, Status.WITHDRAWN)

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="risk_issues", editable=False
    )
    project = models.ForeignKey(
        MigrationProject,
        verbose_name=pgettext_lazy("model", "移行案件"),
        on_delete=models.CASCADE,
        related_name="risk_issues",
    )
    number = models.PositiveIntegerField(_("No"), editable=False)
    kind = models.CharField(_("区分"), max_length=10, choices=Kind.choices, default=Kind.ISSUE)
    step = models.ForeignKey(
        ProcedureStep, verbose_name=_("作業手順"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_item = models.CharField(_("業務実施内容"), max_length=200, blank=True, help_text=_("発生した手順・作業。"))
    description = models.TextField(_("認識されたリスク・課題"))
    importance = models.CharField(_("重要度"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM)
    raised_on = models.DateField(_("起票日"))
    due_date = models.DateField(_("対応希望期限"), null=True, blank=True)
    due_reason = models.CharField(_("対応希望期限の理由"), max_length=200, blank=True)
    involves_dx_office = models.BooleanField(_("関係者: 事務局"), default=False)
    other_departments = models.ManyToManyField(
        Department, verbose_name=_("関係者: 他の所管課"), blank=True, related_name="related_risk_issues"
    )
    involves_vendor = models.BooleanField(_("関係者: ベンダ"), default=False)
    involves_consultant = models.BooleanField(_("関係者: コンサル"), default=False)
    is_cross_cutting = models.BooleanField(_("業務横断課題"), default=False, editable=False)
    category = models.CharField(_("分類"), max_length=20, choices=Category.choices, default=Category.OTHER)
    notes = models.TextField(_("備考"), blank=True)
    status = models.CharField(_("対応状況"), max_length=20, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("対応内容"), blank=True)
    completed_on = models.DateField(_("完了日"), null=True, blank=True)
    created_by = models.ForeignKey(
        "portal.User", verbose_name=_("起票者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_in_report = models.ForeignKey(
        MonthlyReport,
        verbose_name=_("起票した進捗報告書"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="raised_issues",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("課題・リスク")
        verbose_name_plural = _("課題・リスク")
        ordering = ["municipality", "number"]
        constraints = [models.UniqueConstraint(fields=["municipality", "number"], name="risk_issue_number_unique")]
        indexes = [models.Index(fields=["municipality", "is_cross_cutting", "status"])]

    def __str__(self):
        return f"No.{self.number} {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < today)

    def clean(self):
        errors = {}
        if self.project_id and self.municipality_id and self.project.municipality_id != self.municipality_id:
            errors["project"] = gettext("移行案件は同じ団体の案件から選んでください。")
        if self.raised_on and self.due_date and self.due_date < self.raised_on:
            errors["due_date"] = gettext("対応希望期限は起票日以降の日付にしてください。")
        if self.status == self.Status.DONE and not self.completed_on:
            errors["completed_on"] = gettext("完了にするには完了日を入力してください。")
        if self.completed_on and self.status != self.Status.DONE:
            errors["completed_on"] = gettext("完了日は対応状況が「完了」の場合だけ入力してください。")
        if self.raised_on and self.completed_on and self.completed_on < self.raised_on:
            errors["completed_on"] = gettext("完了日は起票日以降の日付にしてください。")
        if self.step_id and not self.work_item:
            self.work_item = str(self.step)
        if errors:
            raise ValidationError(errors)


class RiskIssueComment(models.Model):
    issue = models.ForeignKey(
        RiskIssue, verbose_name=_("課題・リスク"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "portal.User", verbose_name=_("投稿者"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("コメント"))
    created_at = models.DateTimeField(_("投稿日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("課題・リスクへのコメント")
        verbose_name_plural = _("課題・リスクへのコメント")
        ordering = ["issue", "created_at", "id"]

    def __str__(self):
        return f"{self.author}: {self.body[:30]}"
