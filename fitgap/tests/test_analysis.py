"""The three row kinds, the defaults of 対応期限, the rules of a row, bulk change, moving to a new
version, and raising a register item (linked both ways)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fitgap import services
from fitgap.models import GapItem
from portal.concurrency import StaleObjectError


def spec(analysis, key):
    return analysis.items.select_related("requirement", "analysis__project").get(kind="spec", key=key)


def test_starting_an_analysis_makes_one_row_per_requirement(analysis, catalogue):
    items = list(analysis.items.all())
    assert len(items) == 36
    assert {i.kind for i in items} == {"spec"}
    assert all(i.status == "not_started" and i.judgement == "" and i.policy == "undecided" for i in items)
    assert [i.key for i in items][:3] == ["SMPL-J-0001", "SMPL-J-0002", "SMPL-J-0003"]  # the catalogue's order
    assert analysis.catalogue == catalogue


@pytest.mark.parametrize(
    ("today", "month", "day", "expected"),
    [
        (dt.date(2025, 6, 1), 10, 31, dt.date(2025, 10, 31)),  # this fiscal year's 予算要求
        (dt.date(2025, 10, 31), 10, 31, dt.date(2025, 10, 31)),  # on the day itself
        (dt.date(2025, 11, 1), 10, 31, dt.date(2026, 10, 31)),  # passed: next fiscal year's
        (dt.date(2026, 2, 10), 10, 31, dt.date(2026, 10, 31)),  # Jan–Mar belong to the previous 年度
        (dt.date(2025, 6, 1), 9, 30, dt.date(2025, 9, 30)),  # the municipality's own setting
        (dt.date(2025, 6, 1), 2, 29, dt.date(2026, 2, 28)),  # a setting in Jan–Mar falls in the next year
    ],
)
def test_default_due_date_is_the_next_budget_request(city, today, month, day, expected):
    city.budget_request_month, city.budget_request_day = month, day
    assert services.default_due_date(city, today) == expected


def test_new_rows_get_the_default_due_date(analysis, city):
    due = services.default_due_date(city)
    assert set(analysis.items.values_list("due_date", flat=True)) == {due}


def test_customisation_rows_start_as_gaps_and_need_a_name(analysis, users):
    item = services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind=GapItem.Kind.CUSTOMISATION,
        data={"title": "独自の窓口混雑表示", "description": "待ち人数を庁舎内モニタに表示"},
    )
    assert (item.key, item.judgement, item.kind) == ("CU-001", "gap", "customisation")
    second = services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "x"})
    assert second.key == "CU-002"
    with pytest.raises(ValidationError) as caught:
        services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": ""})
    assert caught.value.message_dict["title"] == ["機能名・項目名を入力してください。"]
    with pytest.raises(ValidationError) as caught:
        services.add_item(
            actor=users["dept"], analysis=analysis, kind="customisation", key="CU-001", data={"title": "y"}
        )
    assert "すでに使われています" in caught.value.message_dict["key"][0]


def test_comparison_rows_need_their_status(analysis, users):
    with pytest.raises(ValidationError) as caught:
        services.add_item(actor=users["dept"], analysis=analysis, kind="comparison", data={"title": "一括異動"})
    assert "追加・変更・削除" in caught.value.message_dict["comparison_status"][0]
    item = services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind="comparison",
        key="比較-12",
        data={"title": "一括異動処理", "comparison_status": "removed"},
    )
    assert (item.key, item.get_comparison_status_display(), item.judgement) == ("比較-12", "削除", "")


def test_option_choice_only_for_standard_options(analysis, users):
    optional = spec(analysis, "SMPL-J-0012")
    updated = services.update_item(
        actor=users["dept"], item=optional, expected_version=optional.version, data={"option_choice": "adopt"}
    )
    assert updated.get_option_choice_display() == "採用"
    mandatory = spec(analysis, "SMPL-J-0001")
    with pytest.raises(ValidationError) as caught:
        services.update_item(
            actor=users["dept"], item=mandatory, expected_version=mandatory.version, data={"option_choice": "adopt"}
        )
    assert "標準オプション" in caught.value.message_dict["option_choice"][0]


def test_deciding_a_gap_needs_impact_policy_and_decision(analysis, users):
    item = spec(analysis, "SMPL-J-0009")
    with pytest.raises(ValidationError) as caught:
        services.update_item(
            actor=users["dept"],
            item=item,
            expected_version=item.version,
            data={"judgement": "gap", "status": "decided"},
        )
    errors = caught.value.message_dict
    assert set(errors) == {"decision", "policy", "impact"}
    item = services.update_item(
        actor=users["dept"],
        item=item,
        expected_version=item.version,
        data={
            "current_support": "partial",
            "judgement": "gap",
            "impact": "high",
            "impact_description": "警告表示の様式が変わる",
            "policy": "bpr",
            "status": "decided",
            "decision": "窓口の確認手順を見直す",
        },
    )
    assert (item.status, item.version) == ("decided", 2)
    assert item.history.first().history_user == users["dept"]


def test_stale_saves_and_other_departments_are_refused(analysis, users):
    item = spec(analysis, "SMPL-J-0001")
    services.update_item(actor=users["dx"], item=item, expected_version=1, data={"owner": "佐藤"})
    with pytest.raises(StaleObjectError) as caught:
        services.update_item(actor=users["dept"], item=item, expected_version=1, data={"owner": "鈴木"})
    assert "担当者（（なし） → 佐藤）" in caught.value.message
    for role in ("tax", "manager"):
        with pytest.raises(PermissionDenied):
            services.update_item(actor=users[role], item=item, expected_version=2, data={"owner": "x"})


def test_bulk_change_of_owner_and_due_date_is_all_or_nothing(analysis, users):
    items = list(analysis.items.order_by("sort_order")[:3])
    count = services.bulk_update(
        actor=users["dept"],
        analysis=analysis,
        rows=[(i, i.version) for i in items],
        owner="市民課 田中",
        due_date=dt.date(2026, 9, 30),
    )
    assert count == 3
    assert set(analysis.items.filter(owner="市民課 田中").values_list("due_date", flat=True)) == {dt.date(2026, 9, 30)}
    fresh = [GapItem.objects.get(pk=i.pk) for i in items]
    with pytest.raises(StaleObjectError):
        services.bulk_update(
            actor=users["dept"],
            analysis=analysis,
            rows=[(fresh[0], fresh[0].version), (fresh[1], 1)],  # the second is stale
            owner="別の人",
        )
    assert not analysis.items.filter(owner="別の人").exists()  # nothing changed


def test_moving_to_a_new_version_keeps_decisions_and_flags_changes(
    analysis, users, import_catalogue, sample_csv, catalogue
):
    kept = spec(analysis, "SMPL-J-0001")
    services.update_item(
        actor=users["dept"], item=kept, expected_version=1, data={"judgement": "fit", "current_support": "full"}
    )
    lines = [line for line in sample_csv.splitlines() if not line.startswith("SMPL-J-0016,")]
    lines = [line.replace("転出証明書を発行できること。", "転出証明書を電子的にも発行できること。") for line in lines]
    lines.append("SMPL-J-0502,転出届のオンライン受付,機能,実装必須,マイナポータルからの転出届を受け付けられること。,")
    second, _ = import_catalogue("\n".join(lines) + "\n", "第2.0版")
    assert analysis.items.get(key="SMPL-J-0001").requirement.catalogue == catalogue  # still the old version
    result = services.move_to_catalogue(actor=users["dept"], analysis=analysis, catalogue=second, expected_version=1)
    assert result == {"kept": 34, "review": 1, "added": 1, "removed": 1}
    analysis.refresh_from_db()
    assert analysis.catalogue == second
    moved = spec(analysis, "SMPL-J-0001")
    assert (moved.requirement.catalogue, moved.judgement, moved.current_support) == (second, "fit", "full")
    assert spec(analysis, "SMPL-J-0103").needs_review
    assert spec(analysis, "SMPL-J-0502").status == "not_started"
    assert not analysis.items.filter(key="SMPL-J-0016").exists()


def test_a_gap_raises_a_register_item_linked_both_ways(analysis, users, resident_project):
    from migration.models import RiskIssue

    item = spec(analysis, "SMPL-J-0009")
    services.update_item(
        actor=users["dept"],
        item=item,
        expected_version=1,
        data={
            "judgement": "gap",
            "impact": "high",
            "impact_description": "警告の出し方が変わる",
            "status": "in_progress",
        },
    )
    issue = services.raise_risk_issue(actor=users["dept"], item=item)
    assert issue.project == resident_project
    assert (issue.kind, issue.importance, issue.step.number) == ("risk", "high", 3)
    assert "SMPL-J-0009" in issue.description and "警告の出し方が変わる" in issue.description
    assert issue.due_date == GapItem.objects.get(pk=item.pk).due_date
    assert GapItem.objects.get(pk=item.pk).risk_issue == issue
    assert list(RiskIssue.objects.get(pk=issue.pk).gap_items.all()) == [item]
    with pytest.raises(ValidationError):
        services.raise_risk_issue(actor=users["dept"], item=item)
    with pytest.raises(PermissionDenied):
        services.raise_risk_issue(actor=users["manager"], item=spec(analysis, "SMPL-J-0001"))


def test_the_register_side_snippet_links_back_to_the_gap(analysis, users):
    from django.template.loader import render_to_string

    item = spec(analysis, "SMPL-J-0009")
    services.update_item(actor=users["dept"], item=item, expected_version=1, data={"judgement": "gap"})
    issue = services.raise_risk_issue(actor=users["dept"], item=item)
    html = render_to_string("fitgap/_risk_issue_gaps.html", {"issue": issue})
    assert f'href="/fitgap/projects/{analysis.project_id}/#item-{item.id}"' in html
    assert "標準仕様 SMPL-J-0009" in html and "判定: Gap" in html


def test_the_register_page_links_back_to_the_gap(analysis, users, client):
    item = spec(analysis, "SMPL-J-0009")
    services.update_item(actor=users["dept"], item=item, expected_version=1, data={"judgement": "gap"})
    issue = services.raise_risk_issue(actor=users["dept"], item=item)
    client.force_login(users["manager"])
    html = client.get(f"/issues/{issue.id}/").content.decode()
    assert "起票元のFit &amp; Gap分析" in html and f"#item-{item.id}" in html


def test_the_table_offers_the_list_export_with_the_project(analysis, users, client):
    client.force_login(users["dept"])
    html = client.get(f"/fitgap/projects/{analysis.project_id}/").content.decode()
    assert 'action="/dashboard/export/gaps/"' in html
    assert f'name="project" value="{analysis.project_id}"' in html


def test_bulk_change_keeps_the_review_flags(analysis, users):
    flagged, plain = list(analysis.items.order_by("sort_order")[:2])
    GapItem.objects.filter(pk=flagged.pk).update(needs_review=True)
    services.bulk_update(
        actor=users["dept"],
        analysis=analysis,
        rows=[(flagged, 1), (plain, 1)],
        owner="市民課 田中",
        due_date=dt.date(2026, 9, 30),
    )
    flagged, plain = GapItem.objects.get(pk=flagged.pk), GapItem.objects.get(pk=plain.pk)
    assert (flagged.owner, flagged.due_date, flagged.version) == ("市民課 田中", dt.date(2026, 9, 30), 2)
    assert flagged.needs_review is True and plain.needs_review is False
    # saving the row itself is its review
    services.update_item(actor=users["dept"], item=flagged, expected_version=2, data={"judgement": "fit"})
    assert GapItem.objects.get(pk=flagged.pk).needs_review is False


def test_moving_to_a_new_version_locks_the_rows_it_rewrites(analysis, users, import_catalogue, sample_csv, monkeypatch):
    """SQLite ignores FOR UPDATE, so the test records the locks asked for; PostgreSQL refuses FOR UPDATE
    on the nullable side of an outer join, so every lock with select_related must name of=("self",)."""
    from django.db.models import QuerySet

    second, _ = import_catalogue(sample_csv, "第2.0版")
    locks = []
    real = QuerySet.select_for_update

    def recording(queryset, *args, **kwargs):
        locks.append((queryset.model, kwargs.get("of")))
        return real(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    services.move_to_catalogue(actor=users["dept"], analysis=analysis, catalogue=second, expected_version=1)
    assert (GapItem, ("self",)) in locks
    assert all(of == ("self",) for _model, of in locks)


def test_added_rows_and_rows_of_a_new_version_get_the_default_due_date(
    analysis, users, city, import_catalogue, sample_csv
):
    from fitgap.models import Analysis

    started_with = spec(analysis, "SMPL-J-0001").due_date
    city.budget_request_month, city.budget_request_day = 9, 30
    city.save()
    due = services.default_due_date(city)
    assert due != started_with
    analysis = Analysis.objects.select_related("project__municipality").get(pk=analysis.pk)
    added = services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "独自帳票"})
    assert added.due_date == due
    empty = services.add_item(
        actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "独自帳票2", "due_date": None}
    )
    assert empty.due_date == due
    chosen = services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind="comparison",
        data={"title": "一括異動", "comparison_status": "added", "due_date": dt.date(2027, 1, 15)},
    )
    assert chosen.due_date == dt.date(2027, 1, 15)
    line = "SMPL-J-0502,転出届のオンライン受付,機能,実装必須,マイナポータルからの転出届を受け付けられること。,"
    second, _ = import_catalogue(sample_csv + line + "\n", "第2.0版")
    services.move_to_catalogue(actor=users["dept"], analysis=analysis, catalogue=second, expected_version=1)
    assert spec(analysis, "SMPL-J-0502").due_date == due  # the new requirement's row
    assert spec(analysis, "SMPL-J-0001").due_date == started_with  # kept rows keep theirs
