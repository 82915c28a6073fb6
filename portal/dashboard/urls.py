from django.urls import path

from portal.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.home, name="home"),
    path("dashboard/municipalities/<int:municipality_id>/", views.municipality_dashboard, name="municipality"),
    path("dashboard/reports/", views.report_runs, name="report_runs"),
    path(
        "dashboard/municipalities/<int:municipality_id>/reports/",
        views.report_runs,
        name="municipality_report_runs",
    ),
    path("dashboard/reports/<int:run_id>/", views.report_run, name="report_run"),
    path("dashboard/reports/<int:run_id>/download/", views.report_run_download, name="report_run_download"),
    path("dashboard/export/<str:name>/", views.list_export, name="list_export"),
    path("oversight/", views.oversight, name="oversight"),
]
