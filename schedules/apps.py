from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "schedules"
    verbose_name = "スケジュール"

    def ready(self):
        from schedules import exports  # noqa: F401  (registers its jobs)
