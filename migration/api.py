from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from migration import selectors, services
from migration.models import (
    MigrationProject,
    MonthlyReport,
    ProcedureStep,
    ReportMeeting,
    RiskIssue,
    RiskIssueComment,
    StepProgress,
    TargetOperation,
)
from portal.api import VersionedSerializerMixin, pop_version
from portal.models import Department, User
from portal.permissions import IsMunicipalUser, require, scope_to_municipality


class TargetOperationSerializer(serializers.ModelSerializer):
    group_display = serializers.CharField(source="get_group_display", read_only=True)

    class Meta:
        model = TargetOperation
        fields = ["id", "number", "name", "name_en", "group", "group_display", "ministry", "is_core17"]


class ProcedureStepSerializer(serializers.ModelSerializer):
    phase_display = serializers.CharField(source="get_phase_display", read_only=True)

    class Meta:
        model = ProcedureStep
        fields = [
            "id", "number", "name", "phase", "phase_display", "typical_months_min", "typical_months_max",
            "department_responsible", "dx_office_responsible", "vendor_responsible",
            "skipped_without_vendor_change", "description",
        ]  # fmt: skip


class StepProgressSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    step_number = serializers.IntegerField(source="step.number", read_only=True)
    step_name = serializers.CharField(source="step.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StepProgress
        fields = [
            "id", "project", "step", "step_number", "step_name", "status", "status_display", "planned_start",
            "planned_end", "actual_start", "actual_end", "percent_done", "note", "version",
        ]  # fmt: skip
        read_only_fields = ["project", "step"]


class ProjectSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    operation_name = serializers.CharField(source="operation.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    deadline = serializers.DateField(read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = MigrationProject
        fields = [
            "id", "municipality", "operation", "operation_name", "department", "department_name",
            "current_system_name", "current_vendor", "current_contract", "migration_pattern", "approach",
            "gov_cloud_use", "is_difficult", "difficult_reason", "individual_deadline", "target_go_live",
            "deadline", "notes", "version", "steps",
        ]  # fmt: skip
        read_only_fields = ["municipality"]
        validators = []  # uniqueness is checked by the service against the user's municipality

    def get_steps(self, project) -> list[dict]:
        return [
            {"number": p.step.number, "status": p.status, "status_display": p.get_status_display()}
            for p in project.step_progress.all()
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["department"].queryset = scope_to_municipality(request.user, Department.objects.all())
        if self.instance is not None:
            fields["operation"].read_only = True
        else:
            fields["version"].required = False
        return fields


class TargetOperationViewSet(viewsets.ReadOnlyModelViewSet):
    """標準化対象20業務 (reference data)."""

    queryset = TargetOperation.objects.all()
    serializer_class = TargetOperationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filterset_fields = ["group", "is_core17"]


class ProcedureStepViewSet(viewsets.ReadOnlyModelViewSet):
    """手順書の17の作業手順 (reference data)."""

    queryset = ProcedureStep.objects.all()
    serializer_class = ProcedureStepSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filterset_fields = ["phase"]


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """移行案件. The DX office creates and changes projects; everyone of the municipality reads them."""

    serializer_class = ProjectSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["department", "operation", "migration_pattern", "is_difficult"]
    ordering_fields = ["operation__number", "target_go_live"]

    def get_queryset(self):
        return selectors.projects_with_steps(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        user = self.request.user
        require(not user.is_superuser or user.municipality_id, _("団体に所属する利用者で操作してください。"))
        serializer.instance = services.create_project(
            actor=user,
            municipality=user.municipality,
            operation=data.pop("operation"),
            department=data.pop("department"),
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_project(
            actor=self.request.user, project=serializer.instance, expected_version=expected, data=data
        )


class StepProgressViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """手順の進捗. Filter with ?project=ID. The DX office and the owning department update them."""

    serializer_class = StepProgressSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["project", "status", "step"]

    def get_queryset(self):
        return selectors.visible_step_progress(self.request.user).order_by("project_id", "step__number")

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_step_progress(
            actor=self.request.user, progress=serializer.instance, expected_version=expected, data=data
        )


routes = [
    ("operations", TargetOperationViewSet, "operation"),
    ("steps", ProcedureStepViewSet, "step"),
    ("projects", ProjectViewSet, "project"),
    ("step-progress", StepProgressViewSet, "step-progress"),
]


# ---------------------------------------------------------------------------
# /api/v1/reports/ and /api/v1/issues/
# ---------------------------------------------------------------------------


class ReportMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportMeeting
        fields = ["date", "party", "purpose"]


class StepUpdateSerializer(serializers.Serializer):
    """One step changed in place with the report (goes to the step progress and its history)."""

    step_number = serializers.IntegerField(min_value=1, max_value=17)
    version = serializers.IntegerField(help_text="その手順の進捗を読み込んだ時点の版数。")
    status = serializers.ChoiceField(choices=StepProgress.Status.choices, required=False)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_end = serializers.DateField(required=False, allow_null=True)
    percent_done = serializers.IntegerField(required=False, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True)


class MonthlyReportSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.operation.name", read_only=True)
    department = serializers.IntegerField(source="project.department_id", read_only=True)
    municipality = serializers.IntegerField(source="project.municipality_id", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    overall_status_display = serializers.CharField(source="get_overall_status_display", read_only=True)
    meetings = ReportMeetingSerializer(many=True, required=False)
    step_updates = StepUpdateSerializer(many=True, required=False, write_only=True)
    steps = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id", "project", "project_name", "department", "municipality", "month", "period_start", "period_end",
            "reporter", "contact", "overall_status", "overall_status_display", "overall_reason", "work_done",
            "next_plan", "notes_to_office", "state", "state_display", "submitted_at", "submitted_by",
            "return_comment", "reviewed_at", "reviewed_by", "version", "meetings", "step_updates", "steps", "issues",
        ]  # fmt: skip
        read_only_fields = [
            "state", "submitted_at", "submitted_by", "return_comment", "reviewed_at", "reviewed_by",
        ]  # fmt: skip
        extra_kwargs = {"period_start": {"required": False}, "period_end": {"required": False}}
        validators = []  # one report per project and month: the service returns the existing one

    def get_steps(self, report) -> list[dict]:
        return [
            {
                "number": p.step.number, "name": p.step.name, "status": p.status, "percent_done": p.percent_done,
                "planned_start": p.planned_start, "planned_end": p.planned_end, "actual_start": p.actual_start,
                "actual_end": p.actual_end, "note": p.note, "version": p.version,
            }
            for p in report.project.step_progress.all()
        ]  # fmt: skip

    def get_issues(self, report) -> list[int] | None:
        """Nos of the register items raised or changed in the report's month (detail only, not in lists)."""
        view = self.context.get("view")
        if view is not None and getattr(view, "action", None) == "list":
            return None
        return [issue.number for issue in selectors.issues_of_month(report.project_id, report.month)]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["project"].queryset = selectors.visible_projects(request.user)
        if isinstance(self.instance, MonthlyReport):
            fields["project"].read_only = True
            fields["month"].read_only = True
            fields["reporter"].queryset = selectors.possible_reporters(self.instance.project)
        else:
            fields["version"].required = False
            fields["reporter"].queryset = User.objects.filter(
                municipality_id=getattr(getattr(request, "user", None), "municipality_id", None)
            )
        return fields


def _step_updates(report, updates):
    by_number = {p.step.number: p for p in report.project.step_progress.select_related("step")}
    result = []
    for update in updates or []:
        update = dict(update)
        number, version = update.pop("step_number"), update.pop("version")
        result.append((by_number[number], version, update))
    return result


class ReportConflict(APIException):
    """409: the project already has a report of the month (update that one with its version)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "report_exists"

    def __init__(self, exists):
        super().__init__(exists.message)
        self.detail = {"detail": self.detail, "existing_id": exists.report.pk, "current_version": exists.report.version}


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class ReturnSerializer(VersionSerializer):
    comment = serializers.CharField(allow_blank=True)


class MonthlyReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """進捗報告書. Filters: ?municipality= &department= &project= &month=YYYY-MM &state=.
    The owning department writes and submits (下書き・差戻し only); the DX office returns or accepts."""

    serializer_class = MonthlyReportSerializer
    permission_classes = [IsMunicipalUser]
    filter_backends = []

    def get_queryset(self):
        queryset = selectors.visible_reports(self.request.user).prefetch_related(
            "meetings",
            Prefetch(
                "project__step_progress", queryset=StepProgress.objects.select_related("step").order_by("step__number")
            ),
        )
        params = self.request.query_params
        ids = selectors.id_params(params)  # ?department=abc → 400 with what to fix
        for param, lookup in (("municipality", "project__municipality_id"), ("department", "project__department_id"),
                              ("project", "project_id")):  # fmt: skip
            if param in ids:
                queryset = queryset.filter(**{lookup: ids[param]})
        if params.get("state"):
            queryset = queryset.filter(state=params["state"])
        if params.get("month"):
            queryset = queryset.filter(month=selectors.month_param(params["month"]))
        return queryset.order_by("-month", "project__operation__number")

    @transaction.atomic  # a create whose content fails validation leaves no empty 下書き behind
    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        try:
            report = services.create_report(
                actor=self.request.user, project=data.pop("project"), month=data.pop("month"), exists_ok=False
            )
        except services.ReportExists as exists:  # never write over someone else's report
            raise ReportConflict(exists) from exists
        meetings, updates = data.pop("meetings", None), data.pop("step_updates", None)
        if data or meetings is not None or updates:
            report = services.save_report(
                actor=self.request.user, report=report, expected_version=report.version, data=data,
                meetings=meetings, step_updates=_step_updates(report, updates),
            )  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=report.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        meetings, updates = data.pop("meetings", None), data.pop("step_updates", None)
        report = services.save_report(
            actor=self.request.user, report=serializer.instance, expected_version=expected, data=data,
            meetings=meetings, step_updates=_step_updates(serializer.instance, updates),
        )  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=report.pk)

    def _act(self, request, func, serializer_class=VersionSerializer, **extra):
        report = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs = {"comment": body.validated_data["comment"]} if "comment" in body.validated_data else {}
        func(actor=request.user, report=report, expected_version=body.validated_data["version"], **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(request=VersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提出 (下書き・差戻し → 提出済)."""
        return self._act(request, services.submit_report)

    @extend_schema(request=ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """差戻し (提出済 → 差戻し) with the DX office's comment."""
        return self._act(request, services.return_report, ReturnSerializer)

    @extend_schema(request=VersionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """確認 (提出済 → 確認済)."""
        return self._act(request, services.accept_report)


class RiskIssueCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True, default="")

    class Meta:
        model = RiskIssueComment
        fields = ["id", "author", "author_name", "body", "created_at"]
        read_only_fields = ["author", "created_at"]


class RiskIssueSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    importance_display = serializers.CharField(source="get_importance_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    project_name = serializers.CharField(source="project.operation.name", read_only=True)
    department = serializers.IntegerField(source="project.department_id", read_only=True)
    comments = RiskIssueCommentSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = RiskIssue
        fields = [
            "id", "municipality", "project", "project_name", "department", "number", "kind", "kind_display", "step",
            "work_item", "description", "importance", "importance_display", "raised_on", "due_date", "due_reason",
            "involves_dx_office", "other_departments", "involves_vendor", "involves_consultant", "is_cross_cutting",
            "category", "category_display", "notes", "status", "status_display", "response", "completed_on",
            "is_overdue", "created_by", "created_at", "updated_at", "version", "comments",
        ]  # fmt: skip
        read_only_fields = ["municipality", "number", "is_cross_cutting", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"raised_on": {"required": False}}

    def get_is_overdue(self, issue) -> bool:
        return issue.is_overdue(selectors.today())

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["project"].queryset = selectors.visible_projects(request.user)
            fields["other_departments"].child_relation.queryset = scope_to_municipality(
                request.user, Department.objects.all()
            )
        if self.instance is not None:
            fields["project"].read_only = True
        else:
            fields["version"].required = False
        return fields

    def validate(self, attrs):
        # run the model's own rules (dates, 完了日) through the service, not here
        return attrs


class RegisterImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="課題管理表のExcelファイル（.xlsx）")
    project = serializers.PrimaryKeyRelatedField(
        queryset=MigrationProject.objects.none(), required=False, help_text="この案件の行だけを受け付けます。"
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["project"].queryset = selectors.visible_projects(request.user)
        return fields


class RiskIssueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """課題・リスク (課題管理表). Filters: ?municipality= &department= &project= &month=YYYY-MM
    &state= (or status=) &importance= &kind= &category= &cross_cutting=1 &overdue=1 &sort=."""

    serializer_class = RiskIssueSerializer
    permission_classes = [IsMunicipalUser]
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params.dict()
        if params.get("state") and not params.get("status"):
            params["status"] = params["state"]
        params.setdefault("sort", "number")
        queryset = selectors.visible_issues(self.request.user).prefetch_related(
            Prefetch("comments", queryset=RiskIssueComment.objects.select_related("author"))
        )
        if self.action != "list":
            return queryset
        return selectors.filter_issues(queryset, params)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        project = data.pop("project")
        departments = data.pop("other_departments", [])
        issue = services.create_risk_issue(
            actor=self.request.user, project=project, data=data, other_departments=departments
        )
        serializer.instance = self.get_queryset().get(pk=issue.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        departments = data.pop("other_departments", None)
        issue = services.update_risk_issue(
            actor=self.request.user, issue=serializer.instance, expected_version=expected, data=data,
            other_departments=departments,
        )  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=issue.pk)

    @extend_schema(
        request={"multipart/form-data": RegisterImportSerializer},
        responses={200: dict, 400: dict},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_register(self, request):
        """課題管理表 (xlsx) upload: rows with a No update, rows without add. All or nothing: 400 with
        every problem (row, column, message) and nothing saved."""
        from portal.imports import ImportRejected

        body = RegisterImportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        user = request.user
        require(not user.is_superuser or user.municipality_id, _("団体に所属する利用者で操作してください。"))
        try:
            result = services.import_register(
                actor=user, municipality=user.municipality, file=body.validated_data["file"],
                project=body.validated_data.get("project"),
            )  # fmt: skip
        except ImportRejected as rejected:
            return Response({"problems": rejected.as_json()}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result)

    @extend_schema(request=RiskIssueCommentSerializer, responses=RiskIssueCommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """コメント: GET lists them, POST {"body": "..."} adds one."""
        issue = self.get_object()
        if request.method == "POST":
            body = RiskIssueCommentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            comment = services.add_risk_issue_comment(actor=request.user, issue=issue, body=body.validated_data["body"])
            return Response(RiskIssueCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = issue.comments.select_related("author")
        return Response(RiskIssueCommentSerializer(comments, many=True).data)


routes += [
    ("reports", MonthlyReportViewSet, "report"),
    ("issues", RiskIssueViewSet, "issue"),
]
