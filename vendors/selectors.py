"""Reads for vendors, contracts, RFIs and RFPs, scoped to what the user may see."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from portal.permissions import Role, is_municipal_user, scope_to_municipality
from vendors.models import (
    COST_CATEGORIES,
    Contract,
    CostKind,
    Environment,
    Rfi,
    RfiInvitation,
    RfiResponse,
    Rfp,
    SystemType,
    Vendor,
)
from vendors.permissions import is_vendor_user

YEARS_OF_OPERATION = 5  # initial + 5 × annual


def today() -> dt.date:
    return timezone.localdate()


def visible_vendors(user):
    """Municipal staff see the shared vendor registry; vendor staff see only their own company."""
    if not user.is_authenticated:
        return Vendor.objects.none()
    if is_municipal_user(user):
        return Vendor.objects.all()
    if user.role == Role.VENDOR and user.vendor_id:
        return Vendor.objects.filter(pk=user.vendor_id)
    return Vendor.objects.none()


def visible_contracts(user):
    contracts = Contract.objects.select_related("vendor", "municipality").prefetch_related(
        "projects__operation", "documents"
    )
    if is_municipal_user(user):
        return scope_to_municipality(user, contracts)
    if is_vendor_user(user):
        return contracts.filter(Q(vendor_id=user.vendor_id))
    return contracts.none()


def add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ContractWarning:
    contract: Contract
    ending_soon: bool = False
    needs_extension: list = field(default_factory=list)  # projects going live after the contract ends


def contract_warnings(user, *, on: dt.date | None = None) -> list[ContractWarning]:
    """Contracts that end before a covered project's planned go-live (契約延長が必要), and contracts
    ending within the municipality's contract_warning_months."""
    on = on or today()
    if not is_municipal_user(user) or not user.municipality_id:
        return []
    limit = add_months(on, user.municipality.contract_warning_months)
    warnings = []
    for contract in visible_contracts(user).filter(end_date__gte=on):
        warning = ContractWarning(contract=contract, ending_soon=contract.end_date <= limit)
        for project in contract.projects.all():
            go_live = project.target_go_live or project.deadline
            if go_live and contract.end_date < go_live:
                warning.needs_extension.append(project)
        if warning.ending_soon or warning.needs_extension:
            warnings.append(warning)
    return warnings


def visible_rfis(user):
    rfis = Rfi.objects.select_related("municipality")
    if is_municipal_user(user):
        return scope_to_municipality(user, rfis)
    if is_vendor_user(user):
        return rfis.filter(state=Rfi.State.SENT, invitations__vendor_id=user.vendor_id).distinct()
    return rfis.none()


def visible_invitations(user):
    invitations = RfiInvitation.objects.select_related("rfi__municipality", "vendor")
    if is_municipal_user(user):
        return scope_to_municipality(user, invitations, field="rfi__municipality")
    if is_vendor_user(user):
        return invitations.filter(vendor_id=user.vendor_id, rfi__state=Rfi.State.SENT)
    return invitations.none()


def visible_responses(user):
    """Vendor staff: every version and draft of their own company. Municipal staff: submitted versions."""
    responses = RfiResponse.objects.select_related(
        "invitation__rfi__municipality", "invitation__vendor"
    ).prefetch_related("answers", "cost_lines", "files")
    if is_municipal_user(user):
        return scope_to_municipality(user, responses, field="invitation__rfi__municipality").filter(
            state=RfiResponse.State.SUBMITTED
        )
    if is_vendor_user(user):
        return responses.filter(invitation__vendor_id=user.vendor_id, invitation__rfi__state=Rfi.State.SENT)
    return responses.none()


def visible_rfps(user):
    return scope_to_municipality(user, Rfp.objects.select_related("selected_vendor", "rfi"))


def latest_response(invitation, *, submitted_only: bool = False):
    responses = invitation.responses.all()
    if submitted_only:
        responses = responses.filter(state=RfiResponse.State.SUBMITTED)
    return responses.order_by("-number").first()


