from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.models import Department, Job, Municipality, OversightGroup, ReportRun, User


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefecture", "kind"]
    list_filter = ["prefecture", "kind"]
    search_fields = ["name", "code"]
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_dx_office", "sort_order"]
    list_filter = ["municipality", "is_dx_office"]
    search_fields = ["name"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "municipality", "vendor", "is_active"]
    list_filter = ["role", "municipality", "vendor", "is_active"]
    filter_horizontal = ["departments", "groups", "user_permissions"]
    fieldsets = UserAdmin.fieldsets + (
        (
            "所属と役割",
            {"fields": ["role", "municipality", "departments", "vendor", "oversight_group", "phone_extension"]},
        ),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("所属と役割", {"fields": ["role", "municipality", "departments", "vendor", "oversight_group"]}),
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "municipality",
        "state",
        "progress",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["state", "kind", "municipality"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OversightGroup)
class OversightGroupAdmin(admin.ModelAdmin):
    """Prefectures and joint-use groups: which municipalities their oversight users may read."""

    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["municipalities"]


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["id", "municipality", "month", "trigger", "state", "progress", "attempts", "created_at"]
    list_filter = ["state", "trigger", "municipality"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False
