import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from migration import services
from migration.models import MigrationProject, StepProgress
from migration.rules import current_step, next_planned_date, step_is_late

D = dt.date
TODAY = D(2025, 10, 1)


def progress(status="not_started", planned_start=None, planned_end=None, actual_start=None):
    return SimpleNamespace(
        status=status, planned_start=planned_start, planned_end=planned_end, actual_start=actual_start
    )


@pytest.mark.parametrize(
    ("step", "late"),
    [
        (progress(), False),  # no dates
        (progress("not_started", D(2025, 11, 1), D(2025, 12, 31)), False),
        (progress("not_started", D(2025, 9, 1), D(2025, 12, 31)), True),  # should have started
        (progress("in_progress", D(2025, 9, 1), D(2025, 9, 30), D(2025, 9, 1)), True),  # end passed
        (progress("in_progress", D(2025, 9, 1), D(2025, 10, 1), D(2025, 9, 1)), False),  # ends today
        (progress("in_progress", D(2025, 9, 1), D(2025, 12, 1), D(2025, 9, 10)), True),  # started late
        (progress("on_hold", D(2025, 6, 1), D(2025, 7, 1), D(2025, 6, 1)), True),
        (progress("done", D(2025, 6, 1), D(2025, 7, 1), D(2025, 6, 20)), False),
        (progress("not_applicable", D(2025, 6, 1), D(2025, 7, 1)), False),
    ],
)
def test_late_rule(step, late):
    assert step_is_late(step, TODAY) is late


def test_current_step_and_next_planned_date():
    steps = [
        progress("done", D(2025, 1, 1), D(2025, 2, 1)),
        progress("not_applicable"),
        progress("in_progress", D(2025, 9, 1), D(2025, 12, 1)),
        progress("not_started", D(2025, 12, 2), D(2026, 1, 31)),
    ]
    assert current_step(steps) is steps[2]
    assert next_planned_date(steps, TODAY) == D(2025, 12, 1)
    assert current_step(steps[:2]) is None


def _step(project, number):
    return project.step_progress.select_related("step").get(step__number=number)


def _update(actor, project, number, **data):
    step = _step(project, number)
    return services.update_step_progress(actor=actor, progress=step, expected_version=step.version, data=data)


def test_a_project_starts_with_all_17_steps_not_started(resident_project):
    statuses = list(resident_project.step_progress.values_list("step__number", "status"))
    assert statuses == [(n, "not_started") for n in range(1, 18)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"planned_start": D(2025, 5, 1), "planned_end": D(2025, 4, 1)}, "planned_end"),
        ({"actual_start": D(2025, 5, 1), "actual_end": D(2025, 4, 30)}, "actual_end"),
        ({"status": "done", "actual_start": D(2025, 5, 1)}, "actual_end"),
        ({"actual_end": D(2025, 5, 1)}, "actual_start"),
        ({"percent_done": 101}, "percent_done"),
        ({"status": "not_applicable"}, "note"),  # step 3 may not be skipped without a reason
    ],
)
def test_step_rules_refuse_with_a_japanese_message(users, resident_project, data, field):
    with pytest.raises(ValidationError) as raised:
        _update(users["dx"], resident_project, 3, **data)
    assert field in raised.value.message_dict
    assert all(any("\u3040" <= ch <= "\u30ff" for ch in m) for m in raised.value.message_dict[field])
    assert _step(resident_project, 3).status == "not_started"


def test_done_needs_an_actual_end_and_sets_100_percent(users, resident_project):
    step = _update(
        users["dept"],
        resident_project,
        3,
        status="done",
        actual_start=D(2025, 4, 1),
        actual_end=D(2025, 6, 30),
    )
    assert (step.status, step.percent_done) == ("done", 100)


def test_skippable_steps_may_be_not_applicable_without_reason(users, resident_project):
    assert _update(users["dx"], resident_project, 9, status="not_applicable").status == "not_applicable"
    step = _update(users["dx"], resident_project, 3, status="not_applicable", note="国提供システムを利用するため")
    assert step.status == "not_applicable"


def test_pattern_b_marks_steps_9_and_10_not_applicable_unless_done(users, resident_project):
    _update(users["dx"], resident_project, 9, status="done", actual_start=D(2024, 1, 1), actual_end=D(2024, 3, 1))
    project = services.update_project(
        actor=users["dx"],
        project=resident_project,
        expected_version=resident_project.version,
        data={"migration_pattern": MigrationProject.Pattern.B},
    )
    assert _step(project, 9).status == "done"
    assert _step(project, 10).status == "not_applicable"
    assert _step(project, 11).status == "not_started"


def test_difficult_system_needs_a_reason_and_has_its_own_deadline(users, resident_project):
    with pytest.raises(ValidationError) as raised:
        services.update_project(
            actor=users["dx"], project=resident_project, expected_version=1, data={"is_difficult": True}
        )
    assert "difficult_reason" in raised.value.message_dict
    project = services.update_project(
        actor=users["dx"],
        project=resident_project,
        expected_version=1,
        data={"is_difficult": True, "difficult_reason": "ベンダ撤退", "individual_deadline": D(2028, 3, 31)},
    )
    assert project.deadline == D(2028, 3, 31)
    assert resident_project.deadline == D(2026, 3, 31)


def test_department_must_belong_to_the_same_municipality(users, resident_project, town):
    with pytest.raises(ValidationError):
        services.update_project(
            actor=users["dx"],
            project=resident_project,
            expected_version=1,
            data={"department": town.departments.first()},
        )


def test_step_progress_status_choices_are_the_five_of_the_procedure():
    assert [label for _, label in StepProgress.Status.choices] == [
        "未着手",
        "実施中",
        "完了",
        "対象外",
        "保留",
    ]
