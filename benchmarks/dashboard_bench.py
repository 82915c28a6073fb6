"""Measure the dashboard, the monthly workbook and a large export on a generated municipality.

    SECRET_KEY=x DATABASE_URL=sqlite:////tmp/dashboard_bench.sqlite3 \
        .venv/bin/python benchmarks/dashboard_bench.py [--projects 27] [--issues 2000] [--contracts 200]

It migrates the given (throw-away) database, creates one municipality with every target
operation as a project (17 steps each, dates filled), issues and contracts, then prints the
number of SQL queries and the time of: the dashboard selector, the dashboard page, the monthly
report workbook, and the step-progress export (xlsx and csv). Never point it at a real database."""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=27)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--contracts", type=int, default=200)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ or "bench" not in os.environ["DATABASE_URL"]:
        sys.exit("Set DATABASE_URL to a throw-away database whose name contains 'bench'.")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    call_command("migrate", verbosity=0)
    from migration.models import MigrationProject, ProcedureStep, RiskIssue, StepProgress, TargetOperation
    from portal.dashboard import exports, report_workbook, selectors
    from portal.excel import table_workbook
    from portal.models import Department, Municipality, User
    from vendors.models import Contract, Vendor

    code = "469999"
    Municipality.objects.filter(code=code).delete()
    municipality = Municipality.objects.create(name="ベンチ市", code=code, prefecture="鹿児島県")
    department = Department.objects.create(municipality=municipality, name="ベンチ課", is_dx_office=True)
    steps = list(ProcedureStep.objects.order_by("number"))
    start = dt.date(2024, 4, 1)
    for operation in TargetOperation.objects.order_by("number")[: args.projects]:
        project = MigrationProject.objects.create(municipality=municipality, operation=operation, department=department)
        rows = []
        for index, step in enumerate(steps):
            planned_start = start + dt.timedelta(days=30 * index)
            done = index < 6
            rows.append(
                StepProgress(
                    project=project,
                    step=step,
                    status="done" if done else ("in_progress" if index == 6 else "not_started"),
                    planned_start=planned_start,
                    planned_end=planned_start + dt.timedelta(days=29),
                    actual_start=planned_start if index <= 6 else None,
                    actual_end=planned_start + dt.timedelta(days=29) if done else None,
                )
            )
        StepProgress.objects.bulk_create(rows)
    projects = list(MigrationProject.objects.filter(municipality=municipality))
    RiskIssue.objects.bulk_create(
        RiskIssue(
            municipality=municipality,
            project=projects[i % len(projects)],
            number=i + 1,
            description="課題",
            raised_on=start + dt.timedelta(days=i % 500),
            importance=("high", "medium", "low")[i % 3],
        )  # fmt: skip
        for i in range(args.issues)
    )
    vendor, _ = Vendor.objects.get_or_create(corporate_number="4340001012345", defaults={"name": "ベンチ株式会社"})
    Contract.objects.bulk_create(
        Contract(
            municipality=municipality,
            vendor=vendor,
            package_name=f"P{i}",
            start_date=start,
            end_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )  # fmt: skip
        for i in range(args.contracts)
    )
    user, _ = User.objects.get_or_create(username="bench-dx", defaults={"role": "dx_office"})
    user.municipality = municipality
    user.save()

    def measure(label, func):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = func()
            elapsed = time.perf_counter() - began
        print(f"{label:<40} {len(queries.captured_queries):>5} queries {elapsed * 1000:>9.1f} ms")
        return result

    print(f"{len(projects)} projects × 17 steps, {args.issues} issues, {args.contracts} contracts")
    measure("dashboard selector", lambda: selectors.dashboard(municipality))
    client = Client()
    client.force_login(user)
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES={**settings.STORAGES, "staticfiles": static}):
        client.get("/dashboard/")
        measure("dashboard page (GET /dashboard/)", lambda: client.get("/dashboard/"))
        measure("GET /api/v1/dashboard/", lambda: client.get("/api/v1/dashboard/"))
    month = selectors.previous_month(selectors.today())
    name, content = measure(
        "monthly report workbook", lambda: report_workbook.build_monthly_workbook(municipality, month)
    )
    print(f"  {name}: {len(content) / 1024:.0f} KiB")
    export = exports.LIST_EXPORTS["steps"]
    today = selectors.today()
    rows = measure("step-progress export rows", lambda: list(export.rows(municipality, {}, today)))
    measure("  write xlsx", lambda: table_workbook(export.title, export.headers, rows))
    measure("  write csv", lambda: exports.csv_bytes(export.headers, rows))


if __name__ == "__main__":
    main()
