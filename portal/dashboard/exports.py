"""Any list exports to xlsx and csv with its current filters, as a recorded Job (portal.jobs).

Register a list once with ``register_list_export(ListExport(...))``: this adds two job kinds,
``export.<name>.xlsx`` and ``export.<name>.csv``, that the page (``dashboard:list_export``, or the
include ``dashboard/_export_buttons.html``) and the API (``POST /api/v1/jobs/``) start with the
list's filters as ``params``. See docs/dashboard.md."""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from portal.calendar import wareki
from portal.excel import csv_safe, table_workbook
from portal.jobs import job_handler

FORMATS = ("xlsx", "csv")
# A Job belongs to one municipality: a user without one (e.g. a superuser) cannot start one.


@dataclass(frozen=True)
class ListExport:
    name: str  # "projects" → job kinds export.projects.xlsx / export.projects.csv
    title: str  # sheet title and file name, e.g. "移行案件一覧"
    headers: list[str]
    rows: Callable[..., Iterable[list]]  # rows(municipality, params, today) → lists of cell values
    filters: tuple[str, ...] = ()  # the query parameters of the list page that filter it
    widths: list[int] = field(default_factory=list)


LIST_EXPORTS: dict[str, ListExport] = {}


def job_kind(name: str, fmt: str) -> str:
    return f"export.{name}.{fmt}"


def export_of_kind(kind: str) -> ListExport | None:
    """The list behind a job kind export.<name>.<format> (None for other kinds)."""
    prefix, _dot, rest = kind.partition(".")
    name, _dot, fmt = rest.rpartition(".")
    return LIST_EXPORTS.get(name) if prefix == "export" and fmt in FORMATS else None


def clean_params(export: ListExport, data) -> dict:
    """Keep only the list's own filters (from request.GET / POST / JSON), as strings."""
    return {key: str(data.get(key)) for key in export.filters if data.get(key) not in (None, "")}


def register_list_export(export: ListExport) -> ListExport:
    LIST_EXPORTS[export.name] = export
    for fmt in FORMATS:
        job_handler(job_kind(export.name, fmt), label=f"{export.title}（{'Excel' if fmt == 'xlsx' else 'CSV'}）")(
            _runner(export, fmt)
        )
    return export


