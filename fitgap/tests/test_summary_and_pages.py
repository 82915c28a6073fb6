"""Summary counts against a known fixture, the urgent list for the DX office, the pages and their
query counts (the table page must stay fast for hundreds of rows)."""

import datetime as dt

import pytest
from django.utils import timezone

from fitgap import selectors, services
from fitgap.models import GapItem

TODAY = timezone.localdate()


@pytest.fixture
def known(analysis, users):
    """Rows set to known values: 3 Fit, 4 Gap (2 high, 1 medium, 1 low), the rest 未判定."""

    def set_row(key, **data):
        item = analysis.items.select_related("requirement").get(key=key)
        services.update_item(actor=users["dept"], item=item, expected_version=item.version, data=data)

    for key in ("SMPL-J-0001", "SMPL-J-0002", "SMPL-J-0003"):
        set_row(key, judgement="fit", current_support="full")
    set_row(
        "SMPL-J-0009",
        judgement="gap",
        impact="high",
        policy="bpr",
        status="in_progress",
        due_date=TODAY + dt.timedelta(days=10),
    )  # urgent
    set_row(
        "SMPL-J-0012",
        judgement="gap",
        impact="high",
        policy="external_tool",
        status="decided",
        decision="RPAで代替",
        due_date=TODAY + dt.timedelta(days=5),
    )  # decided: not urgent
    set_row("SMPL-J-0013", judgement="gap", impact="medium", policy="option", status="decided", decision="採用")
    set_row(
        "SMPL-J-0014", judgement="gap", impact="low", status="in_progress", due_date=TODAY - dt.timedelta(days=1)
    )  # overdue, low
    services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind="customisation",
        data={"title": "独自帳票", "impact": "high", "due_date": TODAY - dt.timedelta(days=3)},
    )  # urgent, overdue
    return analysis


def test_summary_counts(known):
    summary = selectors.analysis_summary(known)
    assert summary.rows == 37
    assert dict(summary.by_judgement) == {"Fit": 3, "Gap": 5, "未判定": 29}
    assert dict(summary.by_impact) == {"高": 3, "中": 1, "低": 1, "未設定": 0}
    assert dict(summary.by_policy)["業務運用の見直し(BPR)"] == 1
    assert dict(summary.by_policy)["未定"] == 2
    assert dict(summary.by_status) == {"未検討": 1, "検討中": 2, "決定": 2}
    assert summary.percent_decided == 40


def test_municipality_summary_and_urgent_list(known, users, city, make_project):
    make_project(city, 3, "税務課")  # a project without an analysis
    total, projects = selectors.municipality_summary(users["dx"])
    assert total.gaps == 5 and total.rows == 37
    assert [(p.project.operation.number, p.summary.gaps) for p in projects] == [(1, 5), (3, 0)]
    assert projects[1].analysis is None
    urgent = list(selectors.urgent_gaps(users["dx"]))
    assert [i.key for i in urgent] == ["CU-001", "SMPL-J-0009"]  # by due date; decided and low ones left out
    assert list(selectors.urgent_gaps(users["other_dx"])) == []


def test_home_page_lists_urgent_gaps_for_the_dx_office_only(client, known, users):
    client.force_login(users["dx"])
    html = client.get("/fitgap/").content.decode()
    assert "対応期限が30日以内の未決定の影響度「高」のGap（2件）" in html
    assert "独自帳票" in html
    client.force_login(users["dept"])
    html = client.get("/fitgap/").content.decode()
    assert "影響度「高」のGap" not in html and "住民基本台帳" in html


def test_table_filters(client, known, users, resident_project):
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{resident_project.id}/"
    assert len(client.get(url).context["items"]) == 37
    assert [i.key for i in client.get(url, {"judgement": "gap", "impact": "high"}).context["items"]] == [
        "SMPL-J-0009",
        "SMPL-J-0012",
        "CU-001",
    ]
    assert [i.key for i in client.get(url, {"overdue": "on"}).context["items"]] == ["SMPL-J-0014", "CU-001"]
    assert [i.key for i in client.get(url, {"kind": "customisation"}).context["items"]] == ["CU-001"]
    assert len(client.get(url, {"judgement": "none"}).context["items"]) == 29
    assert [i.key for i in client.get(url, {"policy": "option", "status": "decided"}).context["items"]] == [
        "SMPL-J-0013"
    ]