# ---------------------------------------------------------------------------
# Cost tables and the comparison
# ---------------------------------------------------------------------------
def cost_cells(response) -> dict:
    """{(system_type, environment, category): (amount, description)}"""
    if response is None:
        return {}
    return {(c.system_type, c.environment, c.category): (c.amount, c.description) for c in response.cost_lines.all()}


def cost_totals(cells: dict) -> dict:
    """Per (system_type, environment): initial, annual, five-year total; plus both system types per environment."""
    kinds = {code: kind for code, kind, _ in COST_CATEGORIES}
    totals = {}
    for system_type in [*SystemType.values, "all"]:
        for environment in Environment.values:
            initial = annual = 0
            for (s, e, category), (amount, _) in cells.items():
                if e != environment or (system_type != "all" and s != system_type):
                    continue
                if kinds[category] == CostKind.INITIAL:
                    initial += amount
                else:
                    annual += amount
            totals[(system_type, environment)] = {
                "initial": initial,
                "annual": annual,
                "five_year": initial + YEARS_OF_OPERATION * annual,
            }
    return totals


@dataclass
class ComparisonRow:
    label: str
    values: list  # one per vendor column; None when not answered
    lowest: set = field(default_factory=set)  # indexes of the lowest values

    def cells(self):
        return [(value, index in self.lowest) for index, value in enumerate(self.values)]


def _mark_lowest(row: ComparisonRow) -> ComparisonRow:
    numbers = [v for v in row.values if isinstance(v, int)]
    if len(numbers) > 1:
        low = min(numbers)
        row.lowest = {i for i, v in enumerate(row.values) if v == low}
    return row


def rfi_comparison(rfi) -> dict:
    """All vendors' latest submitted answers side by side."""
    invitations = list(
        rfi.invitations.select_related("vendor").prefetch_related(
            Prefetch(
                "responses",
                queryset=RfiResponse.objects.filter(state=RfiResponse.State.SUBMITTED)
                .order_by("-number")
                .prefetch_related("answers", "cost_lines", "files"),
            )
        )
    )
    columns = []
    for invitation in invitations:
        submitted = list(invitation.responses.all())
        columns.append({"vendor": invitation.vendor, "response": submitted[0] if submitted else None})
    answered = [c for c in columns if c["response"]]
    missing = [c["vendor"] for c in columns if not c["response"]]
    questions = []
    for question in rfi.questions.all():
        per_vendor = []
        for column in answered:
            answer = next((a for a in column["response"].answers.all() if a.question_id == question.id), None)
            per_vendor.append((answer.gov_cloud if answer else "", answer.local_cloud if answer else ""))
        questions.append({"question": question, "answers": per_vendor})
    cells = [cost_cells(c["response"]) for c in answered]
    totals = [cost_totals(c) for c in cells]
    cost_rows = []
    for system_type in SystemType:
        for environment in Environment:
            section = f"{system_type.label}／{environment.label}"
            for code, kind, label in COST_CATEGORIES:
                values = [cell.get((system_type.value, environment.value, code), (None, ""))[0] for cell in cells]
                cost_rows.append(_mark_lowest(ComparisonRow(f"{section}／{CostKind(kind).label}: {label}", values)))
            for key, label in [("initial", "初期費用 計"), ("annual", "運用経費（年間） 計")]:
                values = [t[(system_type.value, environment.value)][key] for t in totals]
                cost_rows.append(_mark_lowest(ComparisonRow(f"{section}／{label}", values)))
    total_rows = []
    for environment in Environment:
        for key, label in [
            ("initial", "初期費用"),
            ("annual", "運用経費（年間）"),
            ("five_year", f"初期費用＋{YEARS_OF_OPERATION}年間の運用経費"),
        ]:
            values = [t[("all", environment.value)][key] for t in totals]
            total_rows.append(_mark_lowest(ComparisonRow(f"合計（{environment.label}）／{label}", values)))
    return {
        "vendors": [c["vendor"] for c in answered],
        "responses": [c["response"] for c in answered],
        "missing": missing,
        "questions": questions,
        "cost_rows": cost_rows,
        "total_rows": total_rows,
    }


