"""Fit & Gap analysis (標準仕様との比較分析): requirement catalogues per spec version and the
gap analysis of each migration project."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from migration.models import MigrationProject, TargetOperation
from portal.models import Municipality


class Catalogue(models.Model):
    """要件カタログ: the requirements of one version of one operation's 標準仕様書, imported by the
    DX office of a municipality (every municipality keeps its own copy; 機能ID is the shared key)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="fitgap_catalogues", editable=False
    )
    operation = models.ForeignKey(
        TargetOperation, verbose_name=_("標準化対象業務"), on_delete=models.PROTECT, related_name="fitgap_catalogues"
    )
    title = models.CharField(_("仕様書名"), max_length=200, help_text=_("例: 住民記録システム標準仕様書"))
    version_label = models.CharField(_("版"), max_length=30, help_text=_("例: 第5.0版"))
    published_on = models.DateField(_("公開日"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("前の版"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    imported_at = models.DateTimeField(_("取込日時"), auto_now_add=True)
    imported_by = models.ForeignKey(
        "portal.User", verbose_name=_("取込者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_name = models.CharField(_("取込ファイル名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("要件カタログ（標準仕様書の版）")
        verbose_name_plural = _("要件カタログ（標準仕様書の版）")
        ordering = ["municipality", "operation__number", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "operation", "version_label"], name="fitgap_catalogue_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.title} {self.version_label}"


class Requirement(models.Model):
    """One requirement (機能要件・帳票要件 …) of a catalogue."""

    class Category(models.TextChoices):
        FUNCTION = "function", _("機能")
        FORM = "form", _("帳票")
        INTEGRATION = "integration", _("連携")
        DATA = "data", _("データ")
        NON_FUNCTIONAL = "non_functional", _("非機能")

    class Level(models.TextChoices):
        MANDATORY = "mandatory", _("実装必須")
        OPTIONAL = "optional", _("標準オプション")
        FORBIDDEN = "forbidden", _("実装不可")

    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("要件カタログ"), on_delete=models.CASCADE, related_name="requirements"
    )
    function_id = models.CharField(_("機能ID"), max_length=50)
    name = models.CharField(_("機能名"), max_length=200)
    category = models.CharField(_("要件の分類"), max_length=20, choices=Category.choices)
    level = models.CharField(_("実装区分"), max_length=20, choices=Level.choices)
    content = models.TextField(_("要件の内容"))
    notes = models.TextField(_("備考"), blank=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    COMPARED_FIELDS = ("name", "category", "level", "content", "notes")

    class Meta:
        verbose_name = _("要件")
        verbose_name_plural = _("要件")
        ordering = ["catalogue", "sort_order", "function_id"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "function_id"], name="fitgap_requirement_id_unique")
        ]

    def __str__(self):
        return f"{self.function_id} {self.name}"


class Analysis(models.Model):
    """The gap analysis of one migration project, made against one catalogue version."""

    project = models.OneToOneField(
        MigrationProject,
        verbose_name=pgettext_lazy("model", "移行案件"),
        on_delete=models.CASCADE,
        related_name="fitgap_analysis",
    )
    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("比較した標準仕様書の版"), on_delete=models.PROTECT, related_name="analyses"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Fit & Gap分析")
        verbose_name_plural = _("Fit & Gap分析")
        ordering = ["project__operation__number"]

    def __str__(self):
        return f"{self.project.operation.name}のFit & Gap分析（{self.catalogue}）"

    def clean(self):
        if self.project_id and self.catalogue_id:
            if self.catalogue.operation_id != self.project.operation_id:
                raise ValidationError({"catalogue": gettext("案件と同じ業務の標準仕様書を選んでください。")})
            if self.catalogue.municipality_id != self.project.municipality_id:
                raise ValidationError({"catalogue": gettext("自団体で取り込んだ標準仕様書を選んでください。")})


class GapItem(models.Model):
    """One row of an analysis: a spec requirement, a customisation of the current package
    (カスタマイズ一覧), or a row of the vendor's 標準仕様_機能比較表."""

    class Kind(models.TextChoices):
        SPEC = "spec", _("標準仕様")
        CUSTOMISATION = "customisation", _("カスタマイズ")
        COMPARISON = "comparison", _("機能比較表")

    class Support(models.TextChoices):
        FULL = "full", _("対応あり")
        PARTIAL = "partial", _("一部")
        NONE = "none", _("なし")

    class Judgement(models.TextChoices):
        FIT = "fit", _("Fit")
        GAP = "gap", _("Gap")

    class OptionChoice(models.TextChoices):
        ADOPT = "adopt", _("採用")
        REJECT = "reject", _("不採用")

    class ComparisonStatus(models.TextChoices):
        ADDED = "added", pgettext_lazy("comparison status", "追加")
        CHANGED = "changed", pgettext_lazy("comparison status", "変更")
        REMOVED = "removed", pgettext_lazy("comparison status", "削除")

    class Impact(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    class Policy(models.TextChoices):
        BPR = "bpr", _("業務運用の見直し(BPR)")
        OPTION = "option", _("標準オプション機能で対応")
        EXTERNAL_TOOL = "external_tool", _("外部ツール(表計算・RPA・ノーコード)")
        NON_STANDARD_SYSTEM = "non_standard_system", _("標準化対象外システムで対応")
        ASK_NATIONAL = "ask_national", _("国へ照会")
        UNDECIDED = "undecided", _("未定")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未検討")
        IN_PROGRESS = "in_progress", _("検討中")
        DECIDED = "decided", _("決定")

    analysis = models.ForeignKey(
        Analysis, verbose_name=_("Fit & Gap分析"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("行の種類"), max_length=20, choices=Kind.choices)
    key = models.CharField(
        _("ID"), max_length=50, help_text=_("標準仕様は機能ID、カスタマイズ・機能比較表はベンダ資料の番号。")
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("要件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gap_items",
        editable=False,
    )
    title = models.CharField(_("機能名・項目名"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    comparison_status = models.CharField(_("比較表の状態"), max_length=10, choices=ComparisonStatus.choices, blank=True)
    current_support = models.CharField(_("現行システムでの対応"), max_length=10, choices=Support.choices, blank=True)
    judgement = models.CharField(_("判定"), max_length=10, choices=Judgement.choices, blank=True)
    option_choice = models.CharField(_("標準オプションの採否"), max_length=10, choices=OptionChoice.choices, blank=True)
    impact = models.CharField(_("影響度"), max_length=10, choices=Impact.choices, blank=True)
    impact_description = models.TextField(_("影響内容"), blank=True)
    policy = models.CharField(_("対応方針"), max_length=30, choices=Policy.choices, default=Policy.UNDECIDED)
    owner = models.CharField(_("担当者"), max_length=50, blank=True)
    due_date = models.DateField(_("対応期限"), null=True, blank=True)
    status = models.CharField(_("検討状況"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    decision = models.TextField(_("決定内容"), blank=True)
    needs_review = models.BooleanField(_("仕様改定により要確認"), default=False)
    # The issue/risk register item raised from this row (課題管理表への起票), if any.
    risk_issue = models.ForeignKey(
        "migration.RiskIssue",
        verbose_name=_("課題管理表の項目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gap_items",
        editable=False,
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    version = models.PositiveIntegerField(_("版数"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Fit & Gap分析の行")
        verbose_name_plural = _("Fit & Gap分析の行")
        ordering = ["analysis", "sort_order", "key"]
        constraints = [models.UniqueConstraint(fields=["analysis", "kind", "key"], name="fitgap_item_key_unique")]
        indexes = [models.Index(fields=["analysis", "judgement", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} {self.display_title}"

    @property
    def display_title(self) -> str:
        return self.requirement.name if self.requirement_id else self.title

    @property
    def display_description(self) -> str:
        return self.requirement.content if self.requirement_id else self.description

    @property
    def is_gap(self) -> bool:
        return self.judgement == self.Judgement.GAP

    def is_overdue(self, today: dt.date) -> bool:
        return bool(self.due_date and self.due_date < today and self.status != self.Status.DECIDED)

    def clean(self):
        errors = {}
        if not (self.key or "").strip():
            errors["key"] = gettext("IDを入力してください。")
        if self.kind == self.Kind.SPEC:
            if not self.requirement_id:
                errors["key"] = gettext("標準仕様の行は要件カタログの機能IDに対応している必要があります。")
            elif self.option_choice and self.requirement.level != Requirement.Level.OPTIONAL:
                errors["option_choice"] = gettext("採用・不採用は実装区分が「標準オプション」の要件だけ選べます。")
        else:
            if self.option_choice:
                errors["option_choice"] = gettext("採用・不採用は標準仕様の行だけ選べます。")
            if not (self.title or "").strip():
                errors["title"] = gettext("機能名・項目名を入力してください。")
        if self.kind == self.Kind.COMPARISON and not self.comparison_status:
            errors["comparison_status"] = gettext("機能比較表の行は状態（追加・変更・削除）を選んでください。")
        if self.kind != self.Kind.COMPARISON and self.comparison_status:
            errors["comparison_status"] = gettext("比較表の状態は機能比較表の行だけ選べます。")
        if self.status == self.Status.DECIDED:
            if not (self.decision or "").strip():
                errors["decision"] = gettext("検討状況を「決定」にするには決定内容を入力してください。")
            if not self.judgement:
                errors["judgement"] = gettext("検討状況を「決定」にするには判定（Fit・Gap）を選んでください。")
            elif self.is_gap and self.policy == self.Policy.UNDECIDED:
                errors["policy"] = gettext("Gapを「決定」にするには対応方針を「未定」以外から選んでください。")
        if self.is_gap and not self.impact and self.status != self.Status.NOT_STARTED:
            errors["impact"] = gettext("Gapの検討を進めるには影響度（高・中・低）を選んでください。")
        if errors:
            raise ValidationError(errors)
