"""課題管理表 and 進捗報告書 workbooks read back cell by cell; the all-or-nothing import."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from migration import services
from migration.models import RiskIssue, StepProgress
from migration.report_excel import HEADERS, parse_date
from migration.tests.conftest import OCTOBER
from portal.imports import ImportRejected


@pytest.fixture
def issues(users, city, resident_project):
    tax = city.departments.get(name="税務課")
    first = services.create_risk_issue(
        actor=users["dept"],
        project=resident_project,
        data={
            "kind": "risk", "description": "=HYPERLINK(\"http://evil\")", "importance": "high",
            "raised_on": dt.date(2025, 10, 2), "due_date": dt.date(2025, 10, 31),
            "due_reason": "予算要求に影響するため",
            "involves_dx_office": True, "category": "integration", "notes": "-備考", "step": None,
            "work_item": "3. 標準仕様との比較分析",
        },
        other_departments=[tax],
    )  # fmt: skip
    second = services.create_risk_issue(
        actor=users["dept"],
        project=resident_project,
        data={"kind": "issue", "description": "帳票の文字", "importance": "low", "raised_on": dt.date(2025, 9, 1)},
    )
    return first, second


def _sheet(content: bytes, name="課題管理表"):
    return load_workbook(io.BytesIO(content))[name]


def test_register_export_read_back(client, users, issues, resident_project):
    client.force_login(users["manager"])
    response = client.get(f"/projects/{resident_project.id}/issues/?format=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = _sheet(response.content)
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == "A1:S3"
    row = [c.value for c in sheet[2]]
    assert row[:4] == [1, "住民基本台帳", "リスク", "3. 標準仕様との比較分析"]
    assert row[5:10] == ["高", "令和7年10月2日", "令和7年10月31日", "予算要求に影響するため", "○"]
    assert row[10:16] == ["税務課", None, None, "システム間連携", "-備考", "未対応"]
    formula = sheet.cell(2, 5)
    assert formula.value == '=HYPERLINK("http://evil")' and formula.data_type == "s" and formula.quotePrefix
    assert sheet.cell(2, 15).data_type == "s" and sheet.cell(2, 15).quotePrefix
    assert [c.value for c in sheet[3]][:3] == [2, "住民基本台帳", "課題"]


def test_municipality_register_export_and_cross_cutting_list(client, users, issues):
    client.force_login(users["dx"])
    sheet = _sheet(client.get("/issues/export/?scope=all&sort=number").content)
    assert [sheet.cell(r, 1).value for r in (2, 3)] == [1, 2]
    sheet = _sheet(client.get("/issues/export/").content)  # like /issues/: 業務横断課題 by default
    assert sheet.max_row == 2  # only the item naming the DX office / another department


def test_report_workbook_is_laid_out_like_the_form(client, users, october_report, issues):
    services.save_report(
        actor=users["dept"],
        report=october_report,
        expected_version=1,
        data={"work_done": "+調査", "overall_status": "at_risk", "overall_reason": "体制不足"},
        meetings=[{"date": dt.date(2025, 11, 10), "party": "ベンダA", "purpose": "@打合せ"}],
    )
    client.force_login(users["dx"])
    response = client.get(f"/reports/{october_report.id}/export/")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["進捗報告書"]
    assert sheet["A1"].value == "進捗報告書（2025年10月分）"
    labels = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(3, 15)}
    assert labels["プロジェクト名"].value == "住民基本台帳（あおば市）"
    assert labels["報告期間"].value == "令和7年10月1日 ～ 令和7年10月31日"
    assert labels["全体状況"].value == "注意（体制不足）"
    assert labels["今月の実施作業"].value == "+調査" and labels["今月の実施作業"].data_type == "s"
    assert labels["今月の実施作業"].quotePrefix
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    meeting = next(r for r in values if r[1] == "ベンダA")
    assert meeting[:3] == ["令和7年11月10日", "ベンダA", "@打合せ"]
    steps = [r for r in values if isinstance(r[0], str) and r[0].startswith(("1. ", "17. "))]
    assert len(steps) == 2 and steps[0][1] == "未着手"
    month_issues = book["課題管理表（当月）"]
    assert [month_issues.cell(r, 1).value for r in range(2, month_issues.max_row + 1)] == [1]


def _workbook(rows, headers=HEADERS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "課題管理表"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def _row(**values):
    base = dict.fromkeys(HEADERS, None)
    base.update({"業務": "住民基本台帳", "区分": "課題", "認識されたリスク・課題": "新しい課題", "重要度": "中",
                 "起票日": "令和7年10月5日", "分類": "その他", "対応状況": "未対応"})  # fmt: skip
    base.update(values)
    return [base[h] for h in HEADERS]


def test_import_adds_and_updates_by_number(users, city, issues, resident_project):
    first, _ = issues
    file = _workbook(
        [
            _row(
                No=1,
                版数=1,
                **{"認識されたリスク・課題": "更新後の内容"},
                重要度="高",
                対応状況="完了",
                完了日="R7.11.2",
                **{"関係者（事務局）": "○"},
            ),
            _row(**{"関係者（他の所管課）": "税務課", "対応希望期限": dt.datetime(2025, 12, 1)}),
        ]
    )
    result = services.import_register(actor=users["dept"], municipality=city, file=file, project=resident_project)
    assert result == {"created": 1, "updated": 1}
    first.refresh_from_db()
    assert first.description == "更新後の内容" and first.status == "done" and first.completed_on == dt.date(2025, 11, 2)
    assert first.version == 2 and list(first.other_departments.all()) == []
    new = RiskIssue.objects.get(number=3)
    assert new.raised_on == dt.date(2025, 10, 5) and new.due_date == dt.date(2025, 12, 1)
    assert new.is_cross_cutting and new.created_by == users["dept"]


def test_import_is_all_or_nothing_with_row_column_and_reason(users, city, issues, resident_project):
    file = _workbook(
        [
            _row(No=1, 版数=1, **{"認識されたリスク・課題": "変わってはいけない"}),  # fine on its own
            _row(No=99),
            _row(重要度="最高", 起票日="昨日"),
            _row(業務="存在しない業務", **{"関係者（他の所管課）": "存在しない課"}),
            _row(対応状況="完了"),
            _row(**{"認識されたリスク・課題": None, "関係者（ベンダ）": "×"}),
        ]
    )
    with pytest.raises(ImportRejected) as rejected:
        services.import_register(actor=users["dept"], municipality=city, file=file, project=resident_project)
    problems = {(p.row, p.column) for p in rejected.value.problems}
    assert problems == {
        (3, "No"), (4, "重要度"), (4, "起票日"), (5, "業務"), (5, "関係者（他の所管課）"), (6, "完了日"),
        (7, "認識されたリスク・課題"), (7, "関係者（ベンダ）"),
    }  # fmt: skip
    messages = {(p.row, p.column): p.message for p in rejected.value.problems}
    assert "高・中・低" in messages[(4, "重要度")] and "完了日" in messages[(6, "完了日")]
    assert RiskIssue.objects.get(number=1).description.startswith("=HYPERLINK")  # nothing saved
    assert RiskIssue.objects.count() == 2


def test_import_page_shows_every_problem_and_keeps_nothing(client, users, issues, resident_project):
    client.force_login(users["dept"])
    file = _workbook([_row(重要度="?"), _row()])
    response = client.post(f"/projects/{resident_project.id}/issues/", {"file": file})
    html = response.content.decode()
    assert (
        response.status_code == 400 and "何も保存されていません" in html and "重要度" in html and "<td>2</td>" in html
    )
    assert RiskIssue.objects.count() == 2
    wrong_type = SimpleUploadedFile("x.xlsx", b"not a workbook at all")
    assert "形式" in client.post(f"/projects/{resident_project.id}/issues/", {"file": wrong_type}).content.decode()
    missing = _workbook([], headers=["No", "業務"])
    assert (
        "この見出しの列がありません"
        in client.post(f"/projects/{resident_project.id}/issues/", {"file": missing}).content.decode()
    )


def test_import_respects_who_may_edit(users, city, issues, resident_project):
    with pytest.raises(ImportRejected) as rejected:  # 税務課 may not edit 住民基本台帳's register
        services.import_register(actor=users["tax"], municipality=city, file=_workbook([_row()]))
    assert rejected.value.problems[0].column == "業務" and "権限" in rejected.value.problems[0].message


def test_parse_date_accepts_wareki_and_iso():
    assert parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert parse_date("R7.4.1") == dt.date(2025, 4, 1)
    assert parse_date("2025/4/1") == dt.date(2025, 4, 1)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("来月")


def test_report_shows_items_raised_in_its_month(users, october_report, issues):
    from migration.selectors import issues_of_month

    # 'first' raised 10/2; 'second' raised 9/1 but updated now (not October 2025) → only first
    assert [i.number for i in issues_of_month(october_report.project_id, OCTOBER)] == [1]
    assert StepProgress.objects.filter(project=october_report.project).count() == 17
