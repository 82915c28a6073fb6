from django.urls import path

from schedules import views

app_name = "schedules"
urlpatterns = [
    path("schedules/", views.portfolio, name="portfolio"),
    path("schedules/export/", views.export, name="export"),
    path("schedules/projects/<int:project_id>/", views.project_gantt, name="project"),
    path("schedules/projects/<int:project_id>/steps/<int:step_number>/", views.step_edit, name="step_edit"),
    path("schedules/projects/<int:project_id>/plan/", views.plan, name="plan"),
    path("schedules/baselines/", views.baseline_list, name="baseline_list"),
    path("schedules/baselines/<int:baseline_id>/", views.baseline_detail, name="baseline_detail"),
    path("schedules/milestones/", views.milestone_list, name="milestone_list"),
    path("schedules/milestones/<int:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
]