# ---------------------------------------------------------------------------
# RFP evaluation
# ---------------------------------------------------------------------------
def rfp_ranking(rfp) -> list[dict]:
    """Weighted totals per vendor: for each criterion the evaluators' mean score ÷ max × weight; ranked."""
    criteria = list(rfp.criteria.prefetch_related("scores"))
    vendors = list(rfp.vendors.all())
    rows = []
    for vendor in vendors:
        total = 0.0
        per_criterion = []
        for criterion in criteria:
            scores = [s.score for s in criterion.scores.all() if s.vendor_id == vendor.id]
            mean = sum(scores) / len(scores) if scores else None
            weighted = (mean / criterion.max_score * criterion.weight) if mean is not None else 0.0
            per_criterion.append({"criterion": criterion, "mean": mean, "weighted": round(weighted, 2)})
            total += weighted
        rows.append({"vendor": vendor, "criteria": per_criterion, "total": round(total, 2)})
    rows.sort(key=lambda r: -r["total"])
    rank = 0
    previous = None
    for index, row in enumerate(rows, start=1):
        if row["total"] != previous:
            rank = index
            previous = row["total"]
        row["rank"] = rank
    return rows


def evaluator_scores(rfp, evaluator) -> dict:
    from vendors.models import RfpScore

    return {
        (s.criterion_id, s.vendor_id): s.score for s in RfpScore.objects.filter(criterion__rfp=rfp, evaluator=evaluator)
    }


# ---------------------------------------------------------------------------
# Suggested step updates (steps 5–11) after RFI/RFP events
# ---------------------------------------------------------------------------
@dataclass
class StepSuggestion:
    progress: object
    status: str
    reason: str
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None

    @property
    def key(self) -> str:
        return f"{self.progress.id}:{self.status}"


def _events(rfi=None, rfp=None, on=None):
    """(step number, target status, reason) implied by the RFI/RFP's state."""
    on = on or today()
    events = []
    if rfi is not None and rfi.state == Rfi.State.SENT:
        events.append((5, "done", "RFI資料を作成し送付しました"))
        if on > rfi.deadline:
            events.append((6, "done", "RFIの回答期限が過ぎました"))
            events.append((7, "in_progress", "RFIの結果分析を始める時期です"))
        else:
            events.append((6, "in_progress", "RFIを実施中です"))
    if rfp is not None:
        if rfp.selected_vendor_id:
            events.append((9, "done", "RFPの提案評価が終わりました"))
            events.append((10, "done", "ベンダを選定しました"))
            events.append((11, "in_progress", "契約・詳細スケジュールの確定に進めます"))
        else:
            events.append((9, "in_progress", "RFP（提案依頼）を実施中です"))
    return events


ORDER = {"not_started": 0, "on_hold": 0, "in_progress": 1, "done": 2, "not_applicable": 3}


def step_suggestions(*, rfi=None, rfp=None, on=None) -> list[StepSuggestion]:
    """Only moves forward: a step already at or past the suggested status is not suggested."""
    from migration.models import StepProgress

    on = on or today()
    source = rfi or rfp
    events = _events(rfi, rfp, on)
    if not events:
        return []
    numbers = {n for n, _, _ in events}
    progresses = StepProgress.objects.filter(
        project__in=source.projects.all(), step__number__in=numbers
    ).select_related("step", "project__operation")
    suggestions = []
    for progress in progresses.order_by("project__operation__number", "step__number"):
        for number, status, reason in events:
            if number != progress.step.number or ORDER[progress.status] >= ORDER[status]:
                continue
            suggestion = StepSuggestion(progress=progress, status=status, reason=reason)
            suggestion.actual_start = progress.actual_start or on
            if status == "done":
                suggestion.actual_end = progress.actual_end or on
            suggestions.append(suggestion)
    return suggestions
