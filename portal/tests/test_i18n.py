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


def test_model_labels_follow_the_language():
    from django.utils import translation

    from migration.models import RiskIssue, StepProgress

    translation.deactivate()  # the default language, as at the start of a request without a choice
    assert StepProgress.Status.DONE.label == "完了" and RiskIssue.Importance.HIGH.label == "高"
    assert str(StepProgress._meta.get_field("planned_start").verbose_name) == "予定開始日"
    with translation.override("en"):
        assert StepProgress.Status.DONE.label == "Done" and RiskIssue.Importance.HIGH.label == "High"
        assert str(StepProgress._meta.get_field("planned_start").verbose_name) == "Planned start"
        assert str(StepProgress._meta.verbose_name) == "Step progress"


def test_form_labels_and_choices_in_english(client, users, resident_project):
    client.force_login(users["dx"])
    japanese = page(client, "/issues/?scope=all")
    assert '<label for="id_importance">重要度' in japanese and '<option value="high">高</option>' in japanese
    english = page(client, "/issues/?scope=all", "en")
    assert '<label for="id_importance">Importance' in english and '<option value="high">High</option>' in english
    assert '<option value="high">高</option>' not in english


def test_verbose_names_and_choice_labels_on_pages_in_english(client, users, resident_project):
    client.force_login(users["dx"])
    url = f"/projects/{resident_project.id}/edit/"
    japanese = page(client, url)
    assert '<label for="id_current_system_name">現行システム名' in japanese
    assert '<option value="A">Aパターン（ベンダ変更）</option>' in japanese
    english = page(client, url, "en")
    assert '<label for="id_current_system_name">Current system name' in english
    assert '<option value="A">Pattern A (change of vendor)</option>' in english and "現行システム名" not in english
    detail = page(client, f"/projects/{resident_project.id}/")
    assert "Not started" in detail and "未着手" not in detail  # StepProgress.get_status_display()


def test_exported_workbook_stays_japanese_in_english(client, users, city, resident_project):
    import io

    from openpyxl import load_workbook

    from portal.tests.dashboard_fixtures import make_issue

    make_issue(city, resident_project, 1, importance="high", kind="risk", category="gov_cloud")
    client.force_login(users["dx"])
    page(client, "/issues/?scope=all", "en")
    response = client.get("/issues/export/?scope=all")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["課題管理表"]
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert "重要度" in header and "Importance" not in header
    assert "高" in row and "リスク" in row and "ガバメントクラウド" in row and "High" not in row


def test_service_messages_follow_the_language(users, resident_project):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import translation

    from migration import services as migration_services
    from schedules import services as schedules_services

    progress = resident_project.step_progress.first()

    def refusal():
        with pytest.raises(PermissionDenied) as refused:
            migration_services.update_step_progress(
                actor=users["manager"], progress=progress, expected_version=progress.version, data={}
            )
        return str(refused.value)

    def rule_message():
        with pytest.raises(ValidationError) as invalid:
            schedules_services.propose_plan(project=resident_project)
        return invalid.value.messages[0]

    translation.deactivate()  # the default language
    assert refusal() == "この案件の手順を更新する権限がありません。"
    assert rule_message() == "稼働目標日が未設定です。先に案件情報で稼働目標日を入力してください。"
    with translation.override("en"):
        assert refusal() == "You are not allowed to update the steps of this project."
        assert rule_message() == "The target go-live date is not set. Enter it in the project information first."
