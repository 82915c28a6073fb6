"""Reading catalogue files (xlsx / csv) and filled-in 調査票 workbooks. Every problem is collected
with its Excel row, column header and a Japanese reason (portal.imports); nothing is saved here."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from fitgap.models import GapItem, Requirement
from portal.excel import in_default_language
from portal.imports import ImportProblem, ImportRejected
from portal.uploads import as_bytes_io, validate_upload

CATALOGUE_HEADERS = ["機能ID", "機能名", "要件の分類", "実装区分", "要件の内容", "備考"]
SURVEY_SHEET = "調査票"
INFO_SHEET = "調査票情報"
SURVEY_FORMAT = "Fit&Gap調査票 第1版"
SURVEY_COLUMNS = [
    ("区分", 12), ("ID", 12), ("要件の分類", 10), ("実装区分", 14), ("機能名・項目名", 28), ("要件の内容・説明", 48),
    ("比較表の状態", 10), ("現行システムでの対応", 12), ("判定", 8), ("標準オプションの採否", 12), ("影響度", 8),
    ("影響内容", 32), ("対応方針", 30), ("担当者", 14), ("対応期限", 14), ("検討状況", 10), ("決定内容", 36),
    ("版数", 8),
]  # fmt: skip
SURVEY_HEADERS = [name for name, _ in SURVEY_COLUMNS]
# Columns the department fills in; the others describe the row (read from the catalogue for spec rows).
EDITABLE = {
    "比較表の状態": "comparison_status", "現行システムでの対応": "current_support", "判定": "judgement",
    "標準オプションの採否": "option_choice", "影響度": "impact", "影響内容": "impact_description",
    "対応方針": "policy", "担当者": "owner", "対応期限": "due_date", "検討状況": "status", "決定内容": "decision",
}  # fmt: skip
# The column of each field, to report a problem of a field (from the model or a service) under its header.
FIELD_COLUMNS = {field: column for column, field in EDITABLE.items()} | {
    "kind": "区分", "key": "ID", "title": "機能名・項目名", "description": "要件の内容・説明",
}  # fmt: skip
CHOICE_COLUMNS = {
    "区分": GapItem.Kind, "比較表の状態": GapItem.ComparisonStatus, "現行システムでの対応": GapItem.Support,
    "判定": GapItem.Judgement, "標準オプションの採否": GapItem.OptionChoice, "影響度": GapItem.Impact,
    "対応方針": GapItem.Policy, "検討状況": GapItem.Status,
}  # fmt: skip
OPTIONAL_CHOICES = {"比較表の状態", "現行システムでの対応", "判定", "標準オプションの採否", "影響度"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def choice_code(choices, value):
    """A label (対応あり) or a code (full) → the code; '' → ''; unknown → None."""
    text = _text(value)
    if not text:
        return ""
    lookup = {str(label).lower(): code for code, label in choices.choices}
    lookup.update({code: code for code in choices.values})
    return lookup.get(text.lower())


def allowed_labels(choices) -> str:
    return "・".join(str(label) for label in choices.labels)


@dataclass
class Sheet:
    """The rows of a table: (Excel row number, {header: value}); formula cells reported as problems."""

    header: list[str]
    rows: list[tuple[int, dict]]
    problems: list[ImportProblem] = field(default_factory=list)


def _open_workbook(file):
    try:
        return load_workbook(as_bytes_io(file), read_only=True, data_only=False)
    except Exception as error:  # a damaged workbook
        raise ImportRejected([ImportProblem(None, "", "Excelファイルとして読み込めませんでした。")]) from error


def _sheet_rows(sheet, header_row: int = 1) -> Sheet:
    """Read a worksheet without evaluating anything: a formula cell is a problem, never a value."""
    header: list[str] = []
    rows: list[tuple[int, dict]] = []
    problems: list[ImportProblem] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number < header_row:
            continue
        if number == header_row:
            header = [_text(c.value) for c in cells]
            continue
        values = {}
        for index, cell in enumerate(cells):
            if index >= len(header) or not header[index]:
                continue
            if getattr(cell, "data_type", None) == "f":
                problems.append(
                    ImportProblem(number, header[index], "数式は取り込めません。計算結果ではなく値を入力してください。")
                )
                values[header[index]] = None
            else:
                values[header[index]] = cell.value
        if any(_text(v) for v in values.values()):
            rows.append((number, values))
    return Sheet(header, rows, problems)


def _csv_rows(file) -> Sheet:
    raw = as_bytes_io(file).getvalue()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected(
            [ImportProblem(None, "", "文字コードを読み取れません。UTF-8またはShift_JISで保存してください。")]
        )
    reader = csv.reader(io.StringIO(text))
    lines = list(reader)
    if not lines:
        return Sheet([], [])
    header = [_text(v) for v in lines[0]]
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        record = {header[i]: v for i, v in enumerate(values) if i < len(header) and header[i]}
        if any(_text(v) for v in record.values()):
            rows.append((number, record))
    return Sheet(header, rows)


def _missing_headers(sheet: Sheet, expected: list[str], header_row: int = 1) -> list[ImportProblem]:
    return [
        ImportProblem(header_row, name, "この見出しの列がありません。様式の見出しを変えないでください。")
        for name in expected
        if name not in sheet.header
    ]


# --- catalogue -------------------------------------------------------------------------


@dataclass
class CatalogueRow:
    row: int
    function_id: str
    name: str
    category: str
    level: str
    content: str
    notes: str


def _check_catalogue_file(file) -> str:
    try:
        return validate_upload(file, allowed={"xlsx", "csv"})
    except ValidationError as error:
        raise ImportRejected([ImportProblem(None, "", error.messages[0])]) from error


@in_default_language
def parse_catalogue(file) -> list[CatalogueRow]:
    """The catalogue file (the portal's template, xlsx or csv): one requirement per row."""
    kind = _check_catalogue_file(file)
    if kind == "xlsx":
        book = _open_workbook(file)
        sheet = _sheet_rows(book["要件一覧"] if "要件一覧" in book.sheetnames else book.worksheets[0])
    else:
        sheet = _csv_rows(file)
    missing = _missing_headers(sheet, CATALOGUE_HEADERS)
    if missing:
        raise ImportRejected(missing)
    problems = list(sheet.problems)
    parsed: list[CatalogueRow] = []
    seen: dict[str, int] = {}
    for number, record in sheet.rows:
        texts = {name: _text(record.get(name)) for name in CATALOGUE_HEADERS}
        before = len(problems)
        function_id = texts["機能ID"]
        if not function_id:
            problems.append(ImportProblem(number, "機能ID", "機能IDを入力してください。"))
        elif len(function_id) > 50:
            problems.append(ImportProblem(number, "機能ID", "機能IDは50文字以内にしてください。"))
        elif function_id in seen:
            problems.append(
                ImportProblem(number, "機能ID", f"機能ID「{function_id}」が{seen[function_id]}行目と重複しています。")
            )
        else:
            seen[function_id] = number
        if not texts["機能名"]:
            problems.append(ImportProblem(number, "機能名", "機能名を入力してください。"))
        elif len(texts["機能名"]) > 200:
            problems.append(ImportProblem(number, "機能名", "機能名は200文字以内にしてください。"))
        if not texts["要件の内容"]:
            problems.append(ImportProblem(number, "要件の内容", "要件の内容を入力してください。"))
        codes = {}
        for column, choices in (("要件の分類", Requirement.Category), ("実装区分", Requirement.Level)):
            code = choice_code(choices, texts[column])
            if not code:
                problems.append(
                    ImportProblem(
                        number,
                        column,
                        f"「{texts[column]}」は選べません。{allowed_labels(choices)}のいずれかを入力してください。",
                    )
                )
            codes[column] = code
        if len(problems) == before:
            parsed.append(
                CatalogueRow(
                    number,
                    function_id,
                    texts["機能名"],
                    codes["要件の分類"],
                    codes["実装区分"],
                    texts["要件の内容"],
                    texts["備考"],
                )
            )
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([ImportProblem(None, "", "取り込む要件がありません。2行目以降に要件を入力してください。")])
    return parsed


# --- 調査票 -------------------------------------------------------------------------------


@dataclass
class SurveyRow:
    row: int
    item: GapItem | None  # None: a new customisation / comparison row
    kind: str
    key: str
    data: dict
    expected_version: int | None


def _survey_info(book) -> dict:
    if INFO_SHEET not in book.sheetnames:
        return {}
    info = {}
    for cells in book[INFO_SHEET].iter_rows(values_only=True):
        if cells and cells[0]:
            info[_text(cells[0])] = _text(cells[1] if len(cells) > 1 else "")
    return info


@in_default_language
def parse_survey(*, analysis, file, today: dt.date) -> list[SurveyRow]:
    """Check every row of a filled-in 調査票 against the analysis; raise ImportRejected listing every
    problem. Rows are matched by 区分 + ID; a カスタマイズ / 機能比較表 row with a new or empty ID is added."""
    from migration.report_excel import parse_date

    try:
        validate_upload(file, allowed={"xlsx"})
    except ValidationError as error:
        raise ImportRejected([ImportProblem(None, "", error.messages[0])]) from error
    book = _open_workbook(file)
    if SURVEY_SHEET not in book.sheetnames:
        raise ImportRejected(
            [
                ImportProblem(
                    None, "", f"「{SURVEY_SHEET}」シートがありません。ポータルから出力した調査票を使ってください。"
                )
            ]
        )
    info = _survey_info(book)
    catalogue = analysis.catalogue
    expected_info = {"業務": analysis.project.operation.name, "版": catalogue.version_label}
    info_problems = [
        ImportProblem(
            None,
            f"{INFO_SHEET}シートの「{name}」",
            f"この調査票は「{info.get(name) or '不明'}」用です。"
            f"この分析（{value}）の調査票を出力し直して入力してください。",
        )
        for name, value in expected_info.items()
        if info.get(name) != value
    ]
    if info_problems:
        raise ImportRejected(info_problems)
    sheet = _sheet_rows(book[SURVEY_SHEET])
    missing = _missing_headers(sheet, SURVEY_HEADERS)
    if missing:
        raise ImportRejected(missing)
    items = {(i.kind, i.key): i for i in analysis.items.select_related("requirement")}
    problems = list(sheet.problems)
    parsed: list[SurveyRow] = []
    seen: dict[tuple, int] = {}
    for number, record in sheet.rows:
        texts = {name: _text(record.get(name)) for name in SURVEY_HEADERS}
        row_problems: list[ImportProblem] = []

        def problem(column, message, _row=number, _problems=row_problems):
            _problems.append(ImportProblem(_row, column, message))

        kind = choice_code(GapItem.Kind, texts["区分"])
        if not kind:
            problem(
                "区分", f"「{texts['区分']}」は選べません。{allowed_labels(GapItem.Kind)}のいずれかを入力してください。"
            )
            problems.extend(row_problems)
            continue
        key = texts["ID"]
        item = items.get((kind, key)) if key else None
        if key:
            if (kind, key) in seen:
                problem("ID", f"{texts['区分']}のID「{key}」が{seen[(kind, key)]}行目と重複しています。")
            seen[(kind, key)] = number
        if kind == GapItem.Kind.SPEC and item is None:
            problem(
                "ID",
                f"機能ID「{key}」はこの分析の標準仕様（{catalogue}）にありません。機能IDを変えずに入力してください。"
                if key
                else "標準仕様の行は機能IDが必要です。",
            )
        data: dict = {}
        for column, name in EDITABLE.items():
            if column in CHOICE_COLUMNS:
                code = choice_code(CHOICE_COLUMNS[column], texts[column])
                if code is None or (code == "" and column not in OPTIONAL_CHOICES):
                    problem(
                        column,
                        f"「{texts[column]}」は選べません。{allowed_labels(CHOICE_COLUMNS[column])}のいずれかを入力してください。",
                    )
                data[name] = code or ""
            elif name == "due_date":
                try:
                    data[name] = parse_date(record.get(column))
                except (ValueError, TypeError):
                    problem(
                        column,
                        f"「{texts[column]}」は日付として読めません。"
                        "2025-10-31 や 令和7年10月31日 の形で入力してください。",
                    )
            else:
                data[name] = texts[column]
        if kind != GapItem.Kind.SPEC:
            data["title"] = texts["機能名・項目名"]
            data["description"] = texts["要件の内容・説明"]
        if len(data.get("owner", "")) > 50:
            problem("担当者", "担当者は50文字以内で入力してください。")
        expected_version = None
        if texts["版数"] and item is not None:
            try:
                expected_version = int(texts["版数"])
            except ValueError:
                problem("版数", "版数は変更しないでください（数字で、出力したときのままにします）。")
            else:
                if expected_version != item.version:
                    problem(
                        "版数",
                        "この行は調査票を出力した後にポータルで更新されています。調査票を出力し直して入力してください。",
                    )
        if not row_problems:
            candidate = GapItem(
                analysis=analysis,
                kind=kind,
                key=key or "（自動採番）",
                requirement=item.requirement if item else None,
                title=item.title if item else "",
                description=item.description if item else "",
            )
            for name, value in data.items():
                setattr(candidate, name, value)
            try:
                candidate.full_clean(exclude=["analysis"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        problem(FIELD_COLUMNS.get(name, ""), message)
        problems.extend(row_problems)
        if not row_problems:
            parsed.append(SurveyRow(number, item, kind, key, data, expected_version))
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([ImportProblem(None, "", "取り込む行がありません。")])
    return parsed
