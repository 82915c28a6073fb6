"""/api/v1/requirements/ and /api/v1/gaps/: filters and the same permissions as the pages."""

import pytest

from fitgap.models import GapItem

ROLES = ["dx", "dept", "tax", "manager", "vendor", "other_dx", "anonymous"]


def client_for(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


def test_requirements_filter_by_operation_and_version(client, users, catalogue, import_catalogue, sample_csv):
    import_catalogue(sample_csv + "SMPL-J-0999,追加,機能,標準オプション,内容,\n", "第2.0版")
    client.force_login(users["manager"])
    everything = client.get("/api/v1/requirements/", {"page_size": 100}).json()
    assert everything["count"] == 73
    first = client.get("/api/v1/requirements/", {"operation": 1, "version": "第1.0版"}).json()
    assert first["count"] == 36
    row = first["results"][0]
    assert (row["function_id"], row["level_display"], row["version_label"], row["operation"]) == (
        "SMPL-J-0001", "実装必須", "第1.0版", 1
    )  # fmt: skip
    assert client.get("/api/v1/requirements/", {"operation": 2}).json()["count"] == 0
    assert client.get("/api/v1/requirement-catalogues/").json()["count"] == 2
    client.force_login(users["other_dx"])
    assert client.get("/api/v1/requirements/").json()["count"] == 0


def test_gaps_filter_by_project_kind_judgement_status(client, users, analysis, resident_project):
    from fitgap import services

    item = analysis.items.get(key="SMPL-J-0001")
    services.update_item(
        actor=users["dept"],
        item=item,
        expected_version=1,
        data={"judgement": "gap", "status": "in_progress", "impact": "low"},
    )
    services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "独自機能"})
    client.force_login(users["dept"])
    url = "/api/v1/gaps/"
    assert client.get(url, {"project": resident_project.id}).json()["count"] == 37
    assert client.get(url, {"kind": "customisation"}).json()["results"][0]["key"] == "CU-001"
    got = client.get(url, {"judgement": "gap", "status": "in_progress"}).json()["results"]
    assert [g["key"] for g in got] == ["SMPL-J-0001"]
    assert got[0]["function_name"] == "転入届の受付" and got[0]["status_display"] == "検討中"


