"""The monthly report workbook (月次報告書) of one municipality for one month (openpyxl).

Sheets: 概要 (key figures, change since last month, native charts), 進捗一覧 (projects × steps
with status fills), 部署別 (one block per department), 課題一覧 (open and recently closed issues),
提出状況 and スケジュール (month columns with planned/actual fills). Dates are 和暦, headers are
frozen, every sheet prints on A3 landscape fitted to the page width."""

import datetime as dt
import io
from collections import defaultdict

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.calendar import wareki, wareki_month, wareki_short
from portal.dashboard import selectors
from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, write_cell

STATUS_FILLS = {
    "done": "C6EFCE",
    "in_progress": "DDEBF7",
    "on_hold": "FFEB9C",
    "not_applicable": "D9D9D9",
    "not_started": "FFFFFF",
}
LATE_FILL = "FFC7CE"
PLANNED_FILL = "BDD7EE"
ACTUAL_FILL = "548235"
BOTH_FILL = "375623"
DEPARTMENT_FILL = "F2F2F2"
TITLE_FONT = Font(bold=True, size=14)
SCHEDULE_MAX_MONTHS = 36


def fill(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color)


def header_row(sheet, row: int, headers: list[str], *, start_column: int = 1) -> None:
    for offset, header in enumerate(headers):
        cell = write_cell(sheet, row, start_column + offset, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def body_row(sheet, row: int, values: list, *, start_column: int = 1) -> None:
    for offset, value in enumerate(values):
        write_cell(sheet, row, start_column + offset, value).border = BORDER


def print_setup(sheet, *, title_rows: str | None = None) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def widths(sheet, values: list[int]) -> None:
    for column, width in enumerate(values, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def month_end(month: dt.date) -> dt.date:
    return selectors.add_months(month, 1) - dt.timedelta(days=1)


def figures_at(board: selectors.Dashboard, issues: list, day: dt.date) -> dict[str, int]:
    """Key figures as they stood at the end of a day (from the recorded dates)."""
    done = total = late_projects = 0
    phase_done: dict[str, int] = defaultdict(int)
    for summary in board.projects:
        late = False
        for cell in summary.cells:
            progress = cell.progress
            total += 1
            finished = progress.status == "not_applicable" or (
                progress.status == "done" and progress.actual_end and progress.actual_end <= day
            )
            if finished:
                done += 1
                phase_done[progress.step.phase] += 1
            elif progress.planned_end and progress.planned_end < day:
                late = True
        late_projects += 1 if late else 0
    open_issues = [
        i for i in issues if i.raised_on <= day and (i.status not in ("done", "withdrawn") or _closed_after(i, day))
    ]
    return {
        "完了手順数": done,
        "手順総数": total,
        "遅延のある移行案件": late_projects,
        "未完了の課題・リスク": len(open_issues),
        "うち重要度「高」": sum(1 for i in open_issues if i.importance == "high"),
        **{f"完了手順（{label}）": phase_done[phase] for phase, label in board.phases},
    }


def _closed_after(issue, day: dt.date) -> bool:
    closed = issue.completed_on or issue.updated_at.date()
    return closed > day


def build_monthly_workbook(municipality, month: dt.date, *, report=lambda percent: None) -> tuple[str, bytes]:
    from migration.models import MonthlyReport, RiskIssue

    month = month.replace(day=1)
    end = month_end(month)
    board = selectors.dashboard(municipality, on=end)
    report(15)
    issues = list(
        RiskIssue.objects.filter(municipality=municipality)
        .select_related("project__operation", "project__department")
        .order_by("number")
    )
    reports = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(project__municipality=municipality, month=month).select_related(
            "submitted_by"
        )
    }
    report(30)

    book = Workbook()
    summary_sheet(book.active, board, issues, month, end)
    report(45)
    progress_sheet(book.create_sheet("進捗一覧"), board, month)
    report(55)
    department_sheet(book.create_sheet("部署別"), board, month)
    report(65)
    issue_sheet(book.create_sheet("課題一覧"), issues, month, end)
    report(75)
    submission_sheet(book.create_sheet("提出状況"), board, reports, month)
    report(85)
    schedule_sheet(book.create_sheet("スケジュール"), board, month)
    report(95)
    buffer = io.BytesIO()
    book.save(buffer)
    return f"月次報告書_{municipality.name}_{month:%Y%m}.xlsx", buffer.getvalue()


def summary_sheet(sheet, board, issues, month, end) -> None:
    sheet.title = "概要"
    write_cell(
        sheet, 1, 1, f"{board.municipality.name} 標準化移行 月次報告書（{wareki_month(month)}分）"
    ).font = TITLE_FONT
    write_cell(sheet, 2, 1, f"集計基準日: {wareki(end)}　作成: {wareki(selectors.today())}")
    previous_end = month - dt.timedelta(days=1)
    now, before = figures_at(board, issues, end), figures_at(board, issues, previous_end)
    header_row(sheet, 4, ["項目", wareki_month(month), wareki_month(previous_end), "前月からの増減"])
    row = 5
    for label, value in now.items():
        body_row(sheet, row, [label, value, before[label], value - before[label]])
        row += 1
    submitted, missing = board.submission_totals
    body_row(sheet, row, ["進捗報告の提出（提出済）", submitted, "", ""])
    body_row(sheet, row + 1, ["進捗報告の提出（未提出）", missing, "", ""])
    body_row(sheet, row + 2, ["移行困難システム", board.difficult_count, "", ""])
    row += 4

    # data for the charts: phase completion
    write_cell(sheet, row, 1, "フェーズ別の完了状況").font = Font(bold=True)
    phase_header = row + 1
    header_row(sheet, phase_header, ["フェーズ", "完了", "未完了"])
    for offset, (phase, label) in enumerate(board.phases, start=1):
        done, total = board.overall_phases.get(phase, (0, 0))
        body_row(sheet, phase_header + offset, [label, done, total - done])
    phase_last = phase_header + len(board.phases)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title, chart.y_axis.title = "フェーズ別の完了状況（手順数）", "手順数"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=phase_header, max_row=phase_last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=phase_header + 1, max_row=phase_last))
    chart.height, chart.width = 7, 14
    sheet.add_chart(chart, "F4")

    # burn-up data and chart
    row = phase_last + 2
    write_cell(sheet, row, 1, "完了手順の累計（計画と実績）").font = Font(bold=True)
    burn_header = row + 1
    header_row(sheet, burn_header, ["月", "計画（累計）", "実績（累計）"])
    points = board.burnup or [selectors.BurnupPoint(month, 0, 0)]
    for offset, point in enumerate(points, start=1):
        body_row(sheet, burn_header + offset, [wareki_month(point.month), point.planned, point.actual])
    burn_last = burn_header + len(points)
    line = LineChart()
    line.title, line.y_axis.title = "完了手順の累計（バーンアップ）", "手順数"
    line.add_data(Reference(sheet, min_col=2, max_col=3, min_row=burn_header, max_row=burn_last), titles_from_data=True)
    line.set_categories(Reference(sheet, min_col=1, min_row=burn_header + 1, max_row=burn_last))
    line.height, line.width = 7, 14
    sheet.add_chart(line, "F20")

    # what changed in the month, in words
    row = burn_last + 2
    write_cell(sheet, row, 1, f"{wareki_month(month)}に完了した手順").font = Font(bold=True)
    header_row(sheet, row + 1, ["業務", "作業手順", "実績終了日"])
    row += 2
    finished = [
        (summary.project, cell.progress)
        for summary in board.projects
        for cell in summary.cells
        if cell.status == "done" and cell.progress.actual_end and month <= cell.progress.actual_end <= end
    ]
    for project, progress in finished:
        body_row(sheet, row, [project.operation.name, str(progress.step), wareki(progress.actual_end)])
        row += 1
    if not finished:
        write_cell(sheet, row, 1, "なし")
        row += 1
    row += 1
    write_cell(sheet, row, 1, f"{wareki_month(month)}に起票・完了した課題・リスク").font = Font(bold=True)
    header_row(sheet, row + 1, ["No", "内容", "重要度", "起票日", "完了日"])
    row += 2
    changed = [i for i in issues if month <= i.raised_on <= end or (i.completed_on and month <= i.completed_on <= end)]
    for issue in changed:
        body_row(
            sheet,
            row,
            [issue.number, issue.description, issue.get_importance_display(), wareki(issue.raised_on),
             wareki(issue.completed_on)],
        )  # fmt: skip
        row += 1
    if not changed:
        write_cell(sheet, row, 1, "なし")
    widths(sheet, [30, 14, 14, 14])
    sheet.freeze_panes = "A5"
    print_setup(sheet)


