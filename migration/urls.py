from django.urls import path

from migration import views

app_name = "migration"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/steps/<int:step_number>/edit/", views.step_edit, name="step_edit"),
    # monthly progress reports (進捗報告書)
    path("reports/", views.report_board, name="report_board"),
    path("reports/submit-all/", views.report_submit_all, name="report_submit_all"),
    path("reports/new/<int:project_id>/", views.report_create, name="report_create"),
    path("reports/remind/<int:project_id>/", views.report_remind, name="report_remind"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:report_id>/export/", views.report_export, name="report_export"),
    path("reports/<int:report_id>/<str:action>/", views.report_action, name="report_action"),
    # the issue/risk register (課題管理表)
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/export/", views.issue_list_export, name="issue_list_export"),
    path("issues/<int:issue_id>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:issue_id>/edit/", views.issue_edit, name="issue_edit"),
    path("projects/<int:project_id>/issues/", views.project_issues, name="project_issues"),
    path("projects/<int:project_id>/issues/new/", views.issue_create, name="issue_create"),
]
