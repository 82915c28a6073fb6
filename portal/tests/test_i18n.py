"""Japanese is the default; English is a translation (locale/en)."""

import pytest


def page(client, url, language=None):
    if language:
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_language(client, url, japanese_text, english_text):
    """The page shows the Japanese text by default and the English one once English is chosen."""
    japanese = page(client, url)
    assert 'lang="ja"' in japanese and japanese_text in japanese and english_text not in japanese
    english = page(client, url, "en")
    assert 'lang="en"' in english and english_text in english and japanese_text not in english


def test_english_is_available_as_a_translation(client, users, resident_project):
    client.force_login(users["dx"])
    japanese = client.get(f"/projects/{resident_project.id}/").content.decode()
    assert "作業手順の進捗" in japanese and 'lang="ja"' in japanese
    client.post("/i18n/setlang/", {"language": "en", "next": "/projects/"})
    english = client.get(f"/projects/{resident_project.id}/").content.decode()
    assert 'lang="en"' in english and "Procedure steps" in english and "作業手順の進捗" not in english


@pytest.mark.parametrize(
    ("japanese_text", "english_text"),
    [("進捗マトリクス（移行案件 × 17手順）", "Progress matrix (projects × 17 steps)"), ("全体の状況", "Overview")],
)
def test_dashboard_in_english(client, users, resident_project, japanese_text, english_text):
    client.force_login(users["dx"])
    assert_language(client, "/dashboard/", japanese_text, english_text)
    english = page(client, "/dashboard/")
    assert "完了手順の累計" not in english  # chart titles and legends too


def test_report_board_in_english(client, users, october_report):
    client.force_login(users["dx"])
    assert_language(client, "/reports/?month=2025-10", "進捗報告の提出状況", "Monthly report submissions")


def test_report_form_in_english(client, users, october_report):
    client.force_login(users["dept"])
    url = f"/reports/{october_report.id}/edit/"
    assert_language(client, url, "報告の概要", "Report summary")
    english = page(client, url)
    assert "Save as draft" in english and "下書きとして保存" not in english


def test_issue_list_in_english(client, users, resident_project):
    client.force_login(users["dx"])
    assert_language(client, "/issues/?scope=all", "課題管理表（全業務）", "Issue register (all operations)")


def test_vendors_home_in_english(client, users, city_rfi):
    client.force_login(users["dx"])
    assert_language(client, "/vendors/", "ベンダ・契約・RFI", "Vendors, contracts and RFIs")


def test_rfi_page_in_english(client, users, city_rfi):
    client.force_login(users["dx"])
    assert_language(client, f"/rfis/{city_rfi.id}/", "依頼先と回答", "Vendors and answers")


def test_fit_and_gap_table_in_english(client, users, analysis):
    client.force_login(users["dept"])
    url = f"/fitgap/projects/{analysis.project_id}/"
    assert_language(client, url, "分析表", "Analysis table")
    english = page(client, url)
    assert "Judgement" in english and "オプション採否" not in english
