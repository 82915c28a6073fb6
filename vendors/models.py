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
    package_name = models.CharField("パッケージ名", max_length=100)
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
