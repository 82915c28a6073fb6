from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vendors.models import Contract, Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "corporate_number", "contact_name", "contact_email"]
    search_fields = ["name", "corporate_number"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["vendor", "package_name", "municipality", "start_date", "end_date"]
    list_filter = ["municipality", "vendor"]
    filter_horizontal = ["projects"]
