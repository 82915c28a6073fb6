from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from migration import selectors, services
from migration.models import MigrationProject, ProcedureStep, StepProgress, TargetOperation
from portal.api import VersionedSerializerMixin, pop_version
from portal.models import Department
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
        require(not user.is_superuser or user.municipality_id, "団体に所属する利用者で操作してください。")
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
