from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_export import SafeExportMixin, safe_resource
from vendors.models import (
    Contract,
    ContractDocument,
    Rfi,
    RfiInvitation,
    RfiQuestion,
    RfiResponse,
    Rfp,
    RfpCriterion,
    Vendor,
)


@admin.register(Vendor)
class VendorAdmin(SafeExportMixin, admin.ModelAdmin):
    resource_classes = [safe_resource(Vendor)]
    list_display = ["name", "corporate_number", "contact_name", "contact_email"]
    search_fields = ["name", "corporate_number"]


class ContractDocumentInline(admin.TabularInline):
    model = ContractDocument
    extra = 0
    fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(SafeExportMixin, SimpleHistoryAdmin):
    resource_classes = [safe_resource(Contract)]
    list_display = ["vendor", "package_name", "kind", "municipality", "start_date", "end_date", "amount"]
    list_filter = ["municipality", "vendor", "kind"]
    filter_horizontal = ["projects"]
    inlines = [ContractDocumentInline]


class RfiQuestionInline(admin.TabularInline):
    model = RfiQuestion
    extra = 0


class RfiInvitationInline(admin.TabularInline):
    model = RfiInvitation
    extra = 0
    fields = ["vendor", "reopened_until", "reminder_sent_on"]


@admin.register(Rfi)
class RfiAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "state", "deadline"]
    list_filter = ["municipality", "state"]
    filter_horizontal = ["projects"]
    inlines = [RfiQuestionInline, RfiInvitationInline]


@admin.register(RfiResponse)
class RfiResponseAdmin(admin.ModelAdmin):
    list_display = ["invitation", "number", "state", "submitted_at"]
    list_filter = ["state"]
    readonly_fields = ["invitation", "number", "state", "submitted_at", "submitted_by"]


class RfpCriterionInline(admin.TabularInline):
    model = RfpCriterion
    extra = 0


@admin.register(Rfp)
class RfpAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "selected_vendor", "decided_on"]
    list_filter = ["municipality"]
    filter_horizontal = ["projects", "vendors"]
    inlines = [RfpCriterionInline]
