"""A real Celery worker process runs a job through the real Redis broker (CI: REQUIRE_SERVICES=1)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from portal.models import Job
from portal.services import start_job

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def _services_available() -> str | None:
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        return "CELERY_BROKER_URL does not point at Redis"
    if connection.vendor != "postgresql":
        return "the worker process needs a database it can share (PostgreSQL)"
    return None


@pytest.fixture
def worker(tmp_path, settings):
    reason = _services_available()
    if reason:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
        pytest.skip(reason)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "SECRET_KEY": "worker-test",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    print(log.read()[-4000:])


def test_a_real_worker_runs_the_export_job_through_redis(worker, users, city, make_project):
    from portal.celery import app

    assert not app.conf.task_always_eager and settings.CELERY_BROKER_URL.startswith("redis://")
    make_project(city, 1, "市民課")
    job = start_job(actor=users["dx"], municipality=city, kind="export.projects.xlsx")  # commits: no outer atomic
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert worker.poll() is None, "the worker process exited"
        time.sleep(0.5)
    assert job.state == Job.State.DONE, job.error
    assert job.started_at is not None and job.result_file.name.endswith(".xlsx")
