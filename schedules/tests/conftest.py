import datetime as dt

import pytest

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def fixed_today(monkeypatch):
    """Pages and the API see 2026-11-22 as today."""
    monkeypatch.setattr("migration.selectors.today", lambda: TODAY)
    return TODAY


def set_step(actor, project, number, **data):
    from migration.services import update_step_progress

    progress = project.step_progress.select_related("step", "project").get(step__number=number)
    return update_step_progress(actor=actor, progress=progress, expected_version=progress.version, data=data)


@pytest.fixture
def planned_project(users, resident_project):
    """住民基本台帳 planned with the 標準工程 back from 2027-04-01; steps 1–4 done, step 5 running late."""
    from schedules import services

    resident_project.target_go_live = dt.date(2027, 4, 1)
    resident_project.save()
    plan = services.propose_plan(project=resident_project)
    services.apply_plan(
        actor=users["dx"],
        project=resident_project,
        plan=[(p.progress, p.progress.version, {"planned_start": p.planned_start, "planned_end": p.planned_end})
              for p in plan],
    )  # fmt: skip
    for number in (1, 2, 3, 4):
        progress = resident_project.step_progress.get(step__number=number)
        set_step(users["dx"], resident_project, number, status="done", actual_start=progress.planned_start,
                 actual_end=progress.planned_end)  # fmt: skip
    return resident_project


@pytest.fixture
def contracted_project(users, city, planned_project):
    """planned_project whose current contract ends on 2027-09-30."""
    from vendors.models import Vendor
    from vendors.services import create_contract

    planned_project.current_contract = create_contract(
        actor=users["dx"],
        municipality=city,
        projects=[planned_project],
        vendor=Vendor.objects.create(name="株式会社あおば電算", corporate_number="1234567890123"),
        package_name="あおば住民情報",
        start_date=dt.date(2021, 4, 1),
        end_date=dt.date(2027, 9, 30),
    )
    planned_project.save()
    return planned_project
