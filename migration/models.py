import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from portal.calendar import NATIONAL_DEADLINE
from portal.models import Department, Municipality


class TargetOperation(models.Model):
    """標準化対象業務 (reference data, fixtures/target_operations.json)."""

    class Group(models.TextChoices):
        RESIDENT_REGISTRY = "resident_registry", "住民記録"
        FIRST = "first", "第1グループ"
        SECOND = "second", "第2グループ"
        ADDED = "added", "追加"

    number = models.PositiveSmallIntegerField("番号", unique=True)
    name = models.CharField("業務名", max_length=50)
    name_en = models.CharField("英語名", max_length=100)
    group = models.CharField("グループ", max_length=20, choices=Group.choices)
    ministry = models.CharField("所管府省", max_length=100)
    is_core17 = models.BooleanField("基幹系17業務", default=True)

    class Meta:
        verbose_name = "標準化対象業務"
        verbose_name_plural = "標準化対象業務"
        ordering = ["number"]

    def __str__(self):
        return self.name


class ProcedureStep(models.Model):
    """The 17 steps of 総務省's 手順書 (reference data, fixtures/procedure_steps.json)."""

    class Phase(models.TextChoices):
        PLANNING = "planning", "計画立案"
        SELECTION = "selection", "システム選定"
        MIGRATION = "migration", "移行"

    number = models.PositiveSmallIntegerField("手順番号", unique=True)
    name = models.CharField("作業項目", max_length=100)
    phase = models.CharField("フェーズ", max_length=20, choices=Phase.choices)
    typical_months_min = models.PositiveSmallIntegerField("標準期間（最短・月）", null=True, blank=True)
    typical_months_max = models.PositiveSmallIntegerField("標準期間（最長・月）", null=True, blank=True)
    department_responsible = models.BooleanField("主管課", default=False)
    dx_office_responsible = models.BooleanField("事務局", default=False)
    vendor_responsible = models.BooleanField("事業者", default=False)
    skipped_without_vendor_change = models.BooleanField("ベンダ変更なしの場合は対象外", default=False)
    description = models.TextField("説明", blank=True)

    class Meta:
        verbose_name = "作業手順"
        verbose_name_plural = "作業手順"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def responsible_parties(self) -> list[str]:
        flags = [
            (self.department_responsible, "主管課"),
            (self.dx_office_responsible, "事務局"),
            (self.vendor_responsible, "事業者"),
        ]
        return [label for on, label in flags if on]


class MigrationProject(models.Model):
    """業務別移行案件: one municipality's migration of one target operation."""

    class Pattern(models.TextChoices):
        UNDECIDED = "undecided", "未定"
        A = "A", "Aパターン（ベンダ変更）"
        B = "B", "Bパターン（同一ベンダ）"

    class Approach(models.TextChoices):
        UNDECIDED = "undecided", "未定"
        LIFT_FIRST = "lift_first", "リフト先行"
        SHIFT_AT_ONCE = "shift_at_once", "シフト一括"

    class GovCloudUse(models.TextChoices):
        UNDECIDED = "undecided", "未定"
        SINGLE = "single", "単独利用"
        SHARED = "shared", "共同利用"

    municipality = models.ForeignKey(
        Municipality, verbose_name="団体", on_delete=models.CASCADE, related_name="projects"
    )
    operation = models.ForeignKey(
        TargetOperation, verbose_name="標準化対象業務", on_delete=models.PROTECT, related_name="projects"
    )
    department = models.ForeignKey(
        Department, verbose_name="業務主管課", on_delete=models.PROTECT, related_name="projects"
    )
    current_system_name = models.CharField("現行システム名", max_length=100, blank=True)
    current_vendor = models.ForeignKey(
        "vendors.Vendor",
        verbose_name="現行ベンダ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_projects",
    )
    current_contract = models.ForeignKey(
        "vendors.Contract",
        verbose_name="現行契約",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_for_projects",
    )
    migration_pattern = models.CharField(
        "移行パターン", max_length=10, choices=Pattern.choices, default=Pattern.UNDECIDED
    )
    approach = models.CharField("移行方式", max_length=20, choices=Approach.choices, default=Approach.UNDECIDED)
    gov_cloud_use = models.CharField(
        "ガバメントクラウド利用方式",
        max_length=20,
        choices=GovCloudUse.choices,
        default=GovCloudUse.UNDECIDED,
    )
    is_difficult = models.BooleanField("移行困難システム", default=False)
    difficult_reason = models.TextField("移行困難の理由", blank=True)
    individual_deadline = models.DateField("個別の移行期限", null=True, blank=True)
    target_go_live = models.DateField("稼働目標日", null=True, blank=True)
    notes = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "移行案件"
        verbose_name_plural = "移行案件"
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
            errors["department"] = "業務主管課は同じ団体の部署から選んでください。"
        if self.is_difficult and not self.difficult_reason.strip():
            errors["difficult_reason"] = "移行困難システムの場合は理由を入力してください。"
        if self.individual_deadline and not self.is_difficult:
            errors["individual_deadline"] = "個別の移行期限は移行困難システムの場合だけ設定できます。"
        if self.current_contract_id and self.municipality_id:
            if self.current_contract.municipality_id != self.municipality_id:
                errors["current_contract"] = "現行契約は同じ団体の契約から選んでください。"
        if errors:
            raise ValidationError(errors)


class StepProgress(models.Model):
    """Progress of one procedure step in one project; all 17 exist from the project's creation."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未着手"
        IN_PROGRESS = "in_progress", "実施中"
        DONE = "done", "完了"
        NOT_APPLICABLE = "not_applicable", "対象外"
        ON_HOLD = "on_hold", "保留"

    project = models.ForeignKey(
        MigrationProject, verbose_name="移行案件", on_delete=models.CASCADE, related_name="step_progress"
    )
    step = models.ForeignKey(ProcedureStep, verbose_name="作業手順", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状態", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    planned_start = models.DateField("予定開始日", null=True, blank=True)
    planned_end = models.DateField("予定終了日", null=True, blank=True)
    actual_start = models.DateField("実績開始日", null=True, blank=True)
    actual_end = models.DateField("実績終了日", null=True, blank=True)
    percent_done = models.PositiveSmallIntegerField("進捗率（%）", default=0)
    note = models.TextField("備考・対象外の理由", blank=True)
    version = models.PositiveIntegerField("版数", default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "手順の進捗"
        verbose_name_plural = "手順の進捗"
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
            errors["planned_end"] = "予定終了日は予定開始日以降の日付にしてください。"
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = "実績終了日は実績開始日以降の日付にしてください。"
        if self.actual_end and not self.actual_start:
            errors["actual_start"] = "実績終了日を入れる場合は実績開始日も入力してください。"
        if not 0 <= self.percent_done <= 100:
            errors["percent_done"] = "進捗率は0〜100の範囲で入力してください。"
        if self.status == self.Status.DONE and not self.actual_end:
            errors["actual_end"] = "完了にするには実績終了日を入力してください。"
        if (
            self.status == self.Status.NOT_APPLICABLE
            and not self.step.skipped_without_vendor_change
            and not self.note.strip()
        ):
            errors["note"] = "この手順を対象外にするには、備考欄に理由を入力してください。"
        if errors:
            raise ValidationError(errors)
