"""/api/v1/projects/{id}/schedule/, /api/v1/schedule/ (portfolio) and /api/v1/baselines/."""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.permissions import IsMunicipalUser, require
from schedules import selectors, services
from schedules.models import Baseline


def _bar(bar):
    if bar is None:
        return None
    return {"start": bar.start, "end": bar.end, "open_ended": bar.open_ended}


def _mark(mark):
    return {"kind": mark.kind, "kind_display": mark.kind_label, "symbol": mark.symbol, "name": mark.name,
            "date": mark.date, "end_date": mark.end_date}  # fmt: skip


def gantt_data(gantt) -> dict:
    project, forecast = gantt.project, gantt.forecast
    return {
        "id": project.id,
        "operation": project.operation.name,
        "operation_group": project.operation.group,
        "department": project.department.name,
        "is_difficult": project.is_difficult,
        "deadline": forecast.deadline,
        "target_go_live": project.target_go_live,
        "forecast": {
            "finish": forecast.finish,
            "finished": forecast.finished,
            "over_deadline": forecast.over_deadline,
            "days_over": forecast.days_over,
            "late_steps": forecast.late_steps,
        },
        "milestones": [_mark(m) for m in project_marks_all(gantt)],
        "phases": [
            {"phase": phase.code, "phase_display": phase.label, "planned": _bar(phase.bar)} for phase in gantt.phases
        ],
        "steps": [
            {
                "id": row.progress.id,
                "number": row.step.number,
                "name": row.step.name,
                "phase": row.step.phase,
                "status": row.progress.status,
                "status_display": row.progress.get_status_display(),
                "late": row.late,
                "planned": _bar(row.planned),
                "actual": _bar(row.actual),
                "baseline": _bar(row.baseline),
                "version": row.progress.version,
            }
            for row in gantt.steps
        ],
    }


def project_marks_all(gantt):
    return selectors.project_marks(gantt.project)  # every mark, also those outside the drawn range


def schedule_data(schedule) -> dict:
    return {
        "today": schedule.today,
        "range": {"start": schedule.timeline.start, "end": schedule.timeline.end},
        "baseline": {"id": schedule.baseline.id, "name": schedule.baseline.name} if schedule.baseline else None,
        "milestones": [_mark(m) for m in schedule.marks],
        "groups": [
            {"label": group.label, "projects": [g.project.id for g in group.projects]} for group in schedule.groups
        ],
        "projects": [gantt_data(g) for g in schedule.projects],
    }


BASELINE_PARAM = OpenApiParameter("baseline", int, description="並べて表示するベースラインのID")


class ProjectScheduleViewSet(viewsets.ViewSet):
    """One project's schedule: bars (planned, actual, baseline), milestones, late flags and forecast."""

    permission_classes = [IsMunicipalUser]

    @extend_schema(parameters=[BASELINE_PARAM], responses={200: dict})
    def list(self, request, project_id=None):
        baseline = selectors.pick_baseline(request.user, request.query_params.get("baseline"))
        schedule = selectors.project_schedule(request.user, int(project_id), baseline=baseline)
        return Response(schedule_data(schedule))


class PortfolioScheduleViewSet(viewsets.ViewSet):
    """The portfolio: every project of the municipality; filters department, group, late_only,
    difficult_only; group_by department|group."""

    permission_classes = [IsMunicipalUser]

    @extend_schema(
        parameters=[
            BASELINE_PARAM,
            OpenApiParameter("department", int),
            OpenApiParameter("group", str),
            OpenApiParameter("late_only", bool),
            OpenApiParameter("difficult_only", bool),
            OpenApiParameter("group_by", str, enum=list(selectors.GROUPINGS)),
        ],
        responses={200: dict},
    )
    def list(self, request):
        params = request.query_params
        truthy = ("1", "true", "on", "True")
        department = params.get("department")
        schedule = selectors.portfolio_schedule(
            request.user,
            baseline=selectors.pick_baseline(request.user, params.get("baseline")),
            department_id=int(department) if department and department.isdecimal() else None,
            group=params.get("group") or None,
            late_only=params.get("late_only") in truthy,
            difficult_only=params.get("difficult_only") in truthy,
            group_by=params.get("group_by") or "department",
        )
        return Response(schedule_data(schedule))


class BaselineSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Baseline
        fields = ["id", "municipality", "name", "note", "created_at", "created_by", "step_count"]
        read_only_fields = ["municipality", "created_at", "created_by"]
        validators = []  # the name's uniqueness within the municipality is checked by the service


class BaselineViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """ベースライン. The DX office saves the current plan under a name (POST {"name", "note"});
    GET /baselines/{id}/changes/ lists the steps whose dates moved since."""

    serializer_class = BaselineSerializer
    permission_classes = [IsMunicipalUser]

    def get_queryset(self):
        return (
            selectors.visible_baselines(self.request.user)
            .annotate(step_count=Count("steps"))
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require(bool(request.user.municipality_id), _("団体に所属する利用者で操作してください。"))
        baseline = services.create_baseline(
            actor=request.user,
            municipality=request.user.municipality,
            name=serializer.validated_data["name"],
            note=serializer.validated_data.get("note", ""),
        )
        baseline = self.get_queryset().get(pk=baseline.pk)
        return Response(self.get_serializer(baseline).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        baseline = self.get_object()
        shifts = selectors.baseline_differences(request.user, baseline)
        return Response(
            [
                {
                    "project": s.project.id,
                    "operation": s.project.operation.name,
                    "step": s.step.number,
                    "baseline_start": s.baseline_start,
                    "baseline_end": s.baseline_end,
                    "current_start": s.current_start,
                    "current_end": s.current_end,
                    "start_days": s.start_days,
                    "end_days": s.end_days,
                }
                for s in shifts
            ]
        )


routes = [
    (r"projects/(?P<project_id>[0-9]+)/schedule", ProjectScheduleViewSet, "project-schedule"),
    ("schedule", PortfolioScheduleViewSet, "schedule"),
    ("baselines", BaselineViewSet, "baseline"),
]
