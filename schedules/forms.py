from django import forms
from django.utils.translation import gettext_lazy as _

from migration.models import TargetOperation
from portal.forms import DateInput
from schedules.models import Baseline, Milestone
from schedules.selectors import GROUPINGS, ZOOMS


class ScheduleViewForm(forms.Form):
    """Zoom and baseline of a Gantt (GET)."""

    zoom = forms.ChoiceField(label=_("表示単位"), choices=list(ZOOMS.items()), required=False, widget=forms.RadioSelect)
    baseline = forms.ModelChoiceField(
        label=_("ベースラインと比較"), queryset=Baseline.objects.none(), required=False, empty_label=_("比較しない")
    )

    defaults = {"zoom": "month"}

    def __init__(self, data, *args, baselines, **kwargs):
        data = data.copy()
        for name, value in self.defaults.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, *args, **kwargs)
        self.fields["baseline"].queryset = baselines

    def value(self, name, default=None):
        """The field's cleaned value; an invalid field alone falls back to ``default``, the valid ones are kept."""
        self.is_valid()  # cleans once; cleaned_data then holds only the fields that are valid
        return self.cleaned_data.get(name) or default


class PortfolioFilterForm(ScheduleViewForm):
    department = forms.ModelChoiceField(label=_("業務主管課"), queryset=None, required=False, empty_label=_("すべて"))
    group = forms.ChoiceField(
        label=_("業務グループ"), choices=[("", _("すべて")), *TargetOperation.Group.choices], required=False
    )
    group_by = forms.ChoiceField(label=_("まとめ方"), choices=list(GROUPINGS.items()), required=False)
    late_only = forms.BooleanField(label=_("遅延のある案件のみ"), required=False)
    difficult_only = forms.BooleanField(label=_("移行困難システムのみ"), required=False)

    defaults = {"zoom": "month", "group_by": "department"}
    field_order = ["department", "group", "group_by", "late_only", "difficult_only", "zoom", "baseline"]

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    export_fields = ["department", "group", "group_by", "late_only", "difficult_only", "baseline"]

    def export_values(self) -> list[tuple[str, str]]:
        """The filters in effect (invalid ones dropped) as the スケジュール表 export's hidden inputs (no zoom)."""
        values = []
        for name in self.export_fields:
            value = self.value(name)
            if value in (None, "", False):
                continue
            values.append((name, "on" if value is True else str(getattr(value, "pk", value))))
        return values


class BaselineForm(forms.ModelForm):
    class Meta:
        model = Baseline
        fields = ["name", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "name", "date", "end_date"]
        widgets = {"date": DateInput(), "end_date": DateInput()}