def status_text(cell) -> str:
    text = f"{cell.symbol}{cell.label}"
    return f"{text}（遅延）" if cell.late else text


def progress_sheet(sheet, board, month) -> None:
    steps = board.steps
    header_row(sheet, 1, ["業務", "業務主管課", "完了率（%）"] + [f"{s.number}. {s.name}" for s in steps])
    sheet.row_dimensions[1].height = 60
    for row, summary in enumerate(board.projects, start=2):
        project = summary.project
        body_row(sheet, row, [project.operation.name, project.department.name, summary.percent])
        for offset, cell in enumerate(summary.cells):
            target = write_cell(sheet, row, 4 + offset, status_text(cell))
            target.border = BORDER
            target.fill = fill(LATE_FILL if cell.late else STATUS_FILLS.get(cell.status, "FFFFFF"))
    write_cell(
        sheet,
        len(board.projects) + 3,
        1,
        "凡例: ✔完了（緑） ▶実施中（青） ‖保留（黄） －対象外（灰） ・未着手（白） （遅延）は赤で表示",
    )
    widths(sheet, [20, 16, 10] + [12] * len(steps))
    sheet.freeze_panes = "D2"
    print_setup(sheet, title_rows="1:1")


def department_sheet(sheet, board, month) -> None:
    """One header (frozen, printed on every page), then one block per department: its name, its projects."""
    by_department = defaultdict(list)
    for summary in board.projects:
        by_department[summary.project.department].append(summary)
    write_cell(sheet, 1, 1, f"部署別の状況（{wareki_month(month)}末）").font = TITLE_FONT
    headers = ["業務", "現在の手順", "完了率（%）", "遅延手順数", "移行困難", "移行期限"]
    header_row(sheet, 2, headers)
    row = 3
    for department in sorted(by_department, key=lambda d: (d.sort_order, d.name)):
        for column in range(1, len(headers) + 1):
            sheet.cell(row=row, column=column).fill = fill(DEPARTMENT_FILL)
        write_cell(sheet, row, 1, department.name).font = Font(bold=True, size=12)
        row += 1
        for summary in by_department[department]:
            current = next((c.progress for c in summary.cells if c.status not in selectors.COMPLETE), None)
            body_row(
                sheet,
                row,
                [
                    summary.project.operation.name,
                    f"{current.step.number}. {current.step.name}" if current else "全手順完了",
                    summary.percent,
                    len(summary.late_cells),
                    "○" if summary.project.is_difficult else "",
                    wareki(summary.project.deadline),
                ],
            )
            row += 1
    widths(sheet, [22, 34, 12, 12, 10, 18])
    sheet.freeze_panes = "A3"
    print_setup(sheet, title_rows="2:2")


