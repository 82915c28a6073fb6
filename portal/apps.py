from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "団体・部署・利用者"

    def ready(self):
        from portal.dashboard import exports  # noqa: F401  (registers the list exports as jobs)
