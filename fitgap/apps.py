from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FitgapConfig(AppConfig):
    name = "fitgap"
    verbose_name = _("Fit & Gap分析")

    def ready(self):
        from fitgap import exports  # noqa: F401  (registers its jobs)
