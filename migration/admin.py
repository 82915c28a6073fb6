from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from migration.models import (
    MigrationProject,
    MonthlyReport,
    ProcedureStep,
    ReportMeeting,
    ReportReminder,
    RiskIssue,
    RiskIssueComment,
    StepProgress,
    TargetOperation,
)
from portal.admin_export import SafeExportMixin, safe_resource


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
class MigrationProjectAdmin(SafeExportMixin, SimpleHistoryAdmin):
    resource_classes = [safe_resource(MigrationProject)]
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


class ReportMeetingInline(admin.TabularInline):
    model = ReportMeeting
    extra = 0


@admin.register(MonthlyReport)
class MonthlyReportAdmin(SimpleHistoryAdmin):
    """Reports are written and reviewed on the pages (workflow rules live in the services); read here."""

    list_display = ["project", "month", "state", "overall_status", "submitted_at", "reviewed_at"]
    list_filter = ["state", "overall_status", "month", "project__municipality"]
    search_fields = ["project__operation__name", "work_done", "next_plan"]
    list_select_related = ["project__operation", "project__municipality"]
    inlines = [ReportMeetingInline]
    readonly_fields = ["state", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "version"]


@admin.register(ReportReminder)
class ReportReminderAdmin(admin.ModelAdmin):
    list_display = ["project", "month", "sent_on", "sent_by", "recipients"]
    list_filter = ["sent_on", "month"]
    list_select_related = ["project__operation", "project__municipality", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RiskIssueCommentInline(admin.TabularInline):
    model = RiskIssueComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(RiskIssue)
class RiskIssueAdmin(SimpleHistoryAdmin):
    list_display = ["number", "project", "kind", "importance", "status", "due_date", "is_cross_cutting"]
    list_filter = ["municipality", "importance", "status", "kind", "category", "is_cross_cutting"]
    search_fields = ["description", "response", "notes"]
    list_select_related = ["project__operation", "project__municipality"]
    inlines = [RiskIssueCommentInline]
    readonly_fields = ["number", "municipality", "is_cross_cutting", "version"]
