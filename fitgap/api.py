"""/api/v1/requirement-catalogues/, /api/v1/requirements/ and /api/v1/gaps/: the same permissions as the
pages (departments edit their own projects' analyses, the DX office everything, managers read, vendors none)."""

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from fitgap import selectors, services
from fitgap.models import Catalogue, GapItem, Requirement
from portal.api import VersionedSerializerMixin, pop_version
from portal.permissions import IsMunicipalUser


class CatalogueSerializer(serializers.ModelSerializer):
    operation_name = serializers.CharField(source="operation.name", read_only=True)
    previous_version_label = serializers.CharField(source="previous.version_label", read_only=True, default=None)

    class Meta:
        model = Catalogue
        fields = [
            "id", "operation", "operation_name", "title", "version_label", "published_on", "previous",
            "previous_version_label", "imported_at",
        ]  # fmt: skip


class RequirementSerializer(serializers.ModelSerializer):
    operation = serializers.IntegerField(source="catalogue.operation_id", read_only=True)
    version_label = serializers.CharField(source="catalogue.version_label", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id", "catalogue", "operation", "version_label", "function_id", "name", "category", "category_display",
            "level", "level_display", "content", "notes", "sort_order",
        ]  # fmt: skip


class RequirementFilter(django_filters.FilterSet):
    operation = django_filters.NumberFilter(field_name="catalogue__operation", label="標準化対象業務（ID）")
    version = django_filters.CharFilter(field_name="catalogue__version_label", label="版（例: 第5.0版）")

    class Meta:
        model = Requirement
        fields = ["catalogue", "operation", "version", "category", "level"]


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """標準仕様書の版（要件カタログ）. Imported by the DX office from the page (xlsx / csv)."""

    serializer_class = CatalogueSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["operation", "version_label"]

    def get_queryset(self):
        return selectors.visible_catalogues(self.request.user).order_by("operation__number", "-imported_at")


class RequirementViewSet(viewsets.ReadOnlyModelViewSet):
    """要件: filter with ?operation=ID&version=第5.0版 or ?catalogue=ID."""

    serializer_class = RequirementSerializer
    permission_classes = [IsMunicipalUser]
    filterset_class = RequirementFilter

    def get_queryset(self):
        return selectors.visible_requirements(self.request.user).order_by("catalogue_id", "sort_order", "function_id")


class GapItemSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    project = serializers.IntegerField(source="analysis.project_id", required=False)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    judgement_display = serializers.CharField(source="get_judgement_display", read_only=True)
    impact_display = serializers.CharField(source="get_impact_display", read_only=True)
    policy_display = serializers.CharField(source="get_policy_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    function_name = serializers.CharField(source="display_title", read_only=True)
    requirement_level = serializers.CharField(source="requirement.level", read_only=True, default=None)
    risk_issue_number = serializers.IntegerField(source="risk_issue.number", read_only=True, default=None)
    key = serializers.CharField(required=False, allow_blank=True, max_length=50)

    class Meta:
        model = GapItem
        fields = [
            "id", "project", "kind", "kind_display", "key", "requirement", "requirement_level", "function_name",
            "title", "description", "comparison_status", "current_support", "judgement", "judgement_display",
            "option_choice", "impact", "impact_display", "impact_description", "policy", "policy_display", "owner",
            "due_date", "status", "status_display", "decision", "needs_review", "risk_issue", "risk_issue_number",
            "version",
        ]  # fmt: skip
        read_only_fields = ["requirement", "needs_review", "risk_issue"]
        validators = []  # the key's uniqueness is checked by the service

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in ("project", "kind", "key"):
                fields[name].read_only = True
        else:
            fields["version"].required = False
            fields["project"].required = True
        return fields


class SummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    gaps = serializers.IntegerField()
    decided = serializers.IntegerField()
    percent_decided = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class BulkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class BulkSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    items = BulkRowSerializer(many=True, allow_empty=False)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=50)
    due_date = serializers.DateField(required=False, allow_null=True)
    updated = serializers.IntegerField(read_only=True)


class GapItemFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="analysis__project", label="移行案件（ID）")

    class Meta:
        model = GapItem
        fields = ["project", "kind", "judgement", "status", "impact", "policy", "needs_review"]


class GapItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Fit & Gap分析の行. PATCH the judgement fields with the version you read (409 if someone saved first);
    POST adds a カスタマイズ / 機能比較表 row to a project's analysis ({"project", "kind", "title", …})."""

    serializer_class = GapItemSerializer
    permission_classes = [IsMunicipalUser]
    filterset_class = GapItemFilter
    ordering_fields = ["sort_order", "due_date", "key"]

    def get_queryset(self):
        return selectors.visible_items(self.request.user).order_by("analysis_id", "sort_order", "key")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        project_id = data.pop("analysis")["project_id"]
        analysis = selectors.visible_analyses(self.request.user).filter(project_id=project_id).first()
        if analysis is None:
            raise Http404(_("この移行案件のFit & Gap分析はありません。"))
        kind, key = data.pop("kind"), data.pop("key", "")
        serializer.instance = services.add_item(
            actor=self.request.user, analysis=analysis, kind=kind, key=key, data=data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_item(
            actor=self.request.user, item=serializer.instance, expected_version=expected, data=data
        )

    def perform_destroy(self, instance):
        """DELETE ?version=N: only カスタマイズ / 機能比較表 rows."""
        version = self.request.query_params.get("version", "")
        if not version.isdigit():
            raise serializers.ValidationError(
                {"version": [_("削除時は読み込んだ時点の版数（?version=）を指定してください。")]}
            )
        services.delete_item(actor=self.request.user, item=instance, expected_version=int(version))

    def _analysis(self, project_id):
        analysis = selectors.visible_analyses(self.request.user).filter(project_id=project_id).first()
        if analysis is None:
            raise Http404(_("この移行案件のFit & Gap分析はありません。"))
        return analysis

    @extend_schema(responses=SummarySerializer)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def summary(self, request):
        """集計: ?project=ID for one analysis, without it the whole municipality. Counts by 判定 (all rows)
        and by 影響度, 対応方針, 検討状況 (gaps), and the percent of gaps decided."""
        project_id = request.query_params.get("project")
        if project_id:
            if not str(project_id).isdigit():
                raise serializers.ValidationError({"project": [_("移行案件のIDを数字で指定してください。")]})
            summary = selectors.analysis_summary(self._analysis(int(project_id)))
        else:
            summary, _projects = selectors.municipality_summary(request.user)
        return Response(SummarySerializer(summary).data)

    @extend_schema(request=BulkSerializer, responses=BulkSerializer)
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def bulk(self, request):
        """一括変更: {"project": ID, "items": [{"id": …, "version": …}], "owner": "…", "due_date": "…"}.
        All rows or none (409 if one of them was changed since it was read)."""
        serializer = BulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        analysis = self._analysis(data["project"])
        versions = {row["id"]: row["version"] for row in data["items"]}
        items = {i.id: i for i in analysis.items.filter(pk__in=versions)}
        missing = sorted(set(versions) - set(items))
        if missing:
            raise serializers.ValidationError({"items": [_("この分析にない行です: %(ids)s") % {"ids": missing}]})
        count = services.bulk_update(
            actor=request.user,
            analysis=analysis,
            rows=[(items[i], v) for i, v in versions.items()],
            owner=data.get("owner"),
            due_date=data.get("due_date"),
        )
        return Response({**serializer.data, "updated": count})


routes = [
    ("requirement-catalogues", CatalogueViewSet, "requirement-catalogue"),
    ("requirements", RequirementViewSet, "requirement"),
    ("gaps", GapItemViewSet, "gap"),
]
