from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal import selectors
from portal.concurrency import StaleObjectError
from portal.models import Department, Job, Municipality
from portal.permissions import IsMunicipalUser


def exception_handler(exc, context):
    """Model validation errors become 400 with field names; stale saves become 409 Conflict."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleObjectError):
        return Response(
            {
                "detail": exc.message,
                "current_version": exc.current.version,
                "changes": [{"field": label, "seen": old, "current": new} for label, old, new in exc.changes],
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


class VersionedSerializerMixin(serializers.Serializer):
    """Writes must send the version they were based on (optimistic locking)."""

    version = serializers.IntegerField(
        help_text="読み込んだ時点の版数。更新時に必須。他の利用者が先に更新していれば 409 を返します。"
    )


def pop_version(validated_data: dict) -> int:
    """The version an update is based on; PATCH must send it too."""
    if "version" not in validated_data:
        raise serializers.ValidationError(
            {"version": [_("更新時は読み込んだ時点の版数（version）を指定してください。")]}
        )
    return validated_data.pop("version")


class MunicipalitySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Municipality
        fields = ["id", "name", "code", "prefecture", "kind", "kind_display", "report_due_day",
                  "budget_request_month", "budget_request_day", "contract_warning_months"]  # fmt: skip
        read_only_fields = ["name", "code", "prefecture", "kind"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "municipality", "name", "is_dx_office", "sort_order"]
        read_only_fields = ["municipality", "is_dx_office"]
        validators = []  # the name's uniqueness within the municipality is checked by the service


class JobSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "params",
            "state",
            "state_display",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
            "result_name",
            "error",
            "download_url",
        ]

    def get_download_url(self, job) -> str | None:
        from django.urls import reverse

        return reverse("job_download", args=[job.id]) if job.result_file else None


class MunicipalityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """団体. The DX office changes its own municipality's settings (PATCH)."""

    serializer_class = MunicipalitySerializer
    permission_classes = [IsMunicipalUser]

    def get_queryset(self):
        return selectors.visible_municipalities(self.request.user)

    def perform_update(self, serializer):
        from portal.services import update_municipality_settings

        serializer.instance = update_municipality_settings(
            actor=self.request.user, municipality=serializer.instance, data=dict(serializer.validated_data)
        )


class DepartmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """部署. The DX office adds and renames departments of its municipality."""

    serializer_class = DepartmentSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["is_dx_office"]

    def get_queryset(self):
        return selectors.visible_departments(self.request.user)

    def perform_create(self, serializer):
        from portal.services import save_department

        data = serializer.validated_data
        serializer.instance = save_department(
            actor=self.request.user,
            municipality=self.request.user.municipality,
            name=data["name"],
            sort_order=data.get("sort_order", 0),
        )

    def perform_update(self, serializer):
        from portal.services import save_department

        department = serializer.instance
        data = serializer.validated_data
        serializer.instance = save_department(
            actor=self.request.user,
            municipality=department.municipality,
            department=department,
            name=data.get("name", department.name),
            sort_order=data.get("sort_order", department.sort_order),
        )


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Recorded long-running work (exports, imports, reports). POST {"kind", "params"} starts one."""

    serializer_class = JobSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["kind", "state"]

    def get_queryset(self):
        return selectors.visible_jobs(self.request.user)

    def create(self, request, *args, **kwargs):
        from portal.dashboard.exports import clean_params, export_of_kind
        from portal.jobs import job_kinds
        from portal.services import start_job

        kind = request.data.get("kind")
        if kind not in job_kinds():
            return Response(
                {"kind": [_("処理の種類は次のいずれかです: %(kinds)s") % {"kinds": ", ".join(job_kinds())}]}, status=400
            )
        params = request.data.get("params") or {}
        if not isinstance(params, dict):
            return Response({"params": [_("条件はオブジェクトで指定してください。")]}, status=400)
        export = export_of_kind(kind)
        if export is not None:  # a list export keeps only its list's filters, as the pages do
            params = clean_params(export, params)
        job = start_job(actor=request.user, municipality=request.user.municipality, kind=kind, params=params)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)


routes = [
    ("municipalities", MunicipalityViewSet, "municipality"),
    ("departments", DepartmentViewSet, "department"),
    ("jobs", JobViewSet, "job"),
]


def _dashboard_routes():
    from portal.dashboard.api import routes as dashboard_routes

    return dashboard_routes


routes += _dashboard_routes()
