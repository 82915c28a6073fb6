"""Schedules: saved baselines of the plan and the municipality's own milestones (議会, etc.)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality


class Baseline(models.Model):
    """ベースライン: the planned dates of every step of a municipality, saved under a name."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="baselines", editable=False
    )
    name = models.CharField(_("ベースライン名"), max_length=100, help_text=_("例: 令和6年度当初計画"))
    note = models.TextField(_("説明"), blank=True)
    created_at = models.DateTimeField(_("保存日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        "portal.User", verbose_name=_("保存者"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ベースライン")
        verbose_name_plural = _("ベースライン")
        ordering = ["municipality", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="baseline_name_unique")]

    def __str__(self):
        return self.name


class BaselineStep(models.Model):
    """The planned dates one step had when the baseline was saved."""

    baseline = models.ForeignKey(
        Baseline, verbose_name=_("ベースライン"), on_delete=models.CASCADE, related_name="steps"
    )
    progress = models.ForeignKey(
        "migration.StepProgress", verbose_name=_("手順の進捗"), on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "migration.MigrationProject",
        verbose_name=pgettext_lazy("model", "移行案件"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    step_number = models.PositiveSmallIntegerField(_("手順番号"))
    status = models.CharField(_("状態"), max_length=20)
    planned_start = models.DateField(_("予定開始日"), null=True, blank=True)
    planned_end = models.DateField(_("予定終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("ベースラインの手順")
        verbose_name_plural = _("ベースラインの手順")
        ordering = ["baseline", "project", "step_number"]
        constraints = [models.UniqueConstraint(fields=["baseline", "progress"], name="one_baseline_row_per_step")]

    def __str__(self):
        return f"{self.baseline} / {self.project_id} 手順{self.step_number}"


class Milestone(models.Model):
    """団体のマイルストーン: council sessions and other dates shown on every Gantt of the municipality.
    予算要求 dates come from the municipality's settings and are not stored here."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("議会")
        BUDGET = "budget", _("予算")
        OTHER = "other", _("その他")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="milestones", editable=False
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    name = models.CharField(_("名称"), max_length=100, help_text=_("例: 令和7年第4回定例会"))
    date = models.DateField(_("日付（開始日）"))
    end_date = models.DateField(_("終了日"), null=True, blank=True, help_text=_("会期のように期間がある場合だけ。"))

    class Meta:
        verbose_name = _("団体のマイルストーン")
        verbose_name_plural = _("団体のマイルストーン")
        ordering = ["municipality", "date", "id"]

    def __str__(self):
        return f"{self.name}（{self.date}）"

    def clean(self):
        if self.date and self.end_date and self.end_date < self.date:
            raise ValidationError({"end_date": gettext("終了日は日付（開始日）以降の日付にしてください。")})
