from django.apps import AppConfig


class FitgapConfig(AppConfig):
    name = "fitgap"
    verbose_name = "Fit & Gap分析"

    def ready(self):
        from fitgap import exports  # noqa: F401  (registers its jobs)
