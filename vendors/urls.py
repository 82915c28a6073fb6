from django.urls import path

from vendors import views

app_name = "vendors"
urlpatterns = [
    path("vendors/", views.home, name="home"),
    path("vendors/new/", views.vendor_create, name="vendor_create"),
    path("vendors/<int:vendor_id>/", views.vendor_detail, name="vendor_detail"),
    path("vendors/<int:vendor_id>/edit/", views.vendor_edit, name="vendor_edit"),
    path("contracts/new/", views.contract_edit, name="contract_create"),
    path("contracts/<int:contract_id>/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:contract_id>/documents/", views.contract_document_upload, name="contract_document_upload"),
    path("rfis/new/", views.rfi_edit, name="rfi_create"),
    path("rfis/<int:rfi_id>/", views.rfi_detail, name="rfi_detail"),
    path("rfis/<int:rfi_id>/edit/", views.rfi_edit, name="rfi_edit"),
    path("rfis/<int:rfi_id>/do/<str:what>/", views.rfi_action, name="rfi_action"),
    path("rfis/<int:rfi_id>/comparison/", views.rfi_comparison, name="rfi_comparison"),
    path("rfis/<int:rfi_id>/comparison.xlsx", views.rfi_comparison_export, name="rfi_comparison_export"),
    path("rfi-responses/<int:response_id>/", views.response_detail, name="response_detail"),
    path("steps/<str:kind>/<int:object_id>/", views.step_suggestions, name="step_suggestions"),
    path("rfps/new/", views.rfp_create, name="rfp_create"),
    path("rfps/<int:rfp_id>/", views.rfp_detail, name="rfp_detail"),
    path("vendor/rfis/", views.rfi_inbox, name="rfi_inbox"),
    path("vendor/rfis/<int:rfi_id>/", views.rfi_answer, name="rfi_answer"),
    path("vendor/rfis/<int:rfi_id>/cost-template.xlsx", views.cost_template, name="cost_template"),
    path("vendor/welcome/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("files/<str:kind>/<int:file_id>/", views.download, name="download"),
]
