"""Benchmark of the Gantt views: the portfolio of 20 projects × 17 steps.

Run against a throw-away database with the demo data (never the shared dev database):

    export DEBUG=true DATABASE_URL=sqlite:////tmp/schedules-bench.sqlite3 SECRET_KEY=x
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo
    .venv/bin/python benchmarks/schedules_bench.py

It adds the three remaining operations (戸籍, 戸籍の附票, 印鑑登録) to あおば市 so that it tracks 20 projects,
then times the selector, the portfolio page, one project page, the API and the workbook (median of 15 runs)
and counts their SQL queries."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from migration import services as migration_services  # noqa: E402
from migration.models import MigrationProject, TargetOperation  # noqa: E402
from portal.models import Department, Municipality, User  # noqa: E402
from schedules import exports, selectors  # noqa: E402
from schedules import services as schedule_services  # noqa: E402

RUNS = 15


def ensure_twenty_projects(municipality, dx):
    department = Department.objects.get(municipality=municipality, name="市民課")
    for operation in TargetOperation.objects.filter(number__in=[18, 19, 20]):
        if MigrationProject.objects.filter(municipality=municipality, operation=operation).exists():
            continue
        go_live = selectors.today().replace(day=1)
        project = migration_services.create_project(
            actor=dx, municipality=municipality, operation=operation, department=department,
            target_go_live=go_live.replace(year=go_live.year + 1),
        )  # fmt: skip
        plan = schedule_services.propose_plan(project=project)
        schedule_services.apply_plan(
            actor=dx, project=project,
            plan=[(p.progress, p.progress.version, {"planned_start": p.planned_start, "planned_end": p.planned_end})
                  for p in plan],
        )  # fmt: skip


def measure(label, func):
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        func()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    print(f"| {label} | {statistics.median(times):.0f} ms | {max(times):.0f} ms | {len(queries)} |")


def main():
    municipality = Municipality.objects.get(code="462900")
    dx = User.objects.get(username="dx")
    manager = User.objects.get(username="manager")
    ensure_twenty_projects(municipality, dx)
    projects = MigrationProject.objects.filter(municipality=municipality)
    print(f"{projects.count()} projects, {sum(p.step_progress.count() for p in projects)} steps\n")
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    project_id = projects.order_by("operation__number").first().id

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return run

    print("| what | median | max | SQL queries |\n|---|---|---|---|")
    measure("selector portfolio_schedule()", lambda: selectors.portfolio_schedule(manager).projects)
    measure("portfolio page /schedules/", get("/schedules/"))
    measure("portfolio page, quarter zoom", get("/schedules/?zoom=quarter"))
    measure("project page /schedules/projects/{id}/", get(f"/schedules/projects/{project_id}/"))
    measure("API /api/v1/schedule/", get("/api/v1/schedule/"))
    measure(
        "workbook (portfolio)",
        lambda: exports.schedule_workbook(selectors.portfolio_schedule(manager), title="bench"),
    )


if __name__ == "__main__":
    main()
