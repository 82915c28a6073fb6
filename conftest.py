"""Shared test fixtures: two municipalities, users of every role, projects with their 17 steps."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the live server


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path, request):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from portal.celery import app

    eager = request.node.get_closest_marker("services") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def make_municipality(db, request):
    from portal.models import Department, Municipality

    if "reference_data" in request.fixturenames:
        request.getfixturevalue("reference_data")

    def make(name="あおば市", code="462900", prefecture="鹿児島県", departments=("市民課", "税務課")):
        municipality = Municipality.objects.create(name=name, code=code, prefecture=prefecture)
        Department.objects.create(municipality=municipality, name="デジタル推進課", is_dx_office=True)
        for department in departments:
            Department.objects.create(municipality=municipality, name=department)
        return municipality

    return make


@pytest.fixture
def city(make_municipality):
    return make_municipality()


@pytest.fixture
def town(make_municipality):
    return make_municipality(name="みなみ町", code="465909", departments=("町民福祉課",))


@pytest.fixture
def vendor(db):
    from vendors.models import Vendor

    return Vendor.objects.create(name="株式会社みらい自治体システムズ", corporate_number="4340001012345")


@pytest.fixture
def make_user(db):
    from portal.models import User

    def make(username, role, municipality=None, departments=(), vendor=None, **extra):
        user = User.objects.create_user(
            username=username,
            password="pw-for-tests",
            role=role,
            municipality=municipality,
            vendor=vendor,
            last_name=username,
            email=f"{username}@example.jp",
            **extra,
        )
        if departments:
            user.departments.set([municipality.departments.get(name=name) for name in departments])
        return user

    return make


@pytest.fixture
def users(city, town, vendor, make_user):
    """One user of every role in あおば市, the DX office of みなみ町, and a vendor user."""
    from portal.models import User

    Role = User.Role
    return {
        "dx": make_user("dx", Role.DX_OFFICE, city, ["デジタル推進課"]),
        "dept": make_user("dept", Role.DEPARTMENT, city, ["市民課"]),
        "tax": make_user("tax", Role.DEPARTMENT, city, ["税務課"]),
        "manager": make_user("manager", Role.MANAGER, city),
        "vendor": make_user("vendor", Role.VENDOR, vendor=vendor),
        "other_dx": make_user("other_dx", Role.DX_OFFICE, town, ["デジタル推進課"]),
    }


@pytest.fixture
def make_project(users):
    from migration import services
    from migration.models import TargetOperation

    def make(municipality, operation_number, department_name, actor=None, **fields):
        actor = actor or (users["dx"] if municipality.code == "462900" else users["other_dx"])
        return services.create_project(
            actor=actor,
            municipality=municipality,
            operation=TargetOperation.objects.get(number=operation_number),
            department=municipality.departments.get(name=department_name),
            **fields,
        )

    return make


@pytest.fixture
def resident_project(city, make_project):
    """住民基本台帳 of あおば市, owned by 市民課."""
    return make_project(city, 1, "市民課", current_system_name="住民情報システム")


@pytest.fixture
def town_project(town, make_project):
    return make_project(town, 1, "町民福祉課")


@pytest.fixture
def october_report(users, resident_project):
    """The draft progress report of 住民基本台帳 for 2025-10, written by 市民課."""
    import datetime as dt

    from migration import services

    return services.create_report(actor=users["dept"], project=resident_project, month=dt.date(2025, 10, 1))


@pytest.fixture
def other_vendor(db):
    from vendors.models import Vendor

    return Vendor.objects.create(name="株式会社ひかり情報サービス", corporate_number="5010001012340")


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def city_rfi(users, city, vendor, other_vendor, resident_project, today):
    """あおば市's RFI, sent to both vendors, with an attachment."""
    import datetime as dt

    from vendors import services
    from vendors.tests.conftest import pdf

    rfi = services.create_rfi(
        actor=users["dx"],
        municipality=city,
        title="住民記録システム標準化RFI",
        deadline=today + dt.timedelta(days=10),
        projects=[resident_project],
        vendors=[vendor, other_vendor],
    )
    services.add_rfi_attachment(actor=users["dx"], rfi=rfi, file=pdf("RFI資料_あおば市.pdf"))
    return services.send_rfi(actor=users["dx"], rfi=rfi, expected_version=rfi.version)


@pytest.fixture
def sample_csv() -> str:
    """The SAMPLE 住民記録 requirement catalogue (fixtures/fitgap/)."""
    from fitgap.tests.conftest import SAMPLE

    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def import_catalogue(users):
    from fitgap import services
    from fitgap.tests.conftest import csv_upload
    from migration.models import TargetOperation

    def run(text: str, version_label="第1.0版", *, municipality=None, actor=None, operation_number=1):
        actor = actor or users["dx"]
        return services.import_catalogue(
            actor=actor,
            municipality=municipality or actor.municipality,
            operation=TargetOperation.objects.get(number=operation_number),
            title="住民記録システム標準仕様書（サンプル）",
            version_label=version_label,
            file=csv_upload(text),
        )

    return run


@pytest.fixture
def catalogue(import_catalogue, sample_csv):
    return import_catalogue(sample_csv)[0]


@pytest.fixture
def analysis(users, resident_project, catalogue):
    from fitgap import services

    return services.start_analysis(actor=users["dept"], project=resident_project, catalogue=catalogue)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database between tests, including the reference data the
    migrations loaded; load it again (matched by number, so this is cheap and idempotent)."""
    from migration.reference_data import load

    load()
