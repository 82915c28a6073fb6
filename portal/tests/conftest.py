"""Fixtures of the portal app's tests (the dashboard's known data)."""

import pytest

from portal.tests.dashboard_fixtures import D, make_issue, set_step


@pytest.fixture
def known(city, users, vendor, make_project, resident_project):
    """あおば市: 住民基本台帳 (市民課) with steps 1–3 done, 4 late, 5 planned; 固定資産税 (税務課),
    移行困難 with step 1 done and step 2 対象外; issues, a contract ending soon, one submitted report."""
    from migration.models import MonthlyReport
    from vendors.models import Contract

    resident = resident_project
    for number, end in ((1, D(2025, 5, 20)), (2, D(2025, 6, 20)), (3, D(2025, 7, 20))):
        set_step(
            resident,
            number,
            status="done",
            planned_start=end.replace(day=1),
            planned_end=end,
            actual_start=end.replace(day=1),
            actual_end=end,
        )
    set_step(resident, 4, status="in_progress", planned_start=D(2025, 8, 1), planned_end=D(2025, 9, 30),
             actual_start=D(2025, 8, 1))  # fmt: skip
    set_step(resident, 5, planned_start=D(2025, 11, 1), planned_end=D(2025, 12, 31))
    tax = make_project(
        city,
        3,
        "税務課",
        is_difficult=True,
        difficult_reason="独自施策が多い",
        individual_deadline=D(2027, 3, 31),
    )
    set_step(tax, 1, status="done", planned_end=D(2025, 6, 30), actual_start=D(2025, 6, 1), actual_end=D(2025, 6, 25))
    set_step(tax, 2, status="not_applicable", note="対象外")
    make_issue(city, resident, 1, importance="high", due_date=D(2025, 10, 1))  # overdue
    make_issue(city, resident, 2, importance="high", due_date=D(2025, 12, 1))
    make_issue(city, tax, 3, importance="low", raised_on=D(2025, 9, 3))
    make_issue(city, tax, 4, status="done", completed_on=D(2025, 9, 30), raised_on=D(2025, 9, 1))
    contract = Contract.objects.create(
        municipality=city, vendor=vendor, package_name="住民記録パッケージ", start_date=D(2020, 4, 1),
        end_date=D(2026, 3, 31),
    )  # fmt: skip
    Contract.objects.create(
        municipality=city, vendor=vendor, package_name="遠い契約", start_date=D(2020, 4, 1), end_date=D(2027, 3, 31)
    )
    MonthlyReport.objects.create(
        project=resident,
        month=D(2025, 9, 1),
        period_start=D(2025, 9, 1),
        period_end=D(2025, 9, 30),
        state="submitted",
    )
    return {"resident": resident, "tax": tax, "contract": contract}
