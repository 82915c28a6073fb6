"""/api/v1/dashboard/, /api/v1/report-runs/ and /api/v1/oversight/ (listed in portal.api.routes)."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from portal.dashboard import selectors, services
from portal.models import ReportRun
from portal.permissions import can_view_dashboard, is_municipal_user, is_oversight_user


class CanViewDashboards(BasePermission):
    message = gettext_lazy("ダッシュボードを参照する権限がありません。")

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (is_municipal_user(user) or is_oversight_user(user)))


def _municipality(request):
    """?municipality=<id> for oversight users (one of their group); one's own municipality otherwise."""
    value = request.query_params.get("municipality")
    try:
        municipality_id = int(value) if value else None
    except (TypeError, ValueError):
        municipality_id = -1
    return selectors.dashboard_municipality(request.user, municipality_id)


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.query_params.get("on", ""))
    except ValueError:
        return selectors.today()


def _phases(phases) -> dict:
    from migration.models import ProcedureStep

    result = {}
    for code, label in ProcedureStep.Phase.choices:
        done, total = phases.get(code, (0, 0))
        result[code] = {
            "label": label,
            "complete": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
        }
    return result


def dashboard_data(board: selectors.Dashboard) -> dict:
    submitted, missing = board.submission_totals
    return {
        "municipality": {"id": board.municipality.id, "name": board.municipality.name},
        "on": board.today.isoformat(),
        "overall": _phases(board.overall_phases),
        "overall_percent": board.overall_total_percent,
        "late_projects": board.late_project_count,
        "difficult_projects": board.difficult_count,
        "projects": [
            {
                "id": s.project.id,
                "operation_number": s.project.operation.number,
                "operation": s.project.operation.name,
                "department": s.project.department.name,
                "is_difficult": s.project.is_difficult,
                "deadline": s.project.deadline.isoformat(),
                "percent": s.percent,
                "phases": _phases(s.phases),
                "late_steps": [c.progress.step.number for c in s.late_cells],
                "cells": [
                    {"step": c.progress.step.number, "status": c.status, "status_display": c.label, "late": c.late}
                    for c in s.cells
                ],
            }
            for s in board.projects
        ],
        "at_risk": [
            {"id": s.project.id, "operation": s.project.operation.name, "reasons": r} for s, r in board.at_risk
        ],
        "issues": {
            "open_by_importance": board.issue_counts,
            "overdue": board.overdue_issue_count,
            "first": [
                {
                    "id": i.id,
                    "number": i.number,
                    "importance": i.importance,
                    "due_date": i.due_date.isoformat() if i.due_date else None,
                    "overdue": bool(i.due_date and i.due_date < board.today),
                }
                for i in board.open_issues
            ],
        },
        "contracts_ending": [
            {"id": c.id, "vendor": c.vendor.name, "package_name": c.package_name, "end_date": c.end_date.isoformat()}
            for c in board.contracts_ending
        ],
        "submissions": {
            "month": board.report_month.strftime("%Y-%m"),
            "submitted": submitted,
            "missing": missing,
            "rate": board.submission_rate,
            "departments": [
                {"department": r.department.name, "submitted": r.submitted, "missing": r.missing}
                for r in board.submissions
            ],
        },
        "burnup": [
            {"month": p.month.strftime("%Y-%m"), "planned": p.planned, "actual": p.actual} for p in board.burnup
        ],
        "issue_flow": [
            {"month": p.month.strftime("%Y-%m"), "opened": p.opened, "closed": p.closed} for p in board.issue_flow
        ],
        "panels": [{k: p[k] for k in ("key", "title", "count", "data") if k in p} for p in board.panels],
    }


