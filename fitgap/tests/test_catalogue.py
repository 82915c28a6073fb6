"""Catalogue import (csv and xlsx, all or nothing with row/column/reason) and the version diff."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from fitgap import services
from fitgap.exports import catalogue_template
from fitgap.models import Catalogue, Requirement
from fitgap.tests.conftest import upload, workbook_bytes
from portal.imports import ImportRejected


def test_sample_csv_is_imported_with_every_field(catalogue):
    assert catalogue.requirements.count() == 36
    first = catalogue.requirements.get(function_id="SMPL-J-0001")
    assert (first.name, first.category, first.level) == ("転入届の受付", "function", "mandatory")
    assert "サンプル" in first.notes
    assert catalogue.requirements.filter(level="optional").count() == 5
    assert catalogue.requirements.filter(level="forbidden").count() == 2
    assert set(catalogue.requirements.values_list("category", flat=True)) == set(Requirement.Category.values)


def test_cp932_csv_is_read(import_catalogue, users):
    from fitgap.tests.conftest import csv_upload
    from migration.models import TargetOperation

    text = "機能ID,機能名,要件の分類,実装区分,要件の内容,備考\nA-1,住民票の写し,帳票,実装必須,発行できること。,\n"
    catalogue, _ = services.import_catalogue(
        actor=users["dx"],
        municipality=users["dx"].municipality,
        operation=TargetOperation.objects.get(number=1),
        title="t",
        version_label="v",
        file=csv_upload(text, encoding="cp932"),
    )
    assert catalogue.requirements.get().name == "住民票の写し"


def test_the_template_round_trips(users):
    book = load_workbook(upload(catalogue_template()))
    sheet = book["要件一覧"]
    assert [c.value for c in sheet[1]] == ["機能ID", "機能名", "要件の分類", "実装区分", "要件の内容", "備考"]
    assert {tuple(v.formula1 for v in [dv]) for dv in sheet.data_validations.dataValidation} == {
        ('"機能,帳票,連携,データ,非機能"',),
        ('"実装必須,標準オプション,実装不可"',),
    }
    sheet.append(["B-2", "転出証明書", "帳票", "実装必須", "発行できること。", ""])
    from migration.models import TargetOperation

    catalogue, diff = services.import_catalogue(
        actor=users["dx"],
        municipality=users["dx"].municipality,
        operation=TargetOperation.objects.get(number=1),
        title="t",
        version_label="v1",
        file=upload(workbook_bytes(book)),
    )
    assert sorted(catalogue.requirements.values_list("function_id", flat=True)) == ["B-2", "JUKI-0001"]
    assert diff.previous is None


def test_a_broken_file_imports_nothing_and_names_every_problem(import_catalogue, users):
    text = (
        "機能ID,機能名,要件の分類,実装区分,要件の内容,備考\n"
        "A-1,住民票の写し,帳票,実装必須,発行できること。,\n"
        "A-1,重複,機能,実装必須,内容,\n"
        "A-3,,様式,必須,,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_catalogue(text)
    problems = {(p.row, p.column, p.message) for p in caught.value.problems}
    assert (3, "機能ID", "機能ID「A-1」が2行目と重複しています。") in problems
    assert (4, "機能名", "機能名を入力してください。") in problems
    assert (4, "要件の内容", "要件の内容を入力してください。") in problems
    assert (
        4,
        "要件の分類",
        "「様式」は選べません。機能・帳票・連携・データ・非機能のいずれかを入力してください。",
    ) in problems
    assert (
        4,
        "実装区分",
        "「必須」は選べません。実装必須・標準オプション・実装不可のいずれかを入力してください。",
    ) in problems
    assert not Catalogue.objects.exists() and not Requirement.objects.exists()


def test_missing_header_and_formula_cells_are_refused(users):
    from openpyxl import Workbook

    from migration.models import TargetOperation

    book = Workbook()
    sheet = book.active
    sheet.append(["機能ID", "機能名", "要件の分類", "実装区分", "要件の内容"])
    with pytest.raises(ImportRejected) as caught:
        services.import_catalogue(
            actor=users["dx"],
            municipality=users["dx"].municipality,
            operation=TargetOperation.objects.get(number=1),
            title="t",
            version_label="v",
            file=upload(workbook_bytes(book)),
        )
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "備考")]
    sheet["F1"] = "備考"
    sheet.append(["A-1", '=HYPERLINK("http://example.com")', "機能", "実装必須", "内容", ""])
    with pytest.raises(ImportRejected) as caught:
        services.import_catalogue(
            actor=users["dx"],
            municipality=users["dx"].municipality,
            operation=TargetOperation.objects.get(number=1),
            title="t",
            version_label="v",
            file=upload(workbook_bytes(book)),
        )
    assert (2, "機能名") in [(p.row, p.column) for p in caught.value.problems]
    assert "数式" in caught.value.problems[0].message


def test_a_new_version_shows_what_was_added_changed_and_removed(import_catalogue, catalogue, sample_csv):
    lines = sample_csv.splitlines()
    lines = [line for line in lines if not line.startswith("SMPL-J-0016,")]  # removed
    lines = [
        line.replace(
            "住民票の写し（世帯全員・一部）を発行できること。", "住民票の写しを世帯全員・一部の別に発行できること。"
        )
        for line in lines
    ]  # changed content
    lines = [
        line.replace(
            "SMPL-J-0013,窓口受付番号の発行,機能,標準オプション", "SMPL-J-0013,窓口受付番号の発行,機能,実装必須"
        )
        for line in lines
    ]
    lines.append(
        "SMPL-J-0501,電子申請の受付,機能,標準オプション,電子申請された転出届を受け付けられること。,【サンプル】"
    )
    second, diff = import_catalogue("\n".join(lines) + "\n", "第2.0版")
    assert second.previous == catalogue
    assert [r.function_id for r in diff.added] == ["SMPL-J-0501"]
    assert [r.function_id for r in diff.removed] == ["SMPL-J-0016"]
    assert sorted((new.function_id, tuple(fields)) for _, new, fields in diff.changed) == [
        ("SMPL-J-0013", ("実装区分",)),
        ("SMPL-J-0101", ("要件の内容",)),
    ]
    assert catalogue.requirements.count() == 36  # the old version is kept as it was


def test_same_version_twice_and_non_dx_users_are_refused(import_catalogue, catalogue, sample_csv, users):
    with pytest.raises(ValidationError) as caught:
        import_catalogue(sample_csv)
    assert "取込済み" in caught.value.message_dict["version_label"][0]
    with pytest.raises(PermissionDenied):
        import_catalogue(sample_csv, "第9版", actor=users["dept"], municipality=users["dx"].municipality)


def test_catalogue_pages(client, users, catalogue, import_catalogue, sample_csv):
    client.force_login(users["dx"])
    assert client.get("/fitgap/catalogues/").status_code == 200
    response = client.get(f"/fitgap/catalogues/{catalogue.id}/")
    assert "転入届の受付" in response.content.decode()
    template = client.get("/fitgap/catalogues/template/")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    from fitgap.tests.conftest import csv_upload

    bad = client.post(
        "/fitgap/catalogues/import/",
        {
            "operation": catalogue.operation_id,
            "title": "住民記録システム標準仕様書",
            "version_label": "第2.0版",
            "file": csv_upload("機能ID,機能名,要件の分類,実装区分,要件の内容,備考\nX,名前,謎,実装必須,内容,\n"),
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "「謎」は選べません" in html and 'value="第2.0版"' in html  # input kept
    good = client.post(
        "/fitgap/catalogues/import/",
        {
            "operation": catalogue.operation_id,
            "title": "住民記録システム標準仕様書",
            "version_label": "第2.0版",
            "file": csv_upload(sample_csv + "SMPL-J-0999,追加機能,機能,標準オプション,内容,\n"),
        },
        follow=True,
    )
    assert "追加 1件・変更 0件・削除 0件" in good.content.decode()
    client.force_login(users["dept"])
    assert client.get("/fitgap/catalogues/import/").status_code == 403


def test_the_detail_page_of_a_second_version_shows_the_diff_table(
    client, users, import_catalogue, catalogue, sample_csv
):
    lines = [line for line in sample_csv.splitlines() if not line.startswith("SMPL-J-0016,")]
    lines = [line.replace("転出証明書を発行できること。", "転出証明書を電子的にも発行できること。") for line in lines]
    lines.append("SMPL-J-0501,電子申請の受付,機能,標準オプション,電子申請された転出届を受け付けられること。,")
    second, _ = import_catalogue("\n".join(lines) + "\n", "第2.0版")
    removed = catalogue.requirements.get(function_id="SMPL-J-0016")
    client.force_login(users["manager"])
    first_page = client.get(f"/fitgap/catalogues/{catalogue.id}/").content.decode()
    assert "前の版はありません" in first_page and "fg-diff" not in first_page
    html = client.get(f"/fitgap/catalogues/{second.id}/").content.decode()
    assert "前の版（第1.0版）から" in html and "追加 1件" in html and "変更 1件" in html and "削除 1件" in html
    assert "<caption>追加・変更・削除された要件</caption>" in html
    diff_table = html.split('class="data fg-diff"')[1].split("</table>")[0]
    assert (
        '<tr><td><span class="badge fg-added">＋ 追加</span></td><td>SMPL-J-0501</td>'
        '<th scope="row">電子申請の受付</th><td>—</td></tr>'
    ) in diff_table
    assert '<span class="badge fg-changed">△ 変更</span></td><td>SMPL-J-0103</td>' in diff_table
    assert "<td>要件の内容</td></tr>" in diff_table
    assert (
        f'<span class="badge fg-removed">－ 削除</span></td><td>SMPL-J-0016</td><th scope="row">{removed.name}</th>'
    ) in diff_table
    assert diff_table.count("<tr>") == 4  # the header and the three rows
    # the requirement list marks the added and changed ones too
    requirements = html.split('id="req-heading"')[1]
    assert 'SMPL-J-0501 <span class="badge fg-added">' in requirements
    assert 'SMPL-J-0103 <span class="badge fg-changed">' in requirements


def _import(users, file):
    from migration.models import TargetOperation

    return services.import_catalogue(
        actor=users["dx"],
        municipality=users["dx"].municipality,
        operation=TargetOperation.objects.get(number=1),
        title="t",
        version_label="v",
        file=file,
    )


def test_a_catalogue_file_too_large_or_of_another_type_is_refused(users, sample_csv, settings, client, catalogue):
    from fitgap.tests.conftest import csv_upload

    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ImportRejected) as caught:
        _import(users, csv_upload(sample_csv))  # several KB
    assert [p.row for p in caught.value.problems] == [None]
    assert caught.value.problems[0].message.startswith("ファイルが大きすぎます")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
    docx = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    for name, content in (("要件一覧.png", png), ("要件一覧.xlsx", docx), ("要件一覧.csv", png)):
        with pytest.raises(ImportRejected) as caught:
            _import(users, upload(content, name))
        message = caught.value.problems[0].message
        assert "このファイルの形式は受け付けられません" in message and "Excel（.xlsx）" in message and "CSV" in message
    assert Catalogue.objects.count() == 1  # only the fixture's
    client.force_login(users["dx"])
    response = client.post(
        "/fitgap/catalogues/import/",
        {"operation": 1, "title": "t", "version_label": "第3.0版", "file": upload(png, "要件一覧.png")},
    )
    html = response.content.decode()
    assert (
        response.status_code == 400 and "このファイルの形式は受け付けられません" in html and 'value="第3.0版"' in html
    )


def _zip(files: dict) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
