"""/api/v1/: every app lists its viewsets in ``routes`` of its api.py."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
for module in ("portal.api", "migration.api", "vendors.api", "fitgap.api", "schedules.api"):
    for prefix, viewset, basename in import_module(module).routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
