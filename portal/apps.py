from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "団体・部署・利用者"
