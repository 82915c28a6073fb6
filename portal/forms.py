from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionedModelForm(forms.ModelForm):
    """A model form carrying the version the user loaded, for optimistic locking."""

    version = forms.IntegerField(label=_("版数"), widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DateInput()

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def refresh_version(self, current) -> None:
        """After a conflict: keep what the user typed, but base the next save on the current row."""
        data = self.data.copy()
        data[self.add_prefix("version")] = current.version
        self.data = data
