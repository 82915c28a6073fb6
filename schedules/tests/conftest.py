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
