import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from migration import selectors, services
from portal.concurrency import StaleObjectError


def _step(project, number):
    return project.step_progress.select_related("step", "project").get(step__number=number)


def test_every_change_is_kept_with_who_and_old_and_new_values(users, resident_project):
    step = _step(resident_project, 2)
    services.update_step_progress(
        actor=users["dept"],
        progress=step,
        expected_version=step.version,
        data={"status": "in_progress", "actual_start": dt.date(2025, 4, 7)},
    )
    entries = selectors.project_history(resident_project)
    latest = entries[0]
    assert latest.user == users["dept"]
    assert latest.subject == "手順2 現行システムの概要調査"
    changes = {c.label: (c.old, c.new) for c in latest.changes}
    assert changes == {"状態": ("未着手", "実施中"), "実績開始日": ("（なし）", "令和7年4月7日")}
    assert entries[-1].subject == "案件情報" and entries[-1].action == "作成"


def test_a_stale_save_is_refused_and_says_what_changed(users, resident_project):
    step = _step(resident_project, 4)
    seen_version = step.version
    services.update_step_progress(
        actor=users["dx"],
        progress=step,
        expected_version=seen_version,
        data={"percent_done": 40, "note": "事務局が更新"},
    )
    with pytest.raises(StaleObjectError) as raised:
        services.update_step_progress(
            actor=users["dept"], progress=step, expected_version=seen_version, data={"percent_done": 10}
        )
    assert ("進捗率（%）", "0", "40") in raised.value.changes
    assert "dxさんが" in raised.value.message and "あなたの入力は残してあります" in raised.value.message
    assert _step(resident_project, 4).percent_done == 40


def test_only_the_owning_department_and_dx_office_update_steps(users, resident_project):
    step = _step(resident_project, 1)
    for name in ("tax", "manager", "vendor", "other_dx"):
        with pytest.raises(PermissionDenied):
            services.update_step_progress(
                actor=users[name], progress=step, expected_version=step.version, data={"percent_done": 5}
            )
    assert _step(resident_project, 1).percent_done == 0


def test_only_the_dx_office_changes_project_attributes(users, resident_project):
    with pytest.raises(PermissionDenied):
        services.update_project(actor=users["dept"], project=resident_project, expected_version=1, data={"notes": "x"})


def test_contract_changes_show_on_the_project_history(users, resident_project, vendor):
    from vendors import services as vendor_services

    contract = vendor_services.create_contract(
        actor=users["dx"],
        municipality=resident_project.municipality,
        projects=[resident_project],
        vendor=vendor,
        package_name="MIRAI総合行政システム",
        start_date=dt.date(2019, 4, 1),
        end_date=dt.date(2026, 3, 31),
    )
    vendor_services.update_contract(
        actor=users["dx"], contract=contract, expected_version=1, data={"end_date": dt.date(2027, 3, 31)}
    )
    entries = [e for e in selectors.project_history(resident_project) if e.subject.startswith("契約")]
    assert entries[0].subject == "契約 株式会社みらい自治体システムズ MIRAI総合行政システム"
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [("契約終了日", "令和8年3月31日", "令和9年3月31日")]
    assert entries[0].user == users["dx"] and entries[1].action == "作成"
