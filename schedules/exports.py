"""スケジュール表 (Excel): one column per month with 和暦 headers, cells filled for planned and
actual, milestones marked. Made as a recorded job (portal.jobs)."""

import datetime as dt
import io

from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.calendar import wareki, wareki_fiscal_year
from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, in_default_language, write_cell
from portal.jobs import job_handler
from schedules.rules import add_months

FIXED_HEADERS = ["業務", "業務主管課", "手順", "作業項目", "区分", "状態", "遅延", "開始", "終了"]
FIRST_MONTH_COLUMN = len(FIXED_HEADERS) + 1
# kind of row → (fill colour, mark written in each month cell). Marks keep the sheet readable in black and white.
FILLS = {
    "予定": ("BDD7EE", "予"),
    "実績": ("2E75B6", "実"),
    "基準": ("D9D9D9", "基"),
    "全体": ("FCE4D6", "計"),
}
PATTERN_FILLS = {kind: PatternFill("solid", fgColor=colour) for kind, (colour, _letter) in FILLS.items()}
CENTER = Alignment(horizontal="center")
ACTUAL_FONT = Font(color="FFFFFF", bold=True)
MARK_FILL = PatternFill("solid", fgColor="FFF2CC")


def _month_spans(months) -> list[tuple]:
    return [(month, add_months(month, 1) - dt.timedelta(days=1)) for month in months]


def _month_index(months, day):
    for index, month in enumerate(months):
        if month.year == day.year and month.month == day.month:
            return index
    return None


@in_default_language
def schedule_workbook(schedule, *, title: str) -> bytes:
    """Write a Schedule (schedules.selectors) as a スケジュール表 workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = "スケジュール表"
    months = schedule.timeline.months
    spans = _month_spans(months)
    write_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    write_cell(
        sheet,
        2,
        1,
        f"基準日 {wareki(schedule.today)}　凡例: 予=予定 実=実績 基=ベースライン 計=フェーズ全体 ◆▲●★■=マイルストーン",
    )
    # two header rows: 年度 (merged over its months) and 月
    write_cell(sheet, 3, FIRST_MONTH_COLUMN - 1, "年度")
    for column, header in enumerate(FIXED_HEADERS, start=1):
        write_cell(sheet, 4, column, header)
    for index, month in enumerate(months):
        column = FIRST_MONTH_COLUMN + index
        write_cell(sheet, 4, column, f"{month.month}月")
        if month.month == 4:
            write_cell(sheet, 3, column, wareki_fiscal_year(month.year, short=True))
            sheet.merge_cells(
                start_row=3,
                start_column=column,
                end_row=3,
                end_column=min(column + 11, column + len(months) - index - 1),
            )
        sheet.column_dimensions[get_column_letter(column)].width = 4.5
    for row in (3, 4):
        for column in range(1, FIRST_MONTH_COLUMN + len(months)):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center")
    for column, width in enumerate([16, 16, 6, 30, 8, 8, 8, 11, 11], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    row = 5

    def marks_row(label, marks):
        nonlocal row
        write_cell(sheet, row, 1, label)
        write_cell(sheet, row, 5, "マイルストーン")
        cells: dict[int, list] = {}
        for mark in marks:
            index = _month_index(months, mark.date)
            if index is not None:
                cells.setdefault(index, []).append(mark)
        for index, items in cells.items():
            cell = write_cell(sheet, row, FIRST_MONTH_COLUMN + index, "".join(m.symbol for m in items))
            cell.fill = MARK_FILL
            cell.comment = Comment("\n".join(f"{m.symbol} {m.name} {wareki(m.date)}" for m in items), "portal")
            cell.alignment = Alignment(horizontal="center")
        row += 1

    def bar_row(values, kind, start, end):
        nonlocal row
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row, column, value).border = BORDER
        write_cell(sheet, row, 5, kind).border = BORDER
        write_cell(sheet, row, 8, start).border = BORDER
        write_cell(sheet, row, 9, end).border = BORDER
        sheet.cell(row=row, column=8).number_format = sheet.cell(row=row, column=9).number_format = "yyyy/mm/dd"
        letter, fill = FILLS[kind][1], PATTERN_FILLS[kind]
        for index, (first, last) in enumerate(spans):
            if start and end and start <= last and end >= first:
                cell = sheet.cell(row=row, column=FIRST_MONTH_COLUMN + index)
                cell.border = BORDER
                cell.value = letter
                cell.fill = fill
                cell.alignment = CENTER
                if kind == "実績":
                    cell.font = ACTUAL_FONT
        row += 1

    marks_row("団体のマイルストーン", schedule.marks)
    for gantt in schedule.projects:
        project = gantt.project
        forecast = gantt.forecast
        state = (
            "完了" if forecast.finished else (f"期限超過見込み{forecast.days_over}日" if forecast.over_deadline else "")
        )
        marks_row(project.operation.name, gantt.marks)
        sheet.cell(row=row - 1, column=2, value=project.department.name)
        sheet.cell(row=row - 1, column=6, value=state)
        for phase in gantt.phases:
            if phase.bar:
                bar_row([project.operation.name, project.department.name, "", phase.label, "", "", ""], "全体",
                        phase.bar.start, phase.bar.end)  # fmt: skip
            for step_row in phase.rows:
                progress = step_row.progress
                values = [
                    project.operation.name,
                    project.department.name,
                    progress.step.number,
                    progress.step.name,
                    "",
                    progress.get_status_display(),
                    "⚠遅延" if step_row.late else "",
                ]
                bar_row(values, "予定", progress.planned_start, progress.planned_end)
                if step_row.baseline:
                    bar_row(values, "基準", step_row.baseline.start, step_row.baseline.end)
                bar_row(values, "実績", progress.actual_start, step_row.actual.end if step_row.actual else None)
    sheet.freeze_panes = sheet.cell(row=5, column=FIRST_MONTH_COLUMN)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "3:4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@job_handler("schedules.workbook", label=gettext_lazy("スケジュール表（Excel）"))
def schedule_workbook_job(job, report):
    from schedules import selectors

    user = job.created_by
    params = job.params
    baseline = selectors.pick_baseline(user, params.get("baseline"))
    report(10)
    if params.get("project"):
        schedule = selectors.project_schedule(user, int(params["project"]), baseline=baseline)
        name = schedule.projects[0].project.operation.name
    else:
        department = params.get("department")
        schedule = selectors.portfolio_schedule(
            user,
            baseline=baseline,
            department_id=int(department) if department and str(department).isdecimal() else None,
            group=params.get("group") or None,
            late_only=bool(params.get("late_only")),
            difficult_only=bool(params.get("difficult_only")),
            group_by=params.get("group_by") or "department",
        )
        name = "全案件"
    report(60)
    title = f"スケジュール表（{name}）{job.municipality.name}"
    content = schedule_workbook(schedule, title=title)
    return f"スケジュール表_{name}_{schedule.today:%Y%m%d}.xlsx", content
