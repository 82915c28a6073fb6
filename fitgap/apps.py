from django.apps import AppConfig


class FitgapConfig(AppConfig):
    name = "fitgap"
    verbose_name = "Fit & Gap分析"