# expected: (GET list count>0?, PATCH status, POST status)
MATRIX = {
    "dx": (200, 200, 201),
    "dept": (200, 200, 201),
    "tax": (200, 403, 403),
    "manager": (200, 403, 403),
    "vendor": (403, 403, 403),
    "other_dx": (200, 404, 404),
    "anonymous": (403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_gap_permissions(client, users, analysis, resident_project, role):
    client = client_for(client, users, role)
    item = analysis.items.get(key="SMPL-J-0002")
    listing = client.get("/api/v1/gaps/")
    patch = client.patch(
        f"/api/v1/gaps/{item.id}/",
        {"judgement": "fit", "current_support": "full", "version": item.version},
        content_type="application/json",
    )
    post = client.post(
        "/api/v1/gaps/",
        {"project": resident_project.id, "kind": "comparison", "title": "一括処理", "comparison_status": "changed"},
        content_type="application/json",
    )
    assert (listing.status_code, patch.status_code, post.status_code) == MATRIX[role]
    if role == "other_dx":
        assert listing.json()["count"] == 0
    if role in ("dx", "dept"):
        assert GapItem.objects.get(pk=item.pk).judgement == "fit"
        assert post.json()["key"] == "CMP-001"


def test_api_stale_and_invalid_writes(client, users, analysis):
    client.force_login(users["dept"])
    item = analysis.items.get(key="SMPL-J-0001")
    url = f"/api/v1/gaps/{item.id}/"
    assert client.patch(url, {"owner": "a", "version": 1}, content_type="application/json").status_code == 200
    stale = client.patch(url, {"owner": "b", "version": 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    missing = client.patch(url, {"owner": "b"}, content_type="application/json")
    assert missing.status_code == 400
    invalid = client.patch(url, {"status": "decided", "version": 2}, content_type="application/json")
    assert invalid.status_code == 400 and "決定内容" in invalid.json()["decision"][0]
    option = client.patch(url, {"option_choice": "adopt", "version": 2}, content_type="application/json")
    assert option.status_code == 400 and "option_choice" in option.json()


def test_summary_and_bulk_through_the_api(client, users, analysis, resident_project):
    client.force_login(users["dept"])
    rows = list(analysis.items.order_by("sort_order")[:2])
    body = {
        "project": resident_project.id,
        "items": [{"id": r.id, "version": r.version} for r in rows],
        "owner": "田中",
    }
    response = client.post("/api/v1/gaps/bulk/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["updated"] == 2
    assert set(GapItem.objects.filter(pk__in=[r.id for r in rows]).values_list("owner", flat=True)) == {"田中"}
    stale = client.post("/api/v1/gaps/bulk/", body | {"owner": "佐藤"}, content_type="application/json")
    assert stale.status_code == 409
    assert not GapItem.objects.filter(owner="佐藤").exists()
    client.force_login(users["manager"])
    assert client.post("/api/v1/gaps/bulk/", body, content_type="application/json").status_code == 403
    summary = client.get("/api/v1/gaps/summary/", {"project": resident_project.id}).json()
    assert (summary["rows"], summary["gaps"], summary["percent_decided"]) == (36, 0, None)
    assert summary["counts"]["judgement_none"] == 36
    assert client.get("/api/v1/gaps/summary/").json()["rows"] == 36
    client.force_login(users["other_dx"])
    assert client.get("/api/v1/gaps/summary/", {"project": resident_project.id}).status_code == 404
    assert client.get("/api/v1/gaps/summary/").json()["rows"] == 0


def test_vendor_rows_can_be_deleted_spec_rows_cannot(client, users, analysis):
    from fitgap import services

    row = services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "誤登録"})
    spec_row = analysis.items.get(key="SMPL-J-0001")
    client.force_login(users["manager"])
    assert client.delete(f"/api/v1/gaps/{row.id}/?version=1").status_code == 403
    client.force_login(users["dept"])
    assert client.delete(f"/api/v1/gaps/{row.id}/").status_code == 400
    assert client.delete(f"/api/v1/gaps/{row.id}/?version=9").status_code == 409
    assert client.delete(f"/api/v1/gaps/{spec_row.id}/?version=1").status_code == 400
    assert client.delete(f"/api/v1/gaps/{row.id}/?version=1").status_code == 204
    assert not GapItem.objects.filter(pk=row.id).exists()
    assert GapItem.history.filter(id=row.id, history_type="-").get().history_user == users["dept"]
    again = services.add_item(
        actor=users["dept"], analysis=analysis, kind="comparison", data={"title": "x", "comparison_status": "added"}
    )
    response = client.post(
        f"/fitgap/projects/{analysis.project_id}/items/{again.id}/delete/", {"version": 1}, follow=True
    )
    assert "機能比較表の行 CMP-001「x」を削除しました" in response.content.decode()


def test_patching_the_catalogue_text_of_a_spec_row_is_a_400_by_field(client, users, analysis):
    client.force_login(users["dept"])
    item = analysis.items.get(key="SMPL-J-0001")
    url = f"/api/v1/gaps/{item.id}/"
    response = client.patch(
        url,
        {"title": "別の名前", "description": "別の内容", "comparison_status": "added", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"title", "description", "comparison_status"}
    assert "標準仕様の行" in errors["title"][0] and "変更できません" in errors["title"][0]
    assert "比較表の状態" in errors["comparison_status"][0]
    fresh = GapItem.objects.get(pk=item.pk)
    assert (fresh.title, fresh.version) == ("", 1)  # nothing saved, the version is not used up
    # sending back the values that were read (e.g. the whole GET representation) is not an error
    same = client.patch(
        url, {"title": "", "comparison_status": "", "owner": "佐藤", "version": 1}, content_type="application/json"
    )
    assert same.status_code == 200 and same.json()["owner"] == "佐藤"