def test_inline_edit_with_htmx_keeps_input_on_errors(client, analysis, users, resident_project):
    client.force_login(users["dept"])
    item = analysis.items.get(key="SMPL-J-0005")
    url = f"/fitgap/projects/{resident_project.id}/items/{item.id}/edit/"
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert 'aria-label="SMPL-J-0005「職権記載」の編集"' in form.content.decode()
    data = {
        "version": 1,
        "judgement": "gap",
        "impact": "high",
        "policy": "undecided",
        "status": "decided",
        "owner": "田中",
        "due_date": "2026-10-31",
        "decision": "",
        "impact_description": "影響あり",
        "current_support": "none",
    }
    bad = client.post(url, data, HTTP_HX_REQUEST="true")
    html = bad.content.decode()
    assert bad.status_code == 200 and "決定内容を入力してください" in html and 'value="田中"' in html
    data.update(decision="運用で対応", policy="bpr")
    good = client.post(url, data, HTTP_HX_REQUEST="true")
    assert good.status_code == 200 and "✔ 決定" in good.content.decode()
    assert good["HX-Trigger"] == "fitgapChanged"  # the summary reloads itself
    summary = client.get(f"/fitgap/projects/{resident_project.id}/summary/").content.decode()
    assert "決定率: <strong>100%</strong>" in summary
    item.refresh_from_db()
    assert (item.status, item.owner, item.version) == ("decided", "田中", 2)
    stale = client.post(url, data | {"owner": "別人"}, HTTP_HX_REQUEST="true")
    assert "先に更新したため、保存できませんでした" in stale.content.decode()


