"""Workbooks of the Fit & Gap analysis: the catalogue template and the 調査票 (survey) that the
department fills in Excel. Text is written with portal.excel.write_cell, so nothing becomes a formula."""

import io

from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from fitgap.imports import (
    CATALOGUE_HEADERS,
    CHOICE_COLUMNS,
    INFO_SHEET,
    SURVEY_COLUMNS,
    SURVEY_FORMAT,
    SURVEY_HEADERS,
    SURVEY_SHEET,
)
from fitgap.models import GapItem, Requirement
from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, in_default_language, write_cell
from portal.jobs import JobParamsError, job_handler

READ_ONLY_FILL = PatternFill("solid", fgColor="EDEDED")
WRAP = Alignment(wrap_text=True, vertical="top")


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, headers) -> None:
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, 1, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"


def _list_validation(sheet, choices, column: int, last_row: int, *, allow_blank: bool = True) -> None:
    """A drop-down list of the choice labels in one column (Excel's data validation)."""
    labels = ",".join(str(label) for label in choices.labels)
    validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=allow_blank)
    validation.error = "一覧から選んでください。"
    validation.errorTitle = "入力できない値です"
    validation.prompt = "一覧から選んでください。"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    letter = get_column_letter(column)
    validation.add(f"{letter}2:{letter}{max(last_row, 2)}")


@in_default_language
def catalogue_template() -> bytes:
    """The file the DX office fills with a spec version's requirements (one row per requirement)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "要件一覧"
    _header(sheet, CATALOGUE_HEADERS)
    example = ["JUKI-0001", "（例）住民票の写しの交付", "帳票", "実装必須", "（例）住民票の写しを交付できること。", ""]
    for column, value in enumerate(example, start=1):
        write_cell(sheet, 2, column, value)
    for column, width in enumerate([14, 30, 10, 14, 60, 30], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _list_validation(sheet, Requirement.Category, 3, 1000, allow_blank=False)
    _list_validation(sheet, Requirement.Level, 4, 1000, allow_blank=False)
    return _save(book)


def survey_row(item: GapItem, *, with_version: bool = True) -> list:
    requirement = item.requirement
    return [
        item.get_kind_display(),
        item.key,
        requirement.get_category_display() if requirement else "",
        requirement.get_level_display() if requirement else "",
        item.display_title,
        item.display_description,
        item.get_comparison_status_display(),
        item.get_current_support_display(),
        item.get_judgement_display(),
        item.get_option_choice_display(),
        item.get_impact_display(),
        item.impact_description,
        item.get_policy_display(),
        item.owner,
        item.due_date,
        item.get_status_display(),
        item.decision,
        item.version if with_version else None,
    ]


@in_default_language
def survey_workbook(analysis, items, *, shared: bool = False) -> bytes:
    """調査票: one row per analysis row, drop-down lists on the choice columns. ``shared``: without the
    版数 column's values, for a template passed between municipalities of a 共同利用 group."""
    book = Workbook()
    sheet = book.active
    sheet.title = SURVEY_SHEET
    _header(sheet, SURVEY_HEADERS)
    sheet.freeze_panes = "C2"
    row_number = 1
    read_only_columns = {1, 2, 3, 4}
    for row_number, item in enumerate(items, start=2):
        for column, value in enumerate(survey_row(item, with_version=not shared), start=1):
            cell = write_cell(sheet, row_number, column, value)
            cell.border, cell.alignment = BORDER, WRAP
            if column == 15 and value:
                cell.number_format = "yyyy-mm-dd"
            if column in read_only_columns or (item.kind == GapItem.Kind.SPEC and column in (5, 6)):
                cell.fill = READ_ONLY_FILL
    last = max(row_number, 1) + 200  # room for new カスタマイズ / 機能比較表 rows
    for column, (name, width) in enumerate(SURVEY_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        if name in CHOICE_COLUMNS:
            _list_validation(sheet, CHOICE_COLUMNS[name], column, last)
    date_validation = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    date_validation.error = "日付を入力してください（例: 2026-10-31）。"
    date_validation.showErrorMessage = True
    sheet.add_data_validation(date_validation)
    date_validation.add(f"O2:O{last}")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SURVEY_HEADERS))}{max(row_number, 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    info = book.create_sheet(INFO_SHEET)
    project = analysis.project
    facts = [
        ("様式", SURVEY_FORMAT),
        ("業務", project.operation.name),
        ("標準仕様書", analysis.catalogue.title),
        ("版", analysis.catalogue.version_label),
        ("団体", "" if shared else project.municipality.name),
        ("業務主管課", "" if shared else project.department.name),
        ("出力日", timezone.localdate().isoformat()),
        (
            "入力のしかた",
            "灰色の列は変更しないでください。選択肢のある列は一覧から選びます。"
            "カスタマイズ・機能比較表の行は末尾に追加できます（IDは空欄で自動採番）。"
            "行の照合は「区分」と「ID」で行います。数式は取り込めません。",
        ),
    ]
    for row, (label, value) in enumerate(facts, start=1):
        write_cell(info, row, 1, label).font = HEADER_FONT
        info.cell(row=row, column=1).fill = HEADER_FILL
        write_cell(info, row, 2, value).alignment = WRAP
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 80
    return _save(book)


class SurveyParamsError(JobParamsError):
    """The job's params name no analysis the job may export; the message (Japanese) is the job's error."""


def survey_analysis(job):
    """The analysis named by the job's params, within the job's municipality (another municipality's
    project is not found, as everywhere)."""
    from fitgap.models import Analysis
    from migration.models import MigrationProject

    project_id = (job.params or {}).get("project")
    if isinstance(project_id, bool) or not str(project_id or "").isdigit():
        raise SurveyParamsError(
            "調査票を出力する移行案件を指定してください（params の project に移行案件のIDを数字で指定します）。"
        )
    project_id = int(project_id)
    if not MigrationProject.objects.filter(pk=project_id, municipality=job.municipality).exists():
        raise SurveyParamsError(
            f"指定した移行案件（ID: {project_id}）が見つかりません。自団体の移行案件のIDを指定してください。"
        )
    analysis = (
        Analysis.objects.select_related(
            "project__operation", "project__municipality", "project__department", "catalogue"
        )
        .filter(project_id=project_id)
        .first()
    )
    if analysis is None:
        raise SurveyParamsError(
            f"移行案件（ID: {project_id}）のFit & Gap分析がまだありません。分析を始めてから調査票を出力してください。"
        )
    return analysis


@job_handler("fitgap.survey", label=gettext_lazy("Fit & Gap調査票（Excel）"))
def survey_job(job, report):
    """params: {"project": id, "shared": bool}; the job's municipality scopes the project."""
    analysis = survey_analysis(job)
    # sort_order keeps the kinds in bands (services.KIND_BASE): 標準仕様 in the catalogue's order, then
    # カスタマイズ, then 機能比較表 — the order of the table page
    items = analysis.items.select_related("requirement").order_by("sort_order", "key")
    report(30)
    content = survey_workbook(analysis, items, shared=bool(job.params.get("shared")))
    operation, label = analysis.project.operation.name, analysis.catalogue.version_label
    name = f"調査票_{operation}_{label}_{timezone.localdate():%Y%m%d}.xlsx"
    return name, content
