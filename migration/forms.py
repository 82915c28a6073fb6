from django import forms

from migration.models import MigrationProject, StepProgress
from portal.forms import VersionedModelForm
from vendors.models import Contract, Vendor


class StepProgressForm(VersionedModelForm):
    class Meta:
        model = StepProgress
        fields = [
            "status",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "percent_done",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["percent_done"].widget.attrs.update(min=0, max=100)


class ProjectForm(VersionedModelForm):
    class Meta:
        model = MigrationProject
        fields = [
            "department", "current_system_name", "current_vendor", "current_contract", "migration_pattern",
            "approach", "gov_cloud_use", "is_difficult", "difficult_reason", "individual_deadline",
            "target_go_live", "notes",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "difficult_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.instance.municipality
        self.fields["department"].queryset = municipality.departments.all()
        self.fields["current_contract"].queryset = Contract.objects.filter(municipality=municipality)
        self.fields["current_vendor"].queryset = Vendor.objects.all()


class ProjectFilterForm(forms.Form):
    department = forms.ModelChoiceField(queryset=None, required=False, label="業務主管課", empty_label="すべて")
    late_only = forms.BooleanField(required=False, label="遅延のある案件のみ")

    def __init__(self, *args, municipality_departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = municipality_departments


class ProjectCreateForm(forms.ModelForm):
    """A new project for an operation the municipality does not track yet."""

    class Meta:
        model = MigrationProject
        fields = ["operation", "department", "current_system_name", "current_vendor", "migration_pattern",
                  "target_go_live"]  # fmt: skip

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.forms import DateInput

        tracked = MigrationProject.objects.filter(municipality=municipality).values("operation")
        self.fields["operation"].queryset = self.fields["operation"].queryset.exclude(pk__in=tracked)
        self.fields["department"].queryset = municipality.departments.all()
        self.fields["target_go_live"].widget = DateInput()
