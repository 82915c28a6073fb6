from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "migration"
    verbose_name = "移行案件・作業手順"

    def ready(self):
        from migration import exports  # noqa: F401  (registers its jobs)
