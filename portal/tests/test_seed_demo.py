import pytest
from django.core.management import CommandError, call_command

from migration.models import MigrationProject, StepProgress
from portal.models import Department, Municipality, User
from vendors.models import Contract, Vendor


def seed_models():
    from fitgap.models import GapItem
    from migration.models import MonthlyReport, RiskIssue
    from schedules.models import Baseline, Milestone
    from vendors.models import Rfi

    return [Municipality, Department, User, Vendor, Contract, MigrationProject, StepProgress, MonthlyReport,
            RiskIssue, Baseline, Milestone, GapItem, Rfi]  # fmt: skip


def seed(settings, **options):
    settings.DEBUG = True
    call_command("seed_demo", **options)


def test_seed_demo_builds_a_realistic_city_and_a_small_town(db, settings, capsys):
    seed(settings)
    out = capsys.readouterr().out
    for name in ("dx", "dept", "manager", "vendor", "other_dx", "pref"):
        assert f"  {name} " in out
    city = Municipality.objects.get(name="あおば市")
    town = Municipality.objects.get(name="みなみ町")
    assert Department.objects.filter(municipality=city).count() >= 9
    assert Department.objects.get(municipality=city, is_dx_office=True).name == "デジタル推進課"
    assert MigrationProject.objects.filter(municipality=city).count() == 17
    assert MigrationProject.objects.filter(municipality=town).count() == 3
    assert StepProgress.objects.filter(project__municipality=city).count() == 17 * 17
    assert 3 <= Vendor.objects.count() <= 4
    all_in_one = Contract.objects.get(municipality=city, package_name="MIRAI総合行政システム")
    assert all_in_one.projects.count() == 9
    assert MigrationProject.objects.filter(municipality=city, is_difficult=True).count() == 1
    statuses = set(StepProgress.objects.filter(project__municipality=city).values_list("status", flat=True))
    assert statuses == {"done", "in_progress", "not_started", "not_applicable", "on_hold"}


def test_seed_demo_has_reports_register_schedules_fitgap_and_an_rfi(db, settings):
    from fitgap.models import Analysis
    from migration.models import MonthlyReport, RiskIssue
    from schedules.models import Baseline, Milestone
    from vendors.models import Rfi

    seed(settings)
    states = set(MonthlyReport.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "returned", "accepted"}
    assert RiskIssue.objects.filter(importance="high", is_cross_cutting=True).count() == 2
    assert Baseline.objects.count() == 1 and Milestone.objects.count() == 4
    assert Analysis.objects.get().project.operation.number == 1
    rfi = Rfi.objects.get()
    assert rfi.invitations.count() == 2 and rfi.get_state_display() == "送付済み"


def test_seed_demo_users_have_the_right_roles_and_places(db, settings):
    seed(settings, password="secret-pass")
    users = {u.username: u for u in User.objects.all()}
    assert users["dx"].role == "dx_office" and users["dx"].municipality.name == "あおば市"
    resident = MigrationProject.objects.get(municipality__name="あおば市", operation__number=1)
    assert resident.department in users["dept"].departments.all()
    assert users["manager"].role == "manager"
    assert users["vendor"].vendor == resident.current_vendor
    assert users["other_dx"].municipality.name == "みなみ町"
    assert users["dx"].check_password("secret-pass")


def test_seed_demo_has_late_steps(db, settings):
    from django.utils import timezone

    seed(settings)
    today = timezone.localdate()
    late = [p for p in StepProgress.objects.filter(project__municipality__name="あおば市") if p.is_late(today)]
    assert late


def test_seed_demo_is_idempotent(db, settings):
    models = seed_models()
    seed(settings)
    counts = [model.objects.count() for model in models]
    seed(settings)
    assert counts == [model.objects.count() for model in models]


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Municipality.objects.exists()
    call_command("seed_demo", force=True)
    assert Municipality.objects.count() == 2
