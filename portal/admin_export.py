"""Admin export of registries to xlsx/csv with django-import-export (export only: imports go through
the portal's own all-or-nothing importers, which report row, column and reason in Japanese)."""

from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from portal.excel import csv_safe


class SafeResource(resources.ModelResource):
    """Text that a spreadsheet would read as a formula (= + - @) is neutralised with an apostrophe."""

    def export_field(self, field, instance, **kwargs):
        return csv_safe(super().export_field(field, instance, **kwargs))


def safe_resource(model_class, field_names=None):
    meta = type("Meta", (), {"model": model_class, **({"fields": field_names} if field_names else {})})
    return type(f"{model_class.__name__}Resource", (SafeResource,), {"Meta": meta})


class SafeExportMixin(ExportMixin):
    """Export to xlsx or csv; set ``resource_classes = [safe_resource(Model)]`` on the ModelAdmin."""

    formats = [XLSX, CSV]