class DashboardViewSet(viewsets.ViewSet):
    """The figures behind the dashboard panels. ?municipality=<id> (oversight users), ?on=YYYY-MM-DD."""

    permission_classes = [CanViewDashboards]

    @extend_schema(
        parameters=[
            OpenApiParameter("municipality", OpenApiTypes.INT, description="団体ID（広域・共同の閲覧者のみ）"),
            OpenApiParameter("on", OpenApiTypes.DATE, description="基準日（既定: 今日）"),
            OpenApiParameter("department", OpenApiTypes.INT, description="部署IDで移行案件を絞り込む"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        municipality = _municipality(request)
        department = request.query_params.get("department", "")
        department_id = int(department) if department.isdigit() else None
        if department_id and not municipality.departments.filter(pk=department_id).exists():
            return Response({"department": [_("この団体の部署IDを指定してください。")]}, status=400)
        board = selectors.dashboard(municipality, on=_day(request), department_id=department_id, user=request.user)
        return Response(dashboard_data(board))


class ReportRunSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = ["id", "municipality", "month", "trigger", "trigger_display", "requested_by", "state",
                  "state_display", "progress", "attempts", "created_at", "started_at", "finished_at",
                  "result_name", "error", "download_url"]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, run) -> str | None:
        return reverse("dashboard:report_run_download", args=[run.id]) if run.result_file else None


class ReportRunCreateSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="対象月（例: 2025-09）。令和元年5月（2019-05）から今月まで")

    def validate_month(self, value):
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            day = dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("対象月は「年-月」（例: 2025-09）で指定してください。")) from None
        if day > selectors.first_of_month(selectors.today()):
            raise serializers.ValidationError(_("対象月は今月以前の月を指定してください。"))
        if day < services.EARLIEST_REPORT_MONTH:
            raise serializers.ValidationError(services.EARLIEST_REPORT_MONTH_ERROR)
        return day


class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly report workbook runs. POST {"month": "2025-09"} starts one (DX office); while one for the
    same month waits or runs, that one is returned with 200 instead of a duplicate."""

    serializer_class = ReportRunSerializer
    permission_classes = [CanViewDashboards]
    filterset_fields = ["state", "municipality"]

    def get_queryset(self):
        user = self.request.user
        runs = ReportRun.objects.select_related("requested_by")
        if getattr(self, "swagger_fake_view", False):
            return runs.none()
        if user.is_superuser:
            return runs
        if is_oversight_user(user):
            return runs.filter(municipality__in=selectors.oversight_municipalities(user))
        return runs.filter(municipality_id=user.municipality_id)

    @extend_schema(request=ReportRunCreateSerializer, responses={201: ReportRunSerializer, 200: ReportRunSerializer})
    def create(self, request, *args, **kwargs):
        data = ReportRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not is_municipal_user(request.user) or not request.user.municipality_id:
            return Response({"detail": _("月次報告書を作成できるのは事務局です。")}, status=status.HTTP_403_FORBIDDEN)
        municipality = request.user.municipality
        if not can_view_dashboard(request.user, municipality.id):
            return Response(status=status.HTTP_404_NOT_FOUND)
        run, created = services.request_report_run(
            actor=request.user, municipality=municipality, month=data.validated_data["month"],
            trigger=ReportRun.Trigger.API,
        )  # fmt: skip
        run.refresh_from_db()
        body = {**self.get_serializer(run).data, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OversightViewSet(viewsets.ViewSet):
    """One row per municipality of the oversight user's group (read-only)."""

    def get_permissions(self):
        return [CanViewDashboards()]

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="基準日（既定: 今日）")],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        if not (is_oversight_user(request.user) or request.user.is_superuser):
            return Response({"detail": _("広域・共同グループの閲覧者だけが参照できます。")}, status=403)
        rows = selectors.oversight_rows(request.user, on=_day(request))
        return Response(
            [
                {
                    "municipality": {"id": r.municipality.id, "name": r.municipality.name, "code": r.municipality.code},
                    "projects": r.project_count,
                    "phases": _phases(r.phases),
                    "late_projects": r.late_projects,
                    "difficult_projects": r.difficult,
                    "reports_submitted": r.submitted,
                    "reports_expected": r.expected,
                    "submission_rate": r.submission_rate,
                    "dashboard_url": reverse("dashboard:municipality", args=[r.municipality.id]),
                }
                for r in rows
            ]
        )


routes = [
    ("dashboard", DashboardViewSet, "dashboard"),
    ("report-runs", ReportRunViewSet, "report-run"),
    ("oversight", OversightViewSet, "oversight"),
]
