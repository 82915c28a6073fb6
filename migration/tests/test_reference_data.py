import json
from pathlib import Path

from django.conf import settings

from migration.models import ProcedureStep, TargetOperation
from migration.reference_data import load


def test_a_fresh_database_has_the_20_operations(db):
    operations = list(TargetOperation.objects.order_by("number"))
    assert [o.number for o in operations] == list(range(1, 21))
    assert operations[0].name == "住民基本台帳" and operations[0].group == "resident_registry"
    assert [o.name for o in operations[17:]] == ["戸籍", "戸籍の附票", "印鑑登録"]
    assert {o.group for o in operations[17:]} == {"added"}
    assert TargetOperation.objects.filter(is_core17=True).count() == 17
    assert TargetOperation.objects.get(number=15).ministry == "文部科学省"


def test_a_fresh_database_has_the_17_steps_with_phases_and_durations(db):
    steps = {s.number: s for s in ProcedureStep.objects.all()}
    assert sorted(steps) == list(range(1, 18))
    phases = [steps[n].phase for n in range(1, 18)]
    assert phases == ["planning"] * 4 + ["selection"] * 8 + ["migration"] * 5
    assert (steps[3].name, steps[3].typical_months_min, steps[3].typical_months_max) == (
        "標準仕様との比較分析",
        3,
        4,
    )
    assert [n for n, s in steps.items() if s.skipped_without_vendor_change] == [9, 10]
    assert steps[1].responsible_parties == ["事務局"]
    assert steps[12].responsible_parties == ["主管課"]
    assert steps[13].typical_months_min is None


def test_loading_again_matches_by_number_and_changes_nothing(db):
    before = list(ProcedureStep.objects.values())
    counts = load()
    assert counts == {"migration.targetoperation": 20, "migration.procedurestep": 17}
    assert list(ProcedureStep.objects.values()) == before


def test_fixture_files_are_plain_django_fixtures():
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / "procedure_steps.json").read_text(encoding="utf-8"))
    assert {row["model"] for row in rows} == {"migration.procedurestep"}


def test_api_returns_the_reference_data(client, users):
    client.force_login(users["manager"])
    operations = client.get("/api/v1/operations/").json()
    steps = client.get("/api/v1/steps/").json()
    assert len(operations) == 20 and operations[0]["name"] == "住民基本台帳"
    assert len(steps) == 17 and steps[8]["skipped_without_vendor_change"] is True
    assert steps[0]["phase_display"] == "計画立案"
