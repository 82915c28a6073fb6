"""Excel round trip of the 調査票: export (a recorded job) → change cells with openpyxl → import →
values changed; a broken file changes nothing and reports every problem by row, column and reason."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from fitgap import services
from fitgap.imports import SURVEY_HEADERS
from fitgap.models import GapItem
from fitgap.tests.conftest import upload, workbook_bytes
from portal.imports import ImportRejected
from portal.models import Job

COLUMN = {name: index for index, name in enumerate(SURVEY_HEADERS, start=1)}


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    def run(client, project, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/fitgap/projects/{project.id}/survey/export/", extra)
        return _read_job(client, response)

    return run


def _read_job(client, response):
    job = Job.objects.latest("id")
    assert response.url == f"/jobs/{job.id}/"
    assert (job.state, job.kind) == ("done", "fitgap.survey"), job.error
    download = client.get(f"/jobs/{job.id}/download/")
    content = b"".join(download.streaming_content) if download.streaming else download.content
    return load_workbook(upload(content)), job


def row_of(sheet, key):
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, COLUMN["ID"]).value == key:
            return row
    raise AssertionError(key)


def test_export_has_drop_down_lists_and_neutralised_text(client, analysis, users, resident_project, export):
    item = analysis.items.get(key="SMPL-J-0001")
    services.update_item(
        actor=users["dept"], item=item, expected_version=1, data={"impact_description": "=1+2 の計算式に見える文字"}
    )
    client.force_login(users["dept"])
    book, job = export(client, resident_project)
    assert job.result_name.startswith("調査票_住民基本台帳_第1.0版_")
    sheet = book["調査票"]
    assert [c.value for c in sheet[1]] == SURVEY_HEADERS
    assert sheet.max_row == 37
    row = row_of(sheet, "SMPL-J-0001")
    cell = sheet.cell(row, COLUMN["影響内容"])
    assert (cell.value, cell.data_type) == ("=1+2 の計算式に見える文字", "s")  # text, never a formula
    assert sheet.cell(row, COLUMN["実装区分"]).value == "実装必須"
    assert sheet.cell(row, COLUMN["対応方針"]).value == "未定"
    assert sheet.cell(row, COLUMN["版数"]).value == 2
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["I2"] == '"Fit,Gap"'
    assert lists["K2"] == '"高,中,低"'
    assert lists["P2"] == '"未検討,検討中,決定"'
    assert lists["M2"].startswith('"業務運用の見直し(BPR),標準オプション機能で対応,')
    info = {r[0]: r[1] for r in book["調査票情報"].iter_rows(values_only=True)}
    assert (info["業務"], info["版"], info["団体"]) == ("住民基本台帳", "第1.0版", "あおば市")


def test_round_trip_updates_matched_rows_and_adds_new_ones(client, analysis, users, resident_project, export):
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    sheet = book["調査票"]
    row = row_of(sheet, "SMPL-J-0009")
    for name, value in {
        "現行システムでの対応": "一部", "判定": "Gap", "影響度": "高", "影響内容": "警告の出し方が変わる",
        "対応方針": "業務運用の見直し(BPR)", "担当者": "市民課 佐藤", "対応期限": dt.datetime(2026, 9, 30),
        "検討状況": "決定", "決定内容": "窓口での確認手順を改める",
    }.items():  # fmt: skip
        sheet.cell(row, COLUMN[name]).value = value
    sheet.cell(row_of(sheet, "SMPL-J-0012"), COLUMN["標準オプションの採否"]).value = "採用"
    sheet.cell(row_of(sheet, "SMPL-J-0001"), COLUMN["判定"]).value = "Fit"
    new = sheet.max_row + 1
    for name, value in {"区分": "カスタマイズ", "機能名・項目名": "独自の世帯票", "判定": "Gap", "影響度": "中",
                        "対応方針": "外部ツール(表計算・RPA・ノーコード)", "検討状況": "検討中"}.items():  # fmt: skip
        sheet.cell(new, COLUMN[name]).value = value
    response = client.post(
        f"/fitgap/projects/{resident_project.id}/survey/import/", {"file": upload(workbook_bytes(book))}, follow=True
    )
    assert "調査票を取り込みました（更新 3行、追加 1行）" in response.content.decode()
    item = analysis.items.get(key="SMPL-J-0009")
    assert (item.current_support, item.judgement, item.impact, item.policy, item.status) == (
        "partial",
        "gap",
        "high",
        "bpr",
        "decided",
    )
    assert (item.owner, item.due_date, item.decision) == (
        "市民課 佐藤",
        dt.date(2026, 9, 30),
        "窓口での確認手順を改める",
    )
    assert analysis.items.get(key="SMPL-J-0012").option_choice == "adopt"
    added = analysis.items.get(kind="customisation")
    assert (added.key, added.title, added.policy) == ("CU-001", "独自の世帯票", "external_tool")
    assert item.history.first().history_user == users["dept"]


def test_a_broken_file_changes_nothing(client, analysis, users, resident_project, export):
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    sheet = book["調査票"]
    sheet.cell(row_of(sheet, "SMPL-J-0001"), COLUMN["判定"]).value = "Fit"  # valid on its own
    bad = row_of(sheet, "SMPL-J-0002")
    sheet.cell(bad, COLUMN["判定"]).value = "たぶんFit"
    sheet.cell(bad, COLUMN["対応期限"]).value = "来年の秋"
    sheet.cell(row_of(sheet, "SMPL-J-0003"), COLUMN["担当者"]).value = "=A1&B1"  # a formula
    sheet.cell(row_of(sheet, "SMPL-J-0004"), COLUMN["標準オプションの採否"]).value = "採用"  # not an option
    decided = row_of(sheet, "SMPL-J-0005")
    sheet.cell(decided, COLUMN["検討状況"]).value = "決定"
    sheet.cell(row_of(sheet, "SMPL-J-0006"), COLUMN["ID"]).value = "SMPL-J-9999"
    before = list(GapItem.objects.order_by("id").values())
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    problems = {(p.row, p.column): p.message for p in caught.value.problems}
    assert problems[(bad, "判定")] == "「たぶんFit」は選べません。Fit・Gapのいずれかを入力してください。"
    assert "日付として読めません" in problems[(bad, "対応期限")]
    assert "数式は取り込めません" in problems[(4, "担当者")]
    assert "標準オプション" in problems[(5, "標準オプションの採否")]
    assert problems[(decided, "決定内容")] == "検討状況を「決定」にするには決定内容を入力してください。"
    assert "SMPL-J-9999" in problems[(7, "ID")]
    assert list(GapItem.objects.order_by("id").values()) == before  # nothing changed
    response = client.post(
        f"/fitgap/projects/{resident_project.id}/survey/import/", {"file": upload(workbook_bytes(book))}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "何も保存されていません" in html and "たぶんFit" in html


def test_rows_changed_since_the_export_and_foreign_files_are_refused(client, analysis, users, resident_project, export):
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    item = analysis.items.get(key="SMPL-J-0001")
    services.update_item(actor=users["dx"], item=item, expected_version=1, data={"owner": "事務局"})
    sheet = book["調査票"]
    sheet.cell(row_of(sheet, "SMPL-J-0001"), COLUMN["担当者"]).value = "市民課"
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "版数")]
    book["調査票情報"]["B4"] = "第9.0版"
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    assert "第9.0版" in caught.value.problems[0].message
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(b"not a workbook", "x.xlsx"))
    assert caught.value.problems[0].row is None


def test_the_same_template_works_across_a_shared_group(
    client, analysis, users, town_project, import_catalogue, sample_csv, export
):
    """共同利用: あおば市 exports the shared template, みなみ町 fills it and imports it unchanged."""
    client.force_login(users["dept"])
    book, _ = export(client, analysis.project, shared="1")
    sheet = book["調査票"]
    assert {sheet.cell(r, COLUMN["版数"]).value for r in range(2, sheet.max_row + 1)} == {None}
    assert {r[0]: r[1] for r in book["調査票情報"].iter_rows(values_only=True)}["団体"] is None
    sheet.cell(row_of(sheet, "SMPL-J-0101"), COLUMN["判定"]).value = "Fit"
    town_catalogue, _ = import_catalogue(sample_csv, actor=users["other_dx"])
    town_analysis = services.start_analysis(actor=users["other_dx"], project=town_project, catalogue=town_catalogue)
    result = services.import_survey(actor=users["other_dx"], analysis=town_analysis, file=upload(workbook_bytes(book)))
    assert result == {"created": 0, "updated": 1}
    assert town_analysis.items.get(key="SMPL-J-0101").judgement == "fit"
    assert analysis.items.get(key="SMPL-J-0101").judgement == ""  # あおば市's own analysis is untouched


def test_export_lists_spec_rows_then_customisations_then_comparison_rows(
    client, analysis, users, resident_project, export
):
    services.add_item(
        actor=users["dept"],
        analysis=analysis,
        kind="comparison",
        data={"title": "一括異動", "comparison_status": "added"},
    )
    services.add_item(actor=users["dept"], analysis=analysis, kind="customisation", data={"title": "独自の世帯票"})
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    sheet = book["調査票"]
    kinds = [sheet.cell(r, COLUMN["区分"]).value for r in range(2, sheet.max_row + 1)]
    assert kinds == ["標準仕様"] * 36 + ["カスタマイズ", "機能比較表"]
    assert sheet.cell(2, COLUMN["ID"]).value == "SMPL-J-0001"  # the catalogue's order


def _run_survey_job(users, municipality, params, capture):
    from portal.services import start_job

    with capture(execute=True):
        job = start_job(actor=users["dept"], municipality=municipality, kind="fitgap.survey", params=params)
    job.refresh_from_db()
    assert job.state == "failed" and not job.result_file
    assert "Error" not in job.error, "the Japanese reason is shown as is, without a class name"
    return job.error


def test_survey_job_without_a_usable_project_fails_with_a_japanese_reason(
    users, city, resident_project, town_project, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for params in ({}, {"project": None}, {"project": "abc"}, {"project": [1]}):
        assert "調査票を出力する移行案件を指定してください" in _run_survey_job(users, city, params, capture)
    other = _run_survey_job(users, city, {"project": town_project.id}, capture)  # みなみ町's project
    assert f"移行案件（ID: {town_project.id}）が見つかりません" in other
    none_yet = _run_survey_job(users, city, {"project": resident_project.id}, capture)
    assert "Fit & Gap分析がまだありません" in none_yet and "分析を始めてから" in none_yet


def test_survey_job_through_the_api_reports_the_reason_on_the_job(
    client, users, resident_project, django_capture_on_commit_callbacks
):
    client.force_login(users["dept"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/jobs/",
            {"kind": "fitgap.survey", "params": {"project": resident_project.id}},
            content_type="application/json",
        )
    job = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["state"] == "failed" and "Fit & Gap分析がまだありません" in job["error"]
    page = client.get(f"/jobs/{job['id']}/").content.decode()
    assert "Fit &amp; Gap分析がまだありません" in page


def test_a_row_saved_by_someone_else_during_the_import_is_an_import_problem(
    client, analysis, users, resident_project, export, monkeypatch
):
    from fitgap import imports

    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    sheet = book["調査票"]
    row = row_of(sheet, "SMPL-J-0001")
    sheet.cell(row, COLUMN["判定"]).value = "Fit"
    sheet.cell(row_of(sheet, "SMPL-J-0002"), COLUMN["判定"]).value = "Gap"
    real = imports.parse_survey

    def parse_then_someone_saves(**kwargs):
        rows = real(**kwargs)  # checked against version 1 …
        item = analysis.items.get(key="SMPL-J-0001")  # … then the DX office saves before the writes
        services.update_item(actor=users["dx"], item=item, expected_version=1, data={"owner": "事務局 山本"})
        return rows

    monkeypatch.setattr(imports, "parse_survey", parse_then_someone_saves)
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(row, "版数")]
    assert "更新" in problems[0].message and "調査票を出力し直して" in problems[0].message
    assert analysis.items.get(key="SMPL-J-0002").judgement == ""  # nothing saved
    response = client.post(
        f"/fitgap/projects/{resident_project.id}/survey/import/", {"file": upload(workbook_bytes(book))}
    )
    assert response.status_code == 400 and "調査票を出力し直して" in response.content.decode()


def _add_customisation_rows(sheet, rows):
    for row, (key, title) in enumerate(rows, start=sheet.max_row + 1):
        sheet.cell(row, COLUMN["区分"]).value = "カスタマイズ"
        sheet.cell(row, COLUMN["ID"]).value = key or None
        sheet.cell(row, COLUMN["機能名・項目名"]).value = title
        sheet.cell(row, COLUMN["対応方針"]).value = "未定"
        sheet.cell(row, COLUMN["検討状況"]).value = "未検討"


def test_new_rows_without_an_id_never_take_an_id_named_later_in_the_file(
    client, analysis, users, resident_project, export
):
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    _add_customisation_rows(book["調査票"], [("", "独自の世帯票"), ("CU-001", "独自の窓口表示")])
    services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    added = dict(analysis.items.filter(kind="customisation").values_list("key", "title"))
    assert added == {"CU-001": "独自の窓口表示", "CU-002": "独自の世帯票"}


def test_a_service_problem_names_its_column(client, analysis, users, resident_project, export):
    services.add_item(
        actor=users["dept"], analysis=analysis, kind="customisation", key="CU-001", data={"title": "既存"}
    )
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    sheet = book["調査票"]
    numbered = sheet.max_row + 1
    _add_customisation_rows(sheet, [("CU-002", "独自の世帯票")])
    sheet.cell(numbered, COLUMN["比較表の状態"]).value = "追加"  # only 機能比較表 rows have a status
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(workbook_bytes(book)))
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(numbered, "比較表の状態")]
    assert "機能比較表の行だけ" in problems[0].message
    assert list(analysis.items.filter(kind="customisation").values_list("key", flat=True)) == ["CU-001"]


def test_a_survey_file_too_large_or_of_another_type_is_refused(
    client, analysis, users, resident_project, export, settings
):
    client.force_login(users["dept"])
    book, _ = export(client, resident_project)
    content = workbook_bytes(book)
    url = f"/fitgap/projects/{resident_project.id}/survey/import/"
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ImportRejected) as caught:
        services.import_survey(actor=users["dept"], analysis=analysis, file=upload(content))
    assert [p.row for p in caught.value.problems] == [None]
    assert caught.value.problems[0].message.startswith("ファイルが大きすぎます")
    response = client.post(url, {"file": upload(content)})
    assert response.status_code == 400 and "ファイルが大きすぎます" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    for name, body in (
        ("調査票.csv", "区分,ID\n標準仕様,SMPL-J-0001\n".encode()),
        ("調査票.xlsx", b"%PDF-1.4\x00\x01"),
    ):
        with pytest.raises(ImportRejected) as caught:
            services.import_survey(actor=users["dept"], analysis=analysis, file=upload(body, name))
        assert caught.value.problems[0].message == (
            "このファイルの形式は受け付けられません。Excel（.xlsx）のファイルを選んでください。"
        )
        response = client.post(url, {"file": upload(body, name)})
        assert response.status_code == 400 and "このファイルの形式は受け付けられません" in response.content.decode()
    assert analysis.items.filter(version__gt=1).count() == 0
