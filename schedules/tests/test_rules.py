"""The plain schedule rules on edge cases (no database)."""

import datetime as dt
from types import SimpleNamespace as NS

import pytest

from portal.calendar import NATIONAL_DEADLINE
from schedules import rules

D = dt.date
TODAY = D(2026, 11, 22)


def step(number, months=2, **fields):
    values = {"status": "not_started", "planned_start": None, "planned_end": None, "actual_start": None,
              "actual_end": None}  # fmt: skip
    values.update(fields)
    typical = None if months is None else months
    return NS(id=number, step=NS(number=number, typical_months_min=typical, typical_months_max=typical), **values)


def project(**fields):
    values = {"is_difficult": False, "individual_deadline": None}
    values.update(fields)
    deadline = values["individual_deadline"] if values["is_difficult"] and values["individual_deadline"] else None
    return NS(deadline=deadline or NATIONAL_DEADLINE, **values)


class TestLate:
    def test_planned_end_passed_and_not_done(self):
        assert rules.is_late(step(1, planned_start=D(2026, 1, 1), planned_end=D(2026, 11, 21),
                                  status="in_progress", actual_start=D(2026, 1, 1)), TODAY)  # fmt: skip

    def test_ending_today_is_not_late(self):
        assert not rules.is_late(step(1, planned_start=D(2026, 1, 1), planned_end=TODAY, status="in_progress",
                                      actual_start=D(2026, 1, 1)), TODAY)  # fmt: skip

    def test_started_after_planned_start(self):
        assert rules.is_late(step(1, planned_start=D(2026, 11, 1), planned_end=D(2027, 1, 31), status="in_progress",
                                  actual_start=D(2026, 11, 2)), TODAY)  # fmt: skip

    @pytest.mark.parametrize("status", ["done", "not_applicable"])
    def test_done_and_not_applicable_are_never_late(self, status):
        assert not rules.is_late(step(1, planned_start=D(2025, 1, 1), planned_end=D(2025, 2, 1), status=status,
                                      actual_start=D(2025, 3, 1), actual_end=D(2025, 9, 1)), TODAY)  # fmt: skip

    def test_no_dates_is_not_late(self):
        assert not rules.is_late(step(1), TODAY)


class TestForecast:
    def test_without_dates_uses_the_typical_durations_from_today(self):
        steps = [step(1, months=1), step(2, months=3), step(3, months=None)]  # step 3 has no typical duration
        finish, finished = rules.forecast_finish(steps, TODAY)
        # 1 month, 3 months, then the default of 2 months, one after the other from today
        assert rules.DEFAULT_STEP_MONTHS == 2
        assert (finish, finished) == (D(2027, 5, 21), False)

    def test_not_applicable_and_done_steps_are_skipped(self):
        steps = [
            step(1, status="done", actual_start=D(2025, 1, 1), actual_end=D(2025, 2, 1)),
            step(2, months=12, status="not_applicable"),
            step(3, months=1),
        ]
        assert rules.forecast_finish(steps, TODAY) == (D(2026, 12, 21), False)

    def test_a_future_step_waits_for_its_planned_start_and_keeps_its_planned_duration(self):
        steps = [step(1, planned_start=D(2027, 1, 1), planned_end=D(2027, 1, 31))]
        assert rules.forecast_finish(steps, TODAY) == (D(2027, 1, 31), False)

    def test_an_overrun_step_finishes_today_at_the_earliest_and_pushes_the_next(self):
        steps = [
            step(1, planned_start=D(2026, 9, 1), planned_end=D(2026, 9, 30), status="in_progress",
                 actual_start=D(2026, 9, 1)),
            step(2, planned_start=D(2026, 10, 1), planned_end=D(2026, 10, 10)),
        ]  # fmt: skip
        # step 1 still open today; step 2 (10 days) starts tomorrow
        assert rules.forecast_finish(steps, TODAY) == (D(2026, 12, 2), False)

    def test_finished_project_is_finished_on_its_last_actual_end(self):
        steps = [
            step(1, status="done", actual_start=D(2025, 1, 1), actual_end=D(2025, 2, 1)),
            step(2, status="done", actual_start=D(2025, 2, 2), actual_end=D(2026, 2, 1)),
            step(3, status="not_applicable"),
        ]
        forecast = rules.project_forecast(project(), steps, TODAY)
        assert (forecast.finish, forecast.finished, forecast.over_deadline, forecast.days_over) == (
            D(2026, 2, 1), True, False, 0)  # fmt: skip

    def test_over_the_national_deadline_by_days(self):
        forecast = rules.project_forecast(project(), [step(1, months=1)], TODAY)
        assert forecast.finish == D(2026, 12, 21)
        assert forecast.over_deadline and forecast.days_over == (D(2026, 12, 21) - NATIONAL_DEADLINE).days

    def test_difficult_system_is_measured_against_its_own_deadline(self):
        difficult = project(is_difficult=True, individual_deadline=D(2028, 3, 31))
        forecast = rules.project_forecast(difficult, [step(1, months=1)], TODAY)
        assert forecast.deadline == D(2028, 3, 31) and not forecast.over_deadline
        late = rules.project_forecast(project(is_difficult=True, individual_deadline=D(2026, 12, 1)),
                                      [step(1, months=1)], TODAY)  # fmt: skip
        assert late.days_over == 20

    def test_counts_late_steps(self):
        steps = [step(1, planned_start=D(2026, 1, 1), planned_end=D(2026, 2, 1)), step(2)]
        assert rules.project_forecast(project(), steps, TODAY).late_steps == 1


class TestPlanGeneration:
    def test_backwards_from_go_live_in_step_order_skipping_not_applicable(self):
        steps = [step(1, months=1), step(2, months=3, status="not_applicable"), step(3, months=None), step(4, 2)]
        plan = rules.generate_plan(steps, D(2027, 4, 1))
        assert [(p.progress.step.number, p.planned_start, p.planned_end, p.months) for p in plan] == [
            (1, D(2026, 11, 1), D(2026, 11, 30), 1),
            (3, D(2026, 12, 1), D(2027, 1, 31), 2),  # no typical duration: the documented default
            (4, D(2027, 2, 1), D(2027, 3, 31), 2),  # ends the day before the go-live
        ]

    def test_has_planned_dates_ignores_not_applicable_steps(self):
        assert not rules.has_planned_dates([step(1), step(2, status="not_applicable", planned_start=D(2025, 1, 1))])
        assert rules.has_planned_dates([step(1, planned_end=D(2025, 1, 1))])


def test_baseline_shifts_report_moved_steps_with_days():
    saved = [NS(progress_id=1, planned_start=D(2026, 1, 1), planned_end=D(2026, 1, 31)),
             NS(progress_id=2, planned_start=D(2026, 2, 1), planned_end=D(2026, 2, 28)),
             NS(progress_id=3, planned_start=None, planned_end=None)]  # fmt: skip
    current = [
        step(1, planned_start=D(2026, 1, 1), planned_end=D(2026, 1, 31), project="p"),
        step(2, planned_start=D(2026, 2, 11), planned_end=D(2026, 2, 18), project="p"),
        step(3, planned_start=D(2026, 3, 1), planned_end=D(2026, 3, 31), project="p"),
        step(4, planned_start=D(2026, 3, 1), planned_end=D(2026, 3, 31), project="p"),  # not in the baseline
    ]
    shifts = rules.baseline_shifts(saved, current)
    assert [(s.step.number, s.start_days, s.end_days) for s in shifts] == [(2, 10, -10), (3, None, None)]