def issue_sheet(sheet, issues, month, end) -> None:
    header_row(sheet, 1, ["No", "業務", "業務主管課", "区分", "重要度", "認識されたリスク・課題", "起票日",
                          "対応希望期限", "対応状況", "完了日", "期限超過"])  # fmt: skip
    recent_start = selectors.add_months(month, -1)
    rows = [
        i
        for i in issues
        if i.raised_on <= end
        and (i.status not in ("done", "withdrawn") or (i.completed_on and i.completed_on >= recent_start))
    ]
    for row, issue in enumerate(rows, start=2):
        overdue = issue.is_overdue(end)
        body_row(
            sheet,
            row,
            [
                issue.number,
                issue.project.operation.name,
                issue.project.department.name,
                issue.get_kind_display(),
                issue.get_importance_display(),
                issue.description,
                wareki(issue.raised_on),
                wareki(issue.due_date),
                issue.get_status_display(),
                wareki(issue.completed_on),
                "超過" if overdue else "",
            ],
        )
        if overdue:
            sheet.cell(row=row, column=11).fill = fill(LATE_FILL)
        if issue.importance == "high":
            sheet.cell(row=row, column=5).fill = fill(LATE_FILL)
    widths(sheet, [6, 18, 16, 8, 8, 50, 16, 16, 10, 16, 10])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:K{max(len(rows) + 1, 1)}"
    print_setup(sheet, title_rows="1:1")