def _runner(export: ListExport, fmt: str):
    def run(job, report):
        today = timezone.localdate()
        rows = []
        for index, row in enumerate(export.rows(job.municipality, job.params or {}, today)):
            rows.append(row)
            if index % 200 == 0:
                report(min(80, 5 + index // 50))
        report(85)
        name = f"{export.title}_{job.municipality.name}_{today:%Y%m%d}.{fmt}"
        if fmt == "xlsx":
            return name, table_workbook(export.title, export.headers, rows, widths=export.widths or None)
        return name, csv_bytes(export.headers, rows)

    return run


def csv_bytes(headers: list[str], rows: Iterable[list]) -> bytes:
    """UTF-8 with a BOM so that Excel opens Japanese text correctly; formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true", "on", "yes")


# ---------------------------------------------------------------------------
# The lists of this issue: projects, step progress, contracts
# ---------------------------------------------------------------------------


def _projects(municipality, params):
    from django.db.models import Prefetch

    from migration.models import MigrationProject, StepProgress

    projects = (
        MigrationProject.objects.filter(municipality=municipality)
        .select_related("operation", "department", "current_vendor")
        .prefetch_related(
            Prefetch("step_progress", queryset=StepProgress.objects.select_related("step").order_by("step__number"))
        )
        .order_by("operation__number")
    )
    if params.get("department"):
        projects = projects.filter(department_id=params["department"])
    if _truthy(params.get("difficult_only", "")):
        projects = projects.filter(is_difficult=True)
    return projects


def project_rows(municipality, params, today: dt.date):
    from migration.rules import current_step, next_planned_date, step_is_late

    for project in _projects(municipality, params):
        steps = list(project.step_progress.all())
        late = [s for s in steps if step_is_late(s, today)]
        if _truthy(params.get("late_only", "")) and not late:
            continue
        current = current_step(steps)
        yield [
            project.operation.number,
            project.operation.name,
            project.department.name,
            project.current_system_name,
            project.current_vendor.name if project.current_vendor else "",
            project.get_migration_pattern_display(),
            "○" if project.is_difficult else "",
            f"{current.step.number}. {current.step.name}" if current else "全手順完了",
            wareki(next_planned_date(steps, today)),
            len(late),
            wareki(project.target_go_live),
            wareki(project.deadline),
        ]


def step_rows(municipality, params, today: dt.date):
    from migration.models import StepProgress
    from migration.rules import step_is_late

    steps = (
        StepProgress.objects.filter(project__municipality=municipality)
        .select_related("step", "project__operation", "project__department")
        .order_by("project__operation__number", "step__number")
    )
    if params.get("department"):
        steps = steps.filter(project__department_id=params["department"])
    if params.get("status"):
        steps = steps.filter(status=params["status"])
    if params.get("step"):
        steps = steps.filter(step__number=params["step"])
    if params.get("project"):
        steps = steps.filter(project_id=params["project"])
    for progress in steps.iterator(chunk_size=1000):
        late = step_is_late(progress, today)
        if _truthy(params.get("late_only", "")) and not late:
            continue
        yield [
            progress.project.operation.name,
            progress.project.department.name,
            progress.step.number,
            progress.step.name,
            progress.get_status_display(),
            "遅延" if late else "",
            wareki(progress.planned_start),
            wareki(progress.planned_end),
            wareki(progress.actual_start),
            wareki(progress.actual_end),
            progress.percent_done,
            progress.note,
        ]


def contract_rows(municipality, params, today: dt.date):
    from vendors.models import Contract

    contracts = (
        Contract.objects.filter(municipality=municipality)
        .select_related("vendor")
        .prefetch_related("projects__operation")
        .order_by("end_date", "id")
    )
    if params.get("vendor"):
        contracts = contracts.filter(vendor_id=params["vendor"])
    if params.get("kind"):
        contracts = contracts.filter(kind=params["kind"])
    if _truthy(params.get("ending_soon", "")):
        from portal.dashboard.selectors import _add_months_to_day

        limit = _add_months_to_day(today, municipality.contract_warning_months)
        contracts = contracts.filter(end_date__gte=today, end_date__lte=limit)
    for contract in contracts:
        yield [
            contract.vendor.name,
            contract.package_name,
            contract.get_kind_display(),
            contract.amount,
            wareki(contract.start_date),
            wareki(contract.end_date),
            "、".join(p.operation.name for p in contract.projects.all()),
            contract.notes,
        ]


register_list_export(
    ListExport(
        name="projects",
        title="移行案件一覧",
        headers=[
            "業務番号",
            "標準化対象業務",
            "業務主管課",
            "現行システム名",
            "現行ベンダ",
            "移行パターン",
            "移行困難システム",
            "現在の手順",
            "次の予定日",
            "遅延手順数",
            "稼働目標日",
            "移行期限",
        ],  # fmt: skip
        rows=project_rows,
        filters=("department", "late_only", "difficult_only"),
        widths=[8, 20, 16, 20, 24, 22, 10, 36, 18, 10, 18, 18],
    )
)
register_list_export(
    ListExport(
        name="steps",
        title="手順の進捗一覧",
        headers=[
            "標準化対象業務",
            "業務主管課",
            "手順番号",
            "作業項目",
            "状態",
            "遅延",
            "予定開始日",
            "予定終了日",
            "実績開始日",
            "実績終了日",
            "進捗率（%）",
            "備考",
        ],  # fmt: skip
        rows=step_rows,
        filters=("department", "status", "step", "project", "late_only"),
        widths=[20, 16, 8, 36, 10, 8, 18, 18, 18, 18, 10, 30],
    )
)
register_list_export(
    ListExport(
        name="contracts",
        title="契約一覧",
        headers=[
            "ベンダ",
            "パッケージ名",
            "契約種別",
            "契約金額（円・税込）",
            "契約開始日",
            "契約終了日",
            "対象の移行案件",
            "備考",
        ],  # fmt: skip
        rows=contract_rows,
        filters=("vendor", "kind", "ending_soon"),
        widths=[28, 24, 14, 16, 18, 18, 40, 30],
    )
)


def issue_rows(municipality, params, today: dt.date):
    """The issue/risk register with the filters of its list page (migration.selectors.filter_issues)."""
    from migration.models import RiskIssue
    from migration.selectors import filter_issues

    params = dict(params)
    if params.get("scope", "cross") != "all":
        params["cross_cutting"] = True
    issues = filter_issues(
        RiskIssue.objects.filter(municipality=municipality).select_related(
            "project__operation", "project__department", "step"
        ),
        params,
        on=today,
    )
    for issue in issues:
        yield [
            issue.number,
            issue.project.operation.name,
            issue.project.department.name,
            issue.get_kind_display(),
            issue.get_importance_display(),
            issue.get_category_display(),
            issue.description,
            wareki(issue.raised_on),
            wareki(issue.due_date),
            "超過" if issue.is_overdue(today) else "",
            issue.get_status_display(),
            issue.response,
            wareki(issue.completed_on),
        ]


register_list_export(
    ListExport(
        name="issues",
        title="課題・リスク一覧",
        headers=[
            "No",
            "標準化対象業務",
            "業務主管課",
            "区分",
            "重要度",
            "分類",
            "認識されたリスク・課題",
            "起票日",
            "対応希望期限",
            "期限超過",
            "対応状況",
            "対応内容",
            "完了日",
        ],  # fmt: skip
        rows=issue_rows,
        filters=(
            "scope",
            "importance",
            "kind",
            "status",
            "category",
            "department",
            "project",
            "overdue",
            "open_only",
            "month",
            "sort",
        ),  # fmt: skip
        widths=[6, 18, 16, 8, 8, 14, 50, 16, 16, 8, 10, 40, 16],
    )
)


def gap_rows(municipality, params, today: dt.date):
    """Fit & Gap rows of the municipality (or one project) with the filters of its page (fitgap.selectors)."""
    from fitgap.models import GapItem
    from fitgap.selectors import filter_items

    items = GapItem.objects.filter(analysis__project__municipality=municipality).select_related(
        "analysis__project__operation", "requirement"
    )
    if params.get("project"):
        items = items.filter(analysis__project_id=params["project"])
    items = filter_items(items, params, on=today).order_by("analysis__project__operation__number", "sort_order", "key")
    for item in items:
        yield [
            item.analysis.project.operation.name,
            item.get_kind_display(),
            item.key,
            item.display_title,
            item.get_judgement_display(),
            item.get_impact_display(),
            item.get_policy_display(),
            item.get_status_display(),
            wareki(item.due_date),
            "超過" if item.is_overdue(today) else "",
            item.owner,
            item.decision,
        ]


register_list_export(
    ListExport(
        name="gaps",
        title="Fit & Gap一覧",
        headers=[
            "標準化対象業務",
            "行の種類",
            "ID",
            "機能名・項目名",
            "判定",
            "影響度",
            "対応方針",
            "検討状況",
            "対応期限",
            "期限超過",
            "担当者",
            "決定内容",
        ],  # fmt: skip
        rows=gap_rows,
        filters=("project", "kind", "judgement", "impact", "policy", "status", "overdue", "needs_review"),
        widths=[18, 12, 14, 36, 8, 8, 24, 10, 16, 8, 12, 40],
    )
)
