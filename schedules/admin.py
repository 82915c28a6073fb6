from django.contrib import admin

from schedules.models import Baseline, BaselineStep, Milestone


class BaselineStepInline(admin.TabularInline):
    model = BaselineStep
    extra = 0
    can_delete = False
    fields = ["project", "step_number", "status", "planned_start", "planned_end"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "created_at", "created_by"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    readonly_fields = ["municipality", "created_at", "created_by"]
    inlines = [BaselineStepInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "date", "end_date", "municipality"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
