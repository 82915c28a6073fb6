from django.urls import path

from fitgap import views

app_name = "fitgap"
urlpatterns = [
    path("fitgap/", views.home, name="home"),
    path("fitgap/catalogues/", views.catalogue_list, name="catalogue_list"),
    path("fitgap/catalogues/import/", views.catalogue_import, name="catalogue_import"),
    path("fitgap/catalogues/template/", views.catalogue_template, name="catalogue_template"),
    path("fitgap/catalogues/<int:catalogue_id>/", views.catalogue_detail, name="catalogue_detail"),
    path("fitgap/projects/<int:project_id>/", views.analysis, name="analysis"),
    path("fitgap/projects/<int:project_id>/summary/", views.analysis_summary, name="analysis_summary"),
    path("fitgap/projects/<int:project_id>/items/new/", views.item_create, name="item_create"),
    path("fitgap/projects/<int:project_id>/items/bulk/", views.bulk_change, name="bulk_change"),
    path("fitgap/projects/<int:project_id>/items/<int:item_id>/", views.item_row, name="item_row"),
    path("fitgap/projects/<int:project_id>/items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("fitgap/projects/<int:project_id>/items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path("fitgap/projects/<int:project_id>/items/<int:item_id>/raise-issue/", views.raise_issue, name="raise_issue"),
    path("fitgap/projects/<int:project_id>/survey/export/", views.survey_export, name="survey_export"),
    path("fitgap/projects/<int:project_id>/survey/import/", views.survey_import, name="survey_import"),
    path("fitgap/projects/<int:project_id>/move/", views.move_catalogue, name="move_catalogue"),
]
