"""The migration pattern rule: B (same vendor) makes steps 9–10 対象外; a change to A brings them back."""

import datetime as dt

from migration import services
from migration.models import MigrationProject, StepProgress

A, B = MigrationProject.Pattern.A, MigrationProject.Pattern.B


def _step(project, number):
    return project.step_progress.select_related("step").get(step__number=number)


def _set(actor, project, **data):
    project.refresh_from_db()
    return services.update_project(actor=actor, project=project, expected_version=project.version, data=data)


def _statuses(project):
    return {n: _step(project, n).status for n in (8, 9, 10, 11)}


def test_b_then_a_brings_steps_9_and_10_back_with_history(users, resident_project):
    project = _set(users["dx"], resident_project, migration_pattern=B)
    assert _statuses(project) == {8: "not_started", 9: "not_applicable", 10: "not_applicable", 11: "not_started"}
    version_before = _step(project, 9).version
    project = _set(users["dx"], project, migration_pattern=A)
    assert _statuses(project) == {8: "not_started", 9: "not_started", 10: "not_started", 11: "not_started"}
    step9 = _step(project, 9)
    assert step9.version == version_before + 1  # the normal step path: version claimed
    record = step9.history.first()
    assert (record.status, record.history_user) == ("not_started", users["dx"])
    assert record.history_change_reason == "Aパターン（ベンダ変更）のため対象外を解除"
    # and back to B again
    project = _set(users["dx"], project, migration_pattern=B)
    assert _statuses(project)[9] == "not_applicable"


def test_change_to_a_keeps_done_steps(users, resident_project):
    project = _set(users["dx"], resident_project, migration_pattern=B)
    step9 = _step(project, 9)
    services.update_step_progress(
        actor=users["dx"], progress=step9, expected_version=step9.version,
        data={"status": "done", "actual_start": dt.date(2024, 1, 1), "actual_end": dt.date(2024, 3, 1)},
    )  # fmt: skip
    project = _set(users["dx"], project, migration_pattern=A)
    assert (_step(project, 9).status, _step(project, 10).status) == ("done", "not_started")


def test_editing_an_a_project_leaves_a_step_skipped_by_hand(users, resident_project):
    project = _set(users["dx"], resident_project, migration_pattern=A)
    step9 = _step(project, 9)
    services.update_step_progress(
        actor=users["dx"], progress=step9, expected_version=step9.version,
        data={"status": "not_applicable", "note": "国の調達支援を利用"},
    )  # fmt: skip
    project = _set(users["dx"], project, notes="備考を追記")  # the pattern stays A
    assert _step(project, 9).status == StepProgress.Status.NOT_APPLICABLE


def test_undecided_to_a_brings_back_steps_marked_not_applicable(users, resident_project):
    step10 = _step(resident_project, 10)
    services.update_step_progress(
        actor=users["dx"], progress=step10, expected_version=step10.version, data={"status": "not_applicable"}
    )
    project = _set(users["dx"], resident_project, migration_pattern=A)
    assert _step(project, 10).status == "not_started"