def test_bulk_page_and_permissions(client, analysis, users, resident_project):
    ids = list(analysis.items.values_list("id", flat=True)[:2])
    url = f"/fitgap/projects/{resident_project.id}/items/bulk/"
    client.force_login(users["dept"])
    client.post(url, {"item": ids, "owner": "高橋", f"version-{ids[0]}": 1, f"version-{ids[1]}": 1})
    assert set(GapItem.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {"高橋"}
    shown = {f"version-{i.id}": i.version for i in analysis.items.filter(key__startswith="SMPL-J-01")}
    client.post(url, {"scope": "shown", "due_date": "2026-09-30", **shown})
    assert analysis.items.filter(due_date=dt.date(2026, 9, 30)).count() == len(shown) == 7
    for role, status in (("tax", 403), ("manager", 403), ("vendor", 403), ("other_dx", 404)):
        client.force_login(users[role])
        assert client.post(url, {"item": ids, "owner": "x"}).status_code == status
        assert client.get(f"/fitgap/projects/{resident_project.id}/").status_code == (
            200 if role in ("tax", "manager") else status
        )


def test_start_and_raise_pages(client, users, resident_project, catalogue):
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{resident_project.id}/"
    assert "分析を始める" in client.get(url).content.decode()
    client.post(url, {"catalogue": catalogue.id})
    item = GapItem.objects.get(key="SMPL-J-0001")
    services.update_item(actor=users["dept"], item=item, expected_version=1, data={"judgement": "gap"})
    response = client.post(f"{url}items/{item.id}/raise-issue/", follow=True)
    assert "課題管理表に No.1 として起票しました" in response.content.decode()
    assert f'href="/issues/{GapItem.objects.get(pk=item.pk).risk_issue_id}/"' in client.get(url).content.decode()


def _grow(analysis, users, n):
    GapItem.objects.bulk_create(
        GapItem(
            analysis=analysis,
            kind="customisation",
            key=f"CU-{i:04d}",
            title=f"カスタマイズ{i}",
            judgement="gap",
            impact="high",
            sort_order=100_000 + i,
            due_date=TODAY,
        )
        for i in range(n)
    )


def test_table_and_summary_pages_need_a_fixed_number_of_queries(
    client, analysis, users, resident_project, django_assert_max_num_queries
):
    client.force_login(users["dept"])
    _grow(analysis, users, 300)
    with django_assert_max_num_queries(12):
        response = client.get(f"/fitgap/projects/{resident_project.id}/")
    assert len(response.context["items"]) == 336
    client.force_login(users["dx"])
    with django_assert_max_num_queries(12):
        response = client.get("/fitgap/")
    assert len(response.context["urgent"]) == 300
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/gaps/", {"project": resident_project.id}).status_code == 200


def test_add_row_page_keeps_input_on_errors(client, analysis, users, resident_project):
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{resident_project.id}/items/new/"
    bad = client.post(url, {"kind": "comparison", "title": "一括異動処理", "policy": "undecided", "key": ""})
    html = bad.content.decode()
    assert bad.status_code == 400 and "追加・変更・削除" in html and 'value="一括異動処理"' in html
    client.post(
        url, {"kind": "comparison", "title": "一括異動処理", "comparison_status": "removed", "policy": "undecided"}
    )
    assert analysis.items.get(kind="comparison").key == "CMP-001"


def test_move_page_and_read_only_table_for_managers(
    client, analysis, users, resident_project, import_catalogue, sample_csv
):
    second, _ = import_catalogue(sample_csv, "第2.0版")
    client.force_login(users["manager"])
    html = client.get(f"/fitgap/projects/{resident_project.id}/").content.decode()
    assert "新しい版（第2.0版）があります" in html
    assert 'form="bulk-form"' not in html and "を編集" not in html and "版を更新" not in html
    assert client.get(f"/fitgap/projects/{resident_project.id}/move/").status_code == 403
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{resident_project.id}/move/"
    assert "第2.0版" in client.get(url).content.decode()
    stale = client.post(url, {"catalogue": second.id, "version": 0})
    assert "先に更新したため" in stale.content.decode()
    response = client.post(url, {"catalogue": second.id, "version": 1}, follow=True)
    assert "引継ぎ 36行、要確認 0行、追加 0行、削除 0行" in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.catalogue == second


def test_row_edit_works_without_javascript(client, analysis, users, resident_project):
    client.force_login(users["dept"])
    item = analysis.items.get(key="SMPL-J-0012")
    url = f"/fitgap/projects/{resident_project.id}/items/{item.id}/edit/"
    page = client.get(url).content.decode()
    assert "<h1>標準仕様 SMPL-J-0012「住所の表記ゆれチェック」</h1>" in page and "標準オプションの採否" in page
    bad = client.post(url, {"version": 1, "policy": "undecided", "status": "decided", "option_choice": "adopt"})
    assert bad.status_code == 400 and 'value="adopt" selected' in bad.content.decode()
    good = client.post(url, {"version": 1, "policy": "undecided", "status": "in_progress", "option_choice": "adopt"})
    assert good.status_code == 302 and good.url.endswith(f"#item-{item.id}")
    item.refresh_from_db()
    assert (item.option_choice, item.status) == ("adopt", "in_progress")


def test_bulk_change_without_an_analysis_goes_to_the_start_form(client, users, resident_project):
    client.force_login(users["dept"])
    response = client.post(f"/fitgap/projects/{resident_project.id}/items/bulk/", {"item": ["1"], "owner": "高橋"})
    assert response.status_code == 302 and response.url == f"/fitgap/projects/{resident_project.id}/"


def test_bulk_change_refuses_rows_sent_without_their_version(client, analysis, users, resident_project):
    ids = list(analysis.items.order_by("sort_order").values_list("id", flat=True)[:2])
    url = f"/fitgap/projects/{resident_project.id}/items/bulk/"
    client.force_login(users["dept"])
    for versions in ({f"version-{ids[0]}": 1}, {f"version-{ids[0]}": 1, f"version-{ids[1]}": "x"}):
        response = client.post(url, {"item": ids, "owner": "高橋", **versions}, follow=True)
        html = response.content.decode()
        assert "どの行も変更されていません" in html and "版数" in html and "読み込み直して" in html
        assert not GapItem.objects.filter(owner="高橋").exists()


def test_a_vendor_row_text_can_be_corrected_on_the_page(client, analysis, users, resident_project):
    row = services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind="comparison",
        data={"title": "一括異動", "comparison_status": "added"},
    )
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{resident_project.id}/items/{row.id}/edit/"
    page = client.get(url).content.decode()
    assert 'name="title"' in page and 'name="description"' in page and 'name="comparison_status"' in page
    data = {"version": 1, "title": "", "description": "一括で異動を処理する", "comparison_status": "changed",
            "policy": "undecided", "status": "not_started"}  # fmt: skip
    bad = client.post(url, data)
    html = bad.content.decode()
    assert bad.status_code == 400 and "機能名・項目名を入力してください。" in html
    assert "一括で異動を処理する" in html and 'value="changed" selected' in html  # input kept
    good = client.post(url, data | {"title": "一括異動処理"})
    assert good.status_code == 302
    row.refresh_from_db()
    assert (row.title, row.description, row.comparison_status) == ("一括異動処理", "一括で異動を処理する", "changed")
    inline = client.post(url, data | {"title": "一括異動処理（改）", "version": 2}, HTTP_HX_REQUEST="true")
    assert inline.status_code == 200 and "一括異動処理（改）" in inline.content.decode()
    customisation = services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "x"})
    page = client.get(f"/fitgap/projects/{resident_project.id}/items/{customisation.id}/edit/").content.decode()
    assert 'name="title"' in page and 'name="description"' in page and 'name="comparison_status"' not in page
    spec_row = analysis.items.get(key="SMPL-J-0001")
    page = client.get(f"/fitgap/projects/{resident_project.id}/items/{spec_row.id}/edit/").content.decode()
    assert 'name="title"' not in page and 'name="description"' not in page and 'name="comparison_status"' not in page


def test_another_department_cannot_start_or_move_the_analysis(
    client, users, resident_project, catalogue, import_catalogue, sample_csv
):
    from fitgap.models import Analysis

    url = f"/fitgap/projects/{resident_project.id}/"
    client.force_login(users["tax"])
    assert client.post(url, {"catalogue": catalogue.id}).status_code == 403
    client.force_login(users["other_dx"])
    assert client.post(url, {"catalogue": catalogue.id}).status_code == 404
    assert not Analysis.objects.exists()
    analysis = services.start_analysis(actor=users["dept"], project=resident_project, catalogue=catalogue)
    second, _ = import_catalogue(sample_csv, "第2.0版")
    client.force_login(users["tax"])
    assert client.get(f"{url}move/").status_code == 403
    assert client.post(f"{url}move/", {"catalogue": second.id, "version": 1}).status_code == 403
    analysis.refresh_from_db()
    assert (analysis.catalogue, analysis.version) == (catalogue, 1)
