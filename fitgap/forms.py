from django import forms
from django.utils.translation import gettext_lazy as _

from fitgap.models import Catalogue, GapItem
from portal.forms import DateInput, VersionedModelForm

ALL = _("すべて")


def _blank_choices(choices, blank=ALL):
    return [("", blank)] + list(choices)


class CatalogueImportForm(forms.Form):
    operation = forms.ModelChoiceField(queryset=None, label=_("標準化対象業務"), empty_label=_("選んでください"))
    title = forms.CharField(label=_("仕様書名"), max_length=200, help_text=_("例: 住民記録システム標準仕様書"))
    version_label = forms.CharField(label=_("版"), max_length=30, help_text=_("例: 第5.0版"))
    published_on = forms.DateField(label=_("公開日"), required=False, widget=DateInput())
    file = forms.FileField(label=_("要件一覧ファイル（.xlsx または .csv）"))

    def __init__(self, *args, **kwargs):
        from migration.models import TargetOperation

        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = TargetOperation.objects.all()


class StartAnalysisForm(forms.Form):
    catalogue = forms.ModelChoiceField(
        queryset=None, label=_("比較する標準仕様書の版"), empty_label=_("選んでください")
    )

    def __init__(self, *args, catalogues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue"].queryset = catalogues


class MoveCatalogueForm(StartAnalysisForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def refresh_version(self, current) -> None:
        """After a conflict: keep the choice, base the next save on the current analysis."""
        data = self.data.copy()
        data["version"] = current.version
        self.data = data


class GapItemForm(VersionedModelForm):
    """The judgement fields of a row, edited in place in the table; for a カスタマイズ / 機能比較表 row
    also its 機能名・項目名, 内容 (and 比較表の状態), which a spec row takes from the catalogue."""

    class Meta:
        model = GapItem
        fields = [
            "title", "description", "comparison_status", "current_support", "judgement", "option_choice", "impact",
            "impact_description", "policy", "owner", "due_date", "status", "decision",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "impact_description": forms.Textarea(attrs={"rows": 2}),
            "decision": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        # unique ids: several rows can be open at once on the table page beside the filters and bulk form
        kwargs.setdefault("auto_id", f"id_item{instance.pk if instance else 'new'}_%s")
        super().__init__(*args, **kwargs)
        self.fields["current_support"].choices = _blank_choices(GapItem.Support.choices, _("（未入力）"))
        self.fields["judgement"].choices = _blank_choices(GapItem.Judgement.choices, _("（未判定）"))
        self.fields["option_choice"].choices = _blank_choices(GapItem.OptionChoice.choices, _("（該当なし・未選択）"))
        self.fields["impact"].choices = _blank_choices(GapItem.Impact.choices, _("（未設定）"))
        item = self.instance
        if item.kind == GapItem.Kind.SPEC and (item.requirement is None or item.requirement.level != "optional"):
            del self.fields["option_choice"]
        elif item.kind != GapItem.Kind.SPEC:
            del self.fields["option_choice"]
        if item.kind != GapItem.Kind.SPEC:
            del self.fields["current_support"]
            self.fields["title"].required = True
            self.fields["title"].error_messages["required"] = _("機能名・項目名を入力してください。")
        else:  # shown from the requirement of the catalogue
            for name in ("title", "description", "comparison_status"):
                del self.fields[name]
        if item.kind == GapItem.Kind.COMPARISON:
            self.fields["comparison_status"].choices = _blank_choices(GapItem.ComparisonStatus.choices, _("（未選択）"))
        elif "comparison_status" in self.fields:  # only 機能比較表 rows have a status
            del self.fields["comparison_status"]
        for name in ("owner",):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def _post_clean(self):  # the service validates the whole row (its errors land on the form)
        pass

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class NewItemForm(forms.ModelForm):
    """A row of the current vendor's カスタマイズ一覧 or 標準仕様_機能比較表."""

    kind = forms.ChoiceField(
        label=_("行の種類"),
        choices=[
            (GapItem.Kind.CUSTOMISATION, _("カスタマイズ（カスタマイズ一覧）")),
            (GapItem.Kind.COMPARISON, _("機能比較表（標準仕様_機能比較表）")),
        ],
    )
    key = forms.CharField(
        label=_("ID"), max_length=50, required=False, help_text=_("ベンダ資料の番号。空欄なら自動で採番します。")
    )

    class Meta:
        model = GapItem
        fields = [
            "title",
            "description",
            "comparison_status",
            "judgement",
            "impact",
            "impact_description",
            "policy",
            "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["comparison_status"].choices = _blank_choices(
            GapItem.ComparisonStatus.choices, _("（カスタマイズの場合は空欄）")
        )
        self.fields["judgement"].choices = _blank_choices(GapItem.Judgement.choices, _("（未判定）"))
        self.fields["impact"].choices = _blank_choices(GapItem.Impact.choices, _("（未設定）"))

    def _post_clean(self):  # the service validates the whole row
        pass

    def item_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("行の種類"), required=False, choices=_blank_choices(GapItem.Kind.choices))
    judgement = forms.ChoiceField(
        label=_("判定"), required=False, choices=_blank_choices(GapItem.Judgement.choices) + [("none", _("未判定"))]
    )
    impact = forms.ChoiceField(
        label=_("影響度"), required=False, choices=_blank_choices(GapItem.Impact.choices) + [("none", _("未設定"))]
    )
    policy = forms.ChoiceField(label=_("対応方針"), required=False, choices=_blank_choices(GapItem.Policy.choices))
    status = forms.ChoiceField(label=_("検討状況"), required=False, choices=_blank_choices(GapItem.Status.choices))
    overdue = forms.BooleanField(label=_("期限超過（未決定）のみ"), required=False)
    needs_review = forms.BooleanField(label=_("仕様改定で要確認のみ"), required=False)

    def params(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class BulkForm(forms.Form):
    owner = forms.CharField(label=_("担当者"), max_length=50, required=False)
    due_date = forms.DateField(label=_("対応期限"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if not (data.get("owner") or "").strip() and not data.get("due_date"):
            raise forms.ValidationError(_("一括変更する担当者または対応期限を入力してください。"))
        return data


class SurveyImportForm(forms.Form):
    file = forms.FileField(label=_("記入した調査票（.xlsx）"))


class CatalogueChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Catalogue):
        return f"{obj.title} {obj.version_label}"
