from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("団体・部署・利用者")

    def ready(self):
        from portal.dashboard import exports  # noqa: F401  (registers the list exports as jobs)
