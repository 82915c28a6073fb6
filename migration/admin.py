from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from migration.models import MigrationProject, ProcedureStep, StepProgress, TargetOperation


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data comes from fixtures/ through migrations; it is read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TargetOperation)
class TargetOperationAdmin(ReferenceDataAdmin):
    list_display = ["number", "name", "group", "ministry", "is_core17"]
    list_filter = ["group", "is_core17"]


@admin.register(ProcedureStep)
class ProcedureStepAdmin(ReferenceDataAdmin):
    list_display = [
        "number",
        "name",
        "phase",
        "typical_months_min",
        "typical_months_max",
        "department_responsible",
        "dx_office_responsible",
        "vendor_responsible",
        "skipped_without_vendor_change",
    ]
    list_filter = ["phase"]


class StepProgressInline(admin.TabularInline):
    model = StepProgress
    extra = 0
    can_delete = False
    fields = [
        "step",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "percent_done",
        "note",
    ]
    readonly_fields = ["step"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MigrationProject)
class MigrationProjectAdmin(SimpleHistoryAdmin):
    list_display = [
        "operation",
        "municipality",
        "department",
        "migration_pattern",
        "is_difficult",
        "target_go_live",
    ]
    list_filter = ["municipality", "migration_pattern", "is_difficult", "operation__group"]
    search_fields = ["operation__name", "current_system_name"]
    inlines = [StepProgressInline]


@admin.register(StepProgress)
class StepProgressAdmin(SimpleHistoryAdmin):
    list_display = ["project", "step", "status", "planned_start", "planned_end", "actual_end", "percent_done"]
    list_filter = ["status", "project__municipality", "step__phase"]