def submitted_at(moment: dt.datetime) -> str:
    """提出日時 in local time (Asia/Tokyo), not the stored UTC: 令和7年10月3日 08:30."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{wareki(local.date())} {local:%H:%M}"


def submission_sheet(sheet, board, reports, month) -> None:
    write_cell(sheet, 1, 1, f"進捗報告書の提出状況（{wareki_month(month)}分）").font = TITLE_FONT
    header_row(sheet, 2, ["業務", "業務主管課", "状態", "全体状況", "提出日時", "提出者"])
    for row, summary in enumerate(board.projects, start=3):
        monthly = reports.get(summary.project.id)
        state = monthly.get_state_display() if monthly else "未作成"
        body_row(
            sheet,
            row,
            [
                summary.project.operation.name,
                summary.project.department.name,
                state,
                monthly.get_overall_status_display() if monthly else "",
                submitted_at(monthly.submitted_at) if monthly and monthly.submitted_at else "",
                str(monthly.submitted_by) if monthly and monthly.submitted_by else "",
            ],
        )
        submitted = monthly is not None and monthly.state in ("submitted", "accepted")
        sheet.cell(row=row, column=3).fill = fill(STATUS_FILLS["done"] if submitted else LATE_FILL)
    widths(sheet, [20, 16, 12, 10, 18, 14])
    sheet.freeze_panes = "A3"
    print_setup(sheet, title_rows="2:2")


def schedule_sheet(sheet, board, month) -> None:
    days = [
        d
        for s in board.projects
        for c in s.cells
        for d in (c.progress.planned_start, c.progress.planned_end, c.progress.actual_start, c.progress.actual_end)
        if d
    ]
    start = selectors.first_of_month(min(days)) if days else month
    last = selectors.first_of_month(max(days)) if days else month
    months = []
    while start <= last and len(months) < SCHEDULE_MAX_MONTHS:
        months.append(start)
        start = selectors.add_months(start, 1)
    header_row(sheet, 1, ["業務", "作業手順", "予定", "実績"] + [wareki_short(m)[:-2] for m in months])
    row = 2
    for summary in board.projects:
        for cell in summary.cells:
            progress = cell.progress
            if not (progress.planned_start or progress.actual_start):
                continue
            planned = f"{wareki_short(progress.planned_start)}〜{wareki_short(progress.planned_end)}"
            actual = (
                f"{wareki_short(progress.actual_start)}〜{wareki_short(progress.actual_end)}"
                if progress.actual_start
                else ""
            )
            body_row(sheet, row, [summary.project.operation.name, str(progress.step), planned, actual])
            for offset, column_month in enumerate(months):
                column_end = month_end(column_month)
                in_plan = _overlaps(progress.planned_start, progress.planned_end, column_month, column_end)
                in_actual = _overlaps(
                    progress.actual_start, progress.actual_end or board.today, column_month, column_end
                )
                target = sheet.cell(row=row, column=5 + offset)
                target.border = BORDER
                if in_plan and in_actual:
                    target.value, target.fill = "予実", fill(BOTH_FILL)
                    target.font = Font(color="FFFFFF")
                elif in_actual:
                    target.value, target.fill = "実", fill(ACTUAL_FILL)
                    target.font = Font(color="FFFFFF")
                elif in_plan:
                    target.value, target.fill = "予", fill(PLANNED_FILL)
            row += 1
    write_cell(sheet, row + 1, 1, "凡例: 予＝予定（薄い青）、実＝実績（緑）、予実＝予定どおり実施（濃い緑）")
    widths(sheet, [18, 30, 20, 20] + [7] * len(months))
    sheet.freeze_panes = "E2"
    print_setup(sheet, title_rows="1:1")


def _overlaps(start, end, range_start, range_end) -> bool:
    if not start:
        return False
    end = end or start
    return start <= range_end and end >= range_start
