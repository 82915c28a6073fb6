from django import forms
from django.utils.translation import gettext_lazy as _

from migration.models import MigrationProject
from portal.forms import DateInput, VersionedModelForm
from vendors.models import Contract, Rfi, Rfp, Vendor


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "corporate_number", "address", "contact_name", "contact_email", "contact_phone"]
        help_texts = {"corporate_number": _("13桁の数字（国税庁の法人番号）")}


class VendorEditForm(VersionedModelForm):
    class Meta(VendorForm.Meta):
        pass


class InviteForm(forms.Form):
    username = forms.CharField(label=_("ログインID"), max_length=150)
    last_name = forms.CharField(label=_("氏名（姓）"), max_length=150)
    first_name = forms.CharField(label=_("氏名（名）"), max_length=150, required=False)
    email = forms.EmailField(label=_("メールアドレス"), help_text=_("パスワード設定用のリンクを送ります。"))


class FileForm(forms.Form):
    file = forms.FileField(label=_("ファイル"), help_text=_("PDF・Excel・Word・CSV・ZIP・PNG・JPEG、20MBまで"))


class ContractForm(VersionedModelForm):
    class Meta:
        model = Contract
        fields = ["vendor", "package_name", "kind", "projects", "start_date", "end_date", "amount", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "projects": forms.CheckboxSelectMultiple}
        help_texts = {"amount": _("円単位・税込の整数")}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
        self.fields["projects"].queryset = MigrationProject.objects.filter(municipality=municipality).select_related(
            "operation"
        )
        self.fields["amount"].widget.attrs.update(min=0, step=1)


class RfiForm(VersionedModelForm):
    vendors = forms.ModelMultipleChoiceField(
        label=_("依頼先のベンダ"), queryset=Vendor.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Rfi
        fields = ["title", "description", "projects", "deadline", "vendors"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "projects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
        else:
            self.initial.setdefault("vendors", [i.vendor_id for i in self.instance.invitations.all()])
        self.fields["projects"].queryset = MigrationProject.objects.filter(municipality=municipality).select_related(
            "operation"
        )
        self.fields["deadline"].widget = DateInput()


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("追加する質問"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ReopenForm(forms.Form):
    until = forms.DateField(label=_("再受付の期限"), widget=DateInput())


class RfpForm(forms.ModelForm):
    class Meta:
        model = Rfp
        fields = ["title", "rfi", "projects", "vendors"]
        widgets = {"projects": forms.CheckboxSelectMultiple, "vendors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rfi"].queryset = Rfi.objects.filter(municipality=municipality)
        self.fields["projects"].queryset = MigrationProject.objects.filter(municipality=municipality).select_related(
            "operation"
        )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("評価基準"), max_length=200, help_text=_("例: 提案書、デモ、プレゼン"))
    weight = forms.IntegerField(label=_("配点（重み）"), min_value=1, initial=10)
    max_score = forms.IntegerField(label=_("満点"), min_value=1, initial=5)


class SelectionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    vendor = forms.ModelChoiceField(label=_("選定ベンダ"), queryset=Vendor.objects.none())
    reason = forms.CharField(label=_("選定理由"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("決定日"), widget=DateInput())
    package_name = forms.CharField(label=_("パッケージ名"), max_length=100)
    kind = forms.ChoiceField(label=_("契約種別"), choices=Contract.Kind.choices, initial=Contract.Kind.INTRODUCTION)
    start_date = forms.DateField(label=_("契約開始日"), widget=DateInput())
    end_date = forms.DateField(label=_("契約終了日"), widget=DateInput())
    amount = forms.IntegerField(label=_("契約金額（円・税込）"), min_value=0, required=False)

    def __init__(self, *args, rfp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = rfp.vendors.all()
        if not self.is_bound:
            self.initial["version"] = rfp.version

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("契約終了日は契約開始日以降の日付にしてください。"))
        return data

    def refresh_version(self, current):
        data = self.data.copy()
        data["version"] = current.version
        self.data = data
