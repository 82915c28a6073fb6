"""Loads the reference data in fixtures/ (the 20 operations and the 17 steps).

Called by a data migration, so that every fresh database has them, and usable again with
``manage.py load_reference_data`` after the fixtures are corrected. Rows are matched by number."""

import json
from pathlib import Path

from django.conf import settings

FIXTURES = {
    "migration.targetoperation": "target_operations.json",
    "migration.procedurestep": "procedure_steps.json",
}


def load(apps=None) -> dict[str, int]:
    from django.apps import apps as global_apps

    registry = apps or global_apps
    counts = {}
    for label, file_name in FIXTURES.items():
        model = registry.get_model(label)
        rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / file_name).read_text(encoding="utf-8"))
        for row in rows:
            model.objects.update_or_create(pk=row["pk"], defaults=row["fields"])
        counts[label] = len(rows)
    return counts
