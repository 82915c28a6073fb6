from django.urls import path

from migration import views

app_name = "migration"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/export/", views.project_list_export, name="project_list_export"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/steps/<int:step_number>/edit/", views.step_edit, name="step_edit"),
]
