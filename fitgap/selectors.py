"""Reads of the Fit & Gap analysis, always scoped to the user's municipality. Summaries are
computed in the database with a fixed number of queries, whatever the number of rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fitgap.models import Analysis, Catalogue, GapItem, Requirement
from portal.permissions import scope_to_municipality

ALERT_DAYS = 30


def today() -> dt.date:
    return timezone.localdate()


def visible_catalogues(user):
    return scope_to_municipality(user, Catalogue.objects.all()).select_related("operation", "previous", "imported_by")


def catalogue_detail(user, catalogue_id: int) -> Catalogue:
    return get_object_or_404(visible_catalogues(user), pk=catalogue_id)


def visible_requirements(user):
    return scope_to_municipality(user, Requirement.objects.all(), field="catalogue__municipality").select_related(
        "catalogue__operation"
    )


def visible_analyses(user):
    return scope_to_municipality(user, Analysis.objects.all(), field="project__municipality").select_related(
        "project__operation", "project__department", "project__municipality", "catalogue"
    )


def visible_items(user):
    return scope_to_municipality(user, GapItem.objects.all(), field="analysis__project__municipality").select_related(
        "requirement", "risk_issue", "analysis__project__operation", "analysis__project__department"
    )


def item_detail(user, project_id: int, item_id: int) -> GapItem:
    return get_object_or_404(
        visible_items(user).select_related("analysis__project__municipality", "analysis__catalogue"),
        pk=item_id,
        analysis__project_id=project_id,
    )


def filter_items(queryset, params: dict, *, on: dt.date | None = None):
    day = on or today()
    for name in ("kind", "judgement", "impact", "policy", "status"):
        value = params.get(name)
        if value == "none":
            queryset = queryset.filter(**{name: ""})
        elif value:
            queryset = queryset.filter(**{name: value})
    if params.get("overdue"):
        queryset = queryset.filter(due_date__lt=day).exclude(status=GapItem.Status.DECIDED)
    if params.get("needs_review"):
        queryset = queryset.filter(needs_review=True)
    return queryset


# --- summaries ---------------------------------------------------------------------------


def _count_fields(prefix: str = "") -> dict:
    """Conditional counts: every row by 判定; gaps by 影響度, 対応方針 and 検討状況."""
    gap = Q(**{f"{prefix}judgement": GapItem.Judgement.GAP})
    fields = {"rows": Count(f"{prefix}id")}
    fields["judgement_fit"] = Count(f"{prefix}id", filter=Q(**{f"{prefix}judgement": GapItem.Judgement.FIT}))
    fields["judgement_gap"] = Count(f"{prefix}id", filter=gap)
    fields["judgement_none"] = Count(f"{prefix}id", filter=Q(**{f"{prefix}judgement": ""}))
    for code in GapItem.Impact.values:
        fields[f"impact_{code}"] = Count(f"{prefix}id", filter=gap & Q(**{f"{prefix}impact": code}))
    fields["impact_none"] = Count(f"{prefix}id", filter=gap & Q(**{f"{prefix}impact": ""}))
    for code in GapItem.Policy.values:
        fields[f"policy_{code}"] = Count(f"{prefix}id", filter=gap & Q(**{f"{prefix}policy": code}))
    for code in GapItem.Status.values:
        fields[f"status_{code}"] = Count(f"{prefix}id", filter=gap & Q(**{f"{prefix}status": code}))
    return fields


@dataclass
class Summary:
    counts: dict

    def _rows(self, prefix, choices, extra=()):
        return [(label, self.counts.get(f"{prefix}_{code}", 0)) for code, label in list(choices.choices) + list(extra)]

    @property
    def rows(self) -> int:
        return self.counts.get("rows", 0)

    @property
    def gaps(self) -> int:
        return self.counts.get("judgement_gap", 0)

    @property
    def decided(self) -> int:
        return self.counts.get("status_decided", 0)

    @property
    def percent_decided(self) -> int | None:
        """Gaps whose 検討状況 is 決定, in percent of all gaps (None when there is no gap)."""
        return round(100 * self.decided / self.gaps) if self.gaps else None

    @property
    def by_judgement(self):
        return self._rows("judgement", GapItem.Judgement, [("none", "未判定")])

    @property
    def by_impact(self):
        return self._rows("impact", GapItem.Impact, [("none", "未設定")])

    @property
    def by_policy(self):
        return self._rows("policy", GapItem.Policy)

    @property
    def by_status(self):
        return self._rows("status", GapItem.Status)


def analysis_summary(analysis: Analysis) -> Summary:
    """One query."""
    return Summary(GapItem.objects.filter(analysis=analysis).aggregate(**_count_fields()))


@dataclass
class ProjectSummary:
    project: object
    analysis: Analysis | None
    summary: Summary


def municipality_summary(user) -> tuple[Summary, list[ProjectSummary]]:
    """The whole municipality and each project: three queries."""
    from migration.selectors import visible_projects

    items = visible_items(user).select_related(None)
    total = Summary(items.aggregate(**_count_fields()))
    analyses = {a.project_id: a for a in visible_analyses(user)}
    per_analysis = {
        row["analysis_id"]: row for row in items.order_by().values("analysis_id").annotate(**_count_fields())
    }
    projects = visible_projects(user).select_related("operation", "department").order_by("operation__number")
    result = []
    for project in projects:
        analysis = analyses.get(project.id)
        counts = per_analysis.get(analysis.id, {}) if analysis else {}
        result.append(ProjectSummary(project, analysis, Summary(counts)))
    return total, result


def urgent_gaps(user, *, on: dt.date | None = None, days: int = ALERT_DAYS):
    """High-impact gaps still undecided whose 対応期限 is within ``days`` (or already passed)."""
    day = on or today()
    return (
        visible_items(user)
        .filter(
            judgement=GapItem.Judgement.GAP,
            impact=GapItem.Impact.HIGH,
            due_date__lte=day + dt.timedelta(days=days),
        )
        .exclude(status=GapItem.Status.DECIDED)
        .order_by("due_date", "analysis__project__operation__number", "sort_order")
    )
