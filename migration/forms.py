from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from migration.models import MigrationProject, MonthlyReport, ReportMeeting, RiskIssue, StepProgress
from migration.selectors import possible_reporters
from portal.forms import DateInput, VersionedModelForm
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
    department = forms.ModelChoiceField(queryset=None, required=False, label=_("業務主管課"), empty_label=_("すべて"))
    late_only = forms.BooleanField(required=False, label=_("遅延のある案件のみ"))

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


# ---------------------------------------------------------------------------
# Monthly reports and the issue/risk register
# ---------------------------------------------------------------------------


class MonthlyReportForm(VersionedModelForm):
    class Meta:
        model = MonthlyReport
        fields = [
            "reporter", "period_start", "period_end", "contact", "overall_status", "overall_reason", "work_done",
            "next_plan", "notes_to_office",
        ]  # fmt: skip
        widgets = {
            "work_done": forms.Textarea(attrs={"rows": 5}),
            "next_plan": forms.Textarea(attrs={"rows": 5}),
            "notes_to_office": forms.Textarea(attrs={"rows": 3}),
            "overall_status": forms.RadioSelect,
        }
        help_texts = {"overall_reason": _("全体状況が「注意」「遅延」の場合に1行で入力してください。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reporter = self.fields["reporter"]
        reporter.queryset = possible_reporters(self.instance.project)
        reporter.required = True
        reporter.empty_label = None
        reporter.help_text = _("業務主管課の職員または事務局の職員から選びます。")


class ReportMeetingForm(forms.ModelForm):
    """One 打合せ予定 row. The rows carry no ids: a save replaces them as a whole under the report's
    version check, so a form loaded before someone else's save gets the normal conflict message."""

    class Meta:
        model = ReportMeeting
        fields = ["date", "party", "purpose"]
        widgets = {"date": DateInput()}

    def row(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BaseMeetingFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The rows to keep: filled in and not marked 削除 (untouched blank rows are ignored)."""
        return [f.row() for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


MeetingFormSet = forms.formset_factory(ReportMeetingForm, formset=BaseMeetingFormSet, extra=2, can_delete=True)


def meeting_formset(data, report) -> BaseMeetingFormSet:
    """The report's meeting rows by value (date, party, purpose), never by id."""
    initial = [{"date": m.date, "party": m.party, "purpose": m.purpose} for m in report.meetings.all()]
    return MeetingFormSet(data, initial=initial, prefix="meeting")


class ReportStepForm(StepProgressForm):
    """One step row changed in place from the report form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("note",):
            self.fields[name].widget = forms.TextInput()

    def has_real_changes(self) -> bool:
        return any(name != "version" for name in self.changed_data)


class NewIssueForm(forms.ModelForm):
    """A new register item added from the report form (all optional: left empty adds nothing)."""

    class Meta:
        model = RiskIssue
        fields = ["kind", "step", "description", "importance", "due_date", "due_reason", "category",
                  "involves_dx_office", "other_departments", "involves_vendor", "involves_consultant"]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
            "other_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.fields["other_departments"].queryset = project.municipality.departments.exclude(
            pk=project.department_id
        ).exclude(is_dx_office=True)

    def is_empty(self) -> bool:
        return not (self.data.get(self.add_prefix("description")) or "").strip()

    def full_clean(self):
        if self.is_bound and self.is_empty():
            self.cleaned_data, self._errors = {}, ErrorDict()
            return
        super().full_clean()

    def _post_clean(self):
        pass  # the service validates the whole item with its project

    def issue_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "other_departments"}
        data["other_departments"] = list(self.cleaned_data.get("other_departments") or [])
        return data


class RiskIssueForm(VersionedModelForm):
    class Meta:
        model = RiskIssue
        fields = ["kind", "step", "work_item", "description", "importance", "raised_on", "due_date", "due_reason",
                  "involves_dx_office", "other_departments", "involves_vendor", "involves_consultant", "category",
                  "notes", "status", "response", "completed_on"]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 3}),
            "other_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
        self.fields["other_departments"].queryset = project.municipality.departments.exclude(
            pk=project.department_id
        ).exclude(is_dx_office=True)

    def _post_clean(self):
        pass  # the service runs the model's full_clean with the project set

    def issue_data(self) -> tuple[dict, list]:
        data = {n: v for n, v in self.cleaned_data.items() if n not in ("version", "other_departments")}
        return data, list(self.cleaned_data.get("other_departments") or [])


class ReturnReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    return_comment = forms.CharField(
        label=_("差戻しの理由（修正してほしい点）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("差戻しの理由（修正してほしい点）を入力してください。")},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("コメント"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("コメントを入力してください。")},
    )


class IssueFilterForm(forms.Form):
    importance = forms.ChoiceField(
        label=_("重要度"), required=False, choices=[("", _("すべて")), *RiskIssue.Importance.choices]
    )
    kind = forms.ChoiceField(label=_("区分"), required=False, choices=[("", _("すべて")), *RiskIssue.Kind.choices])
    status = forms.ChoiceField(
        label=_("対応状況"), required=False, choices=[("", _("すべて")), *RiskIssue.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("分類"), required=False, choices=[("", _("すべて")), *RiskIssue.Category.choices]
    )
    department = forms.ModelChoiceField(label=_("所管課"), required=False, queryset=None, empty_label=_("すべて"))
    overdue = forms.BooleanField(label=_("対応希望期限を過ぎた未完了のみ"), required=False)
    sort = forms.ChoiceField(
        label=_("並び順"),
        required=False,
        choices=[
            ("importance", _("重要度（高→低）")),
            ("due_date", _("対応希望期限（早い順）")),
            ("-raised_on", _("起票日（新しい順）")),
            ("number", _("No順")),
            ("department", _("所管課順")),
        ],
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def params(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["department"] = data["department"].id if data.get("department") else None
        return data


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("課題管理表（Excelファイル .xlsx）"),
        error_messages={"required": _("取り込むExcelファイルを選んでください。")},
    )
