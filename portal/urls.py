from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from portal import municipality_views, views

admin.site.site_header = "自治体情報システム標準化 移行管理ポータル 管理サイト"
admin.site.site_title = "移行管理ポータル 管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", municipality_views.municipality_settings, name="municipality_settings"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/download/", views.job_download, name="job_download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", obtain_auth_token, name="api_token"),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    # Each app owns its pages under its own paths.
    path("", include("portal.dashboard.urls")),
    path("", include("migration.urls")),
    path("", include("vendors.urls")),
    path("", include("fitgap.urls")),
    path("", include("schedules.urls")),
]
