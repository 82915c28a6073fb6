from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fitgap.models import Analysis, Catalogue, GapItem, Requirement


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["function_id", "name", "category", "level", "sort_order"]
    show_change_link = True


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """Catalogues are imported from the portal's page (all or nothing); here they are read and corrected."""

    list_display = ["title", "version_label", "operation", "municipality", "imported_at", "imported_by"]
    list_filter = ["operation", "municipality"]
    readonly_fields = ["municipality", "previous", "imported_at", "imported_by", "source_name"]
    inlines = [RequirementInline]

    def has_add_permission(self, request):
        return False


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["function_id", "name", "category", "level", "catalogue"]
    list_filter = ["category", "level", "catalogue__operation"]
    search_fields = ["function_id", "name", "content"]


@admin.register(Analysis)
class AnalysisAdmin(SimpleHistoryAdmin):
    list_display = ["project", "catalogue", "updated_at"]
    readonly_fields = ["project", "catalogue", "version"]

    def has_add_permission(self, request):
        return False


@admin.register(GapItem)
class GapItemAdmin(SimpleHistoryAdmin):
    list_display = ["key", "kind", "display_title", "judgement", "impact", "policy", "status", "due_date", "analysis"]
    list_filter = ["kind", "judgement", "impact", "policy", "status"]
    search_fields = ["key", "title", "requirement__name"]
    readonly_fields = ["analysis", "kind", "key", "requirement", "risk_issue", "version"]
    list_select_related = ["requirement", "analysis__project__operation", "analysis__project__municipality"]

    def has_add_permission(self, request):
        return False
