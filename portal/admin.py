from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.models import Department, Job, Municipality, User


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
        ("所属と役割", {"fields": ["role", "municipality", "departments", "vendor", "phone_extension"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("所属と役割", {"fields": ["role", "municipality", "departments", "vendor"]}),
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
