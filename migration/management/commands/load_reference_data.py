from django.core.management.base import BaseCommand

from migration.reference_data import load


class Command(BaseCommand):
    help = "fixtures/ の標準化対象業務と作業手順を読み込みます（番号で照合して更新）。"

    def handle(self, *args, **options):
        for label, count in load().items():
            self.stdout.write(f"{label}: {count}")
