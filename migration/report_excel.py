"""Workbooks of the monthly report (進捗報告書) and the issue/risk register (課題管理表)."""

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from migration.models import MigrationProject, ProcedureStep, RiskIssue
from portal.calendar import wareki
from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, in_default_language, write_cell
from portal.imports import ImportProblem, ImportRejected
from portal.uploads import as_bytes_io, validate_upload

REGISTER_COLUMNS = [
    ("No", 6), ("業務", 16), ("区分", 7), ("業務実施内容", 22), ("認識されたリスク・課題", 40), ("重要度", 7),
    ("起票日", 15), ("対応希望期限", 15), ("対応希望期限の理由", 24), ("関係者（事務局）", 9),
    ("関係者（他の所管課）", 18), ("関係者（ベンダ）", 9), ("関係者（コンサル）", 9), ("分類", 16), ("備考", 24),
    ("対応状況", 9), ("対応内容", 32), ("完了日", 15), ("版数", 6),
]  # fmt: skip
VERSION_HEADER = "版数"  # the item's version when the file was made: an upload based on an older one is refused
HEADERS = [name for name, _ in REGISTER_COLUMNS]
MARK = "○"
LABEL_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def _mark(flag: bool) -> str:
    return MARK if flag else ""


def register_row(issue: RiskIssue) -> list:
    return [
        issue.number,
        issue.project.operation.name,
        issue.get_kind_display(),
        issue.work_item or (str(issue.step) if issue.step_id else ""),
        issue.description,
        issue.get_importance_display(),
        wareki(issue.raised_on),
        wareki(issue.due_date),
        issue.due_reason,
        _mark(issue.involves_dx_office),
        "、".join(d.name for d in issue.other_departments.all()),
        _mark(issue.involves_vendor),
        _mark(issue.involves_consultant),
        issue.get_category_display(),
        issue.notes,
        issue.get_status_display(),
        issue.response,
        wareki(issue.completed_on),
        issue.version,
    ]


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_register_sheet(sheet, issues, *, first_row: int = 1) -> int:
    for column, header in enumerate(HEADERS, start=1):
        cell = write_cell(sheet, first_row, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    row_number = first_row
    for row_number, issue in enumerate(issues, start=first_row + 1):
        for column, value in enumerate(register_row(issue), start=1):
            cell = write_cell(sheet, row_number, column, value)
            cell.border, cell.alignment = BORDER, WRAP
            if column == 6 and issue.importance == RiskIssue.Importance.HIGH:
                cell.font = Font(bold=True, color="9C0006")
    for column, (_, width) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return row_number


@in_default_language
def register_workbook(issues, *, title: str) -> bytes:
    """課題管理表: one row per item, filters and a frozen header, 和暦 dates."""
    book = Workbook()
    sheet = book.active
    sheet.title = "課題管理表"
    last = _write_register_sheet(sheet, issues)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(last, 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = title
    return _save(book)


@in_default_language
def report_workbook(report, steps, issues) -> bytes:
    """進捗報告書 laid out like the paper form: headings on the left, the text beside them,
    then the step table, the meetings and the register items of the month."""
    book = Workbook()
    sheet = book.active
    sheet.title = "進捗報告書"
    for column, width in zip("ABCDEFG", (22, 14, 14, 14, 14, 10, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.merge_cells("A1:G1")
    title = write_cell(sheet, 1, 1, f"進捗報告書（{report.month.year}年{report.month.month}月分）")
    title.font, title.alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    project = report.project
    reporter = report.reporter
    facts = [
        ("プロジェクト名", f"{project.operation.name}（{project.municipality.name}）"),
        ("報告日", wareki(report.submitted_at.date()) if report.submitted_at else "（未提出）"),
        ("報告期間", f"{wareki(report.period_start)} ～ {wareki(report.period_end)}"),
        ("所管システム", project.current_system_name),
        ("報告者（所属・氏名）", f"{project.department.name} {reporter or ''}".strip()),
        ("連絡先", report.contact),
        ("状態", report.get_state_display()),
        (
            "全体状況",
            report.get_overall_status_display() + (f"（{report.overall_reason}）" if report.overall_reason else ""),
        ),
        ("今月の実施作業", report.work_done),
        ("次月の検討・作業予定", report.next_plan),
        ("事務局への連絡事項", report.notes_to_office),
    ]
    row = 3
    for label, value in facts:
        head = write_cell(sheet, row, 1, label)
        head.font, head.fill, head.border, head.alignment = Font(bold=True), LABEL_FILL, BORDER, WRAP
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        cell = write_cell(sheet, row, 2, value)
        cell.border, cell.alignment = BORDER, WRAP
        lines = max(1, str(value or "").count("\n") + 1)
        if lines > 1:
            sheet.row_dimensions[row].height = min(15 * lines, 300)
        row += 1
    if report.return_comment and report.state == report.State.RETURNED:
        write_cell(sheet, row, 1, "事務局からの差戻しコメント").font = Font(bold=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        write_cell(sheet, row, 2, report.return_comment).alignment = WRAP
        row += 1

    row += 1
    write_cell(sheet, row, 1, "次月のコンサル・ベンダ等との打合せ予定").font = Font(bold=True)
    row += 1
    for column, header in enumerate(["日付", "相手先", "目的・内容"], start=1):
        cell = write_cell(sheet, row, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
    row += 1
    meetings = list(report.meetings.all())
    for meeting in meetings:
        write_cell(sheet, row, 1, wareki(meeting.date)).border = BORDER
        write_cell(sheet, row, 2, meeting.party).border = BORDER
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
        write_cell(sheet, row, 3, meeting.purpose).border = BORDER
        row += 1
    if not meetings:
        write_cell(sheet, row, 1, "（予定なし）")
        row += 1

    row += 1
    write_cell(sheet, row, 1, "作業手順の状況").font = Font(bold=True)
    row += 1
    for column, header in enumerate(
        ["作業項目", "状態", "予定開始日", "予定終了日", "実績終了日", "進捗率", "備考"], start=1
    ):
        cell = write_cell(sheet, row, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
    row += 1
    for progress in steps:
        values = [
            f"{progress.step.number}. {progress.step.name}",
            progress.get_status_display(),
            wareki(progress.planned_start),
            wareki(progress.planned_end),
            wareki(progress.actual_end),
            f"{progress.percent_done}%",
            progress.note,
        ]
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, row, column, value)
            cell.border, cell.alignment = BORDER, WRAP
        row += 1

    issues_sheet = book.create_sheet("課題管理表（当月）")
    _write_register_sheet(issues_sheet, issues)
    issues_sheet.freeze_panes = "C2"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return _save(book)


# --- import ---------------------------------------------------------------------

ERA_STARTS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
WAREKI_RE = re.compile(r"^(令和|平成|R|H)\s*(元|\d{1,2})\s*[年.]\s*(\d{1,2})\s*[月.]\s*(\d{1,2})\s*日?$")
ISO_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


def parse_date(value) -> dt.date | None:
    """A date cell, 2025-04-01, 2025/4/1, 令和7年4月1日 or R7.4.1; '' → None; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = WAREKI_RE.match(text)
    if match:
        era, year, month, day = match.groups()
        year_number = 1 if year == "元" else int(year)
        return dt.date(ERA_STARTS[era] + year_number, int(month), int(day))
    match = ISO_RE.match(text)
    if match:
        return dt.date(*(int(part) for part in match.groups()))
    raise ValueError(text)


@dataclass
class RegisterRow:
    row: int
    issue: RiskIssue | None
    project: MigrationProject
    data: dict
    departments: list = field(default_factory=list)
    version: int | None = None  # 版数 in the file (rows updating an item)


def _choice(labels, value):
    lookup = {label: code for code, label in labels}
    lookup.update({code: code for code, _ in labels})
    return lookup.get(str(value or "").strip())


def _file_version(issue: RiskIssue | None, value, problem) -> int | None:
    """The 版数 of a row updating an item: it must be the item's current version, or the row would
    overwrite changes made after the file was downloaded. Rows adding an item need none."""
    if issue is None:
        return None
    text = str(value if value is not None else "").strip()
    if not text:
        problem(
            VERSION_HEADER,
            f"No {issue.number} の行に版数がありません。"
            "課題管理表をダウンロードし直し、版数の列は変えずに編集してください。",
        )
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text):
        problem(
            VERSION_HEADER,
            f"版数「{text}」は数字ではありません。ダウンロードした課題管理表の版数を変えないでください。",
        )
        return None
    version = int(float(text))
    if version < issue.version:
        problem(
            VERSION_HEADER,
            f"No {issue.number} はこのファイルの作成後に更新されています（ファイルの版数 {version}、現在の版数 "
            f"{issue.version}）。上書きしないよう取り込みませんでした。課題管理表をダウンロードし直して変更を入れ直すか、"
            "変更していない行なら行ごと削除してください。",
        )
    elif version > issue.version:
        problem(
            VERSION_HEADER,
            f"No {issue.number} の版数 {version} は現在の版数 {issue.version} より新しくなっています。"
            "ダウンロードした課題管理表の版数を変えないでください。",
        )
    return version


@in_default_language
def parse_register(*, actor, municipality, file, project=None) -> list[RegisterRow]:
    """Read and check every row; raise ImportRejected listing every problem (row, column, reason)."""
    from django.core.exceptions import ValidationError

    from migration.permissions import can_edit_issue

    try:
        validate_upload(file, allowed={"xlsx"})
        book = load_workbook(as_bytes_io(file), data_only=True, read_only=True)
    except ValidationError as error:
        raise ImportRejected([ImportProblem(None, "", error.messages[0])]) from error
    except Exception as error:  # a damaged workbook
        raise ImportRejected([ImportProblem(None, "", "Excelファイルとして読み込めませんでした。")]) from error
    sheet = book["課題管理表"] if "課題管理表" in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ImportRejected([ImportProblem(1, "", "見出し行がありません。課題管理表の様式で作成してください。")])
    header = [str(value).strip() if value is not None else "" for value in rows[0]]
    # 版数 may be missing in a file of new rows only; a row updating an item then says it lacks one
    missing = [name for name in HEADERS if name not in header and name != VERSION_HEADER]
    if missing:
        raise ImportRejected(
            [
                ImportProblem(1, name, "この見出しの列がありません。ダウンロードした様式の見出しを変えないでください。")
                for name in missing
            ]
        )
    index = {name: header.index(name) for name in HEADERS if name in header}
    projects = {
        p.operation.name: p
        for p in MigrationProject.objects.filter(municipality=municipality).select_related("operation", "municipality")
    }
    departments = {d.name: d for d in municipality.departments.all()}
    existing = {i.number: i for i in RiskIssue.objects.filter(municipality=municipality).select_related("project")}
    steps = {str(s): s for s in ProcedureStep.objects.all()}
    problems: list[ImportProblem] = []
    parsed: list[RegisterRow] = []
    seen_numbers: dict[int, int] = {}
    for row_number, values in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        record = {
            name: (values[index[name]] if name in index and index[name] < len(values) else None) for name in HEADERS
        }
        texts = {name: str(value if value is not None else "").strip() for name, value in record.items()}
        row_problems: list[ImportProblem] = []

        def problem(column, message, _row=row_number, _problems=row_problems):
            _problems.append(ImportProblem(_row, column, message))

        issue = None
        number_value = record["No"]
        if number_value not in (None, ""):
            try:
                number = int(str(number_value).strip())
            except ValueError:
                problem("No", "Noは数字で入力してください（新しい課題は空欄にします）。")
            else:
                if number in seen_numbers:
                    problem("No", f"No {number} が{seen_numbers[number]}行目と重複しています。")
                seen_numbers[number] = row_number
                issue = existing.get(number)
                if issue is None:
                    problem(
                        "No", f"No {number} の課題・リスクは登録されていません。新しい課題はNoを空欄にしてください。"
                    )
        version = _file_version(issue, record[VERSION_HEADER], problem)
        target = projects.get(texts["業務"])
        if target is None:
            problem(
                "業務", f"「{texts['業務']}」という移行案件はありません。団体の移行案件の業務名を入力してください。"
            )
        elif project is not None and target.id != project.id:
            problem("業務", f"この画面では「{project.operation.name}」の課題だけを取り込めます。")
        elif issue is not None and issue.project_id != target.id:
            problem("業務", "登録済みの課題の業務は変更できません。")
        elif not can_edit_issue(actor, target):
            problem("業務", f"「{target.operation.name}」の課題を登録・更新する権限がありません。")
        data: dict = {}
        for column, name, choices in (
            ("区分", "kind", RiskIssue.Kind.choices),
            ("重要度", "importance", RiskIssue.Importance.choices),
            ("分類", "category", RiskIssue.Category.choices),
            ("対応状況", "status", RiskIssue.Status.choices),
        ):
            code = _choice(choices, record[column])
            if code is None:
                allowed = "・".join(str(label) for _, label in choices)
                problem(column, f"「{texts[column]}」は選べません。{allowed}のいずれかを入力してください。")
            data[name] = code
        if not texts["認識されたリスク・課題"]:
            problem("認識されたリスク・課題", "認識されたリスク・課題を入力してください。")
        data["description"] = texts["認識されたリスク・課題"]
        work_item = texts["業務実施内容"]
        data["work_item"] = work_item
        data["step"] = steps.get(work_item)
        for column, name in (("起票日", "raised_on"), ("対応希望期限", "due_date"), ("完了日", "completed_on")):
            try:
                data[name] = parse_date(record[column])
            except ValueError:
                problem(
                    column,
                    f"「{texts[column]}」は日付として読めません。令和7年4月1日 や 2025-04-01 の形で入力してください。",
                )
        if data.get("raised_on") is None and issue is None and not any(p.column == "起票日" for p in row_problems):
            data.pop("raised_on")  # a new item without 起票日 is raised today
        elif data.get("raised_on") is None and issue is not None:
            problem("起票日", "起票日を入力してください。")
        flags = {}
        for column, name in (
            ("関係者（事務局）", "involves_dx_office"),
            ("関係者（ベンダ）", "involves_vendor"),
            ("関係者（コンサル）", "involves_consultant"),
        ):
            value = texts[column]
            if value not in ("", MARK, "〇", "○", "o", "O", "1", "はい"):
                problem(column, f"「{value}」は使えません。関係する場合は ○、しない場合は空欄にしてください。")
            flags[name] = value != ""
        data.update(flags)
        data["due_reason"] = texts["対応希望期限の理由"]
        data["notes"] = texts["備考"]
        data["response"] = texts["対応内容"]
        related = []
        for name in filter(None, (part.strip() for part in re.split(r"[、,，\n]", texts["関係者（他の所管課）"]))):
            department = departments.get(name)
            if department is None:
                problem(
                    "関係者（他の所管課）",
                    f"「{name}」という部署はありません。部署名を「、」で区切って入力してください。",
                )
            elif target is not None and department.id == target.department_id:
                problem("関係者（他の所管課）", "案件の業務主管課自身は「他の所管課」に入れられません。")
            else:
                related.append(department)
        if not row_problems and target is not None:
            candidate = RiskIssue(
                municipality=municipality,
                project=target,
                number=issue.number if issue else 0,
                raised_on=data.get("raised_on") or (issue.raised_on if issue else dt.date.today()),
            )
            for name, value in data.items():
                setattr(candidate, name, value)
            try:
                candidate.full_clean(exclude=["number", "municipality"], validate_unique=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    label = str(RiskIssue._meta.get_field(name).verbose_name) if name != "__all__" else ""
                    for message in messages:
                        problem(label, message)
        problems.extend(row_problems)
        if not row_problems:
            parsed.append(
                RegisterRow(
                    row=row_number, issue=issue, project=target, data=data, departments=related, version=version
                )
            )
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([ImportProblem(None, "", "取り込む行がありません。2行目以降に課題を入力してください。")])
    return parsed
