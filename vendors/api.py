from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from migration.models import MigrationProject
from portal.api import VersionedSerializerMixin, pop_version
from portal.concurrency import StaleObjectError
from portal.history import changes_since_version
from portal.imports import ImportRejected
from portal.permissions import IsMunicipalUser, is_municipal_user, require, scope_to_municipality
from vendors import permissions as perms
from vendors import selectors, services
from vendors.models import Contract, Rfi, RfiInvitation, RfiResponse, Rfp, Vendor


def _is_id(value) -> bool:
    """A positive whole number sent as text or a number ("²" and a thousand digits are not)."""
    text = str(value if value is not None else "")
    return text.isascii() and text.isdecimal() and len(text) <= 18


def _download_url(request, kind, stored):
    return request.build_absolute_uri(reverse("vendors:download", args=[kind, stored.id]))


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj):
        return _download_url(self.context["request"], self.context["file_kind"], obj)


class VendorSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "corporate_number", "address", "contact_name", "contact_email", "contact_phone",
                  "version"]  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        fields["version"].required = False
        return fields


class InviteSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class ContractSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["id", "municipality", "vendor", "vendor_name", "package_name", "kind", "kind_display", "amount",
                  "start_date", "end_date", "projects", "notes", "documents", "version"]  # fmt: skip
        read_only_fields = ["municipality"]

    def get_documents(self, obj):
        context = {**self.context, "file_kind": "contract"}
        return FileSerializer(obj.documents.all(), many=True, context=context).data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["projects"].child_relation.queryset = scope_to_municipality(
                request.user, MigrationProject.objects.all()
            )
        if self.instance is None:
            fields["version"].required = False
        return fields


class VendorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """ベンダ. Municipal staff read the shared registry, the DX office adds companies and invites their
    staff; vendor staff see their own company."""

    serializer_class = VendorSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.visible_vendors(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_vendor(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_vendor(
            actor=self.request.user, vendor=serializer.instance, expected_version=expected, data=data
        )

    @action(detail=True, methods=["post"], serializer_class=InviteSerializer)
    def invite(self, request, pk=None):
        """Create a staff account of this vendor and e-mail the one-time link to set its password."""
        vendor = self.get_object()
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.invite_vendor_user(actor=request.user, vendor=vendor, **serializer.validated_data)
        return Response({"id": user.id, "username": user.username}, status=status.HTTP_201_CREATED)


class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """契約. Municipal staff see their municipality's, the DX office creates and changes them;
    vendor staff read their own company's contracts."""

    serializer_class = ContractSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["vendor", "projects", "kind"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return selectors.visible_contracts(self.request.user)

    def perform_create(self, serializer):
        require(is_municipal_user(self.request.user))
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_contract(
            actor=self.request.user, municipality=self.request.user.municipality, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_contract(
            actor=self.request.user, contract=serializer.instance, expected_version=expected, data=data
        )

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def documents(self, request, pk=None):
        """Upload a contract document (multipart field ``file``)."""
        contract = self.get_object()
        if "file" not in request.FILES:
            return Response({"file": [_("ファイルを選んでください。")]}, status=status.HTTP_400_BAD_REQUEST)
        stored = services.add_contract_document(actor=request.user, contract=contract, file=request.FILES["file"])
        data = FileSerializer(stored, context={"request": request, "file_kind": "contract"}).data
        return Response(data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------
# RFI
# ---------------------------------------------------------------------------
class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    text = serializers.CharField()
    is_standard = serializers.BooleanField(read_only=True)


class InvitationSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    answer_deadline = serializers.DateField(read_only=True)
    submitted_versions = serializers.SerializerMethodField()

    class Meta:
        model = RfiInvitation
        fields = ["id", "vendor", "vendor_name", "reopened_until", "answer_deadline", "submitted_versions"]

    def get_submitted_versions(self, obj):
        return sum(1 for r in obj.responses.all() if r.state == RfiResponse.State.SUBMITTED)


class RfiSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()
    invitations = InvitationSerializer(many=True, read_only=True)
    vendors = serializers.PrimaryKeyRelatedField(
        many=True, write_only=True, required=False, queryset=Vendor.objects.all()
    )

    class Meta:
        model = Rfi
        fields = ["id", "municipality", "municipality_name", "title", "description", "projects", "deadline",
                  "state", "state_display", "sent_at", "questions", "attachments", "invitations", "vendors",
                  "version"]  # fmt: skip
        read_only_fields = ["municipality", "state", "sent_at"]

    def get_attachments(self, obj):
        return FileSerializer(obj.attachments.all(), many=True, context={**self.context, "file_kind": "rfi"}).data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["projects"].child_relation.queryset = scope_to_municipality(
                request.user, MigrationProject.objects.all()
            )
        if self.instance is None or isinstance(self.instance, list | tuple) or not hasattr(self.instance, "pk"):
            fields["version"].required = False
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and perms.is_vendor_user(request.user):
            # A vendor never learns which other vendors were invited, nor the municipality's projects.
            data.pop("invitations", None)
            data.pop("projects", None)
            mine = next((i for i in instance.invitations.all() if i.vendor_id == request.user.vendor_id), None)
            data["my_invitation"] = mine.id if mine else None
            data["answer_deadline"] = mine.answer_deadline() if mine else None
        return data


class ReopenSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    until = serializers.DateField()


class VersionOnlySerializer(serializers.Serializer):
    version = serializers.IntegerField()


class RfiViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """情報提供依頼. The DX office creates, edits and sends them; invited vendors read the sent ones."""

    serializer_class = RfiSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        return selectors.visible_rfis(self.request.user).prefetch_related(
            "questions", "attachments", "invitations__vendor", "invitations__responses", "projects"
        )

    def perform_create(self, serializer):
        require(is_municipal_user(self.request.user))
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_rfi(
            actor=self.request.user, municipality=self.request.user.municipality, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = pop_version(data)
        serializer.instance = services.update_rfi(
            actor=self.request.user, rfi=serializer.instance, expected_version=expected, data=data
        )

    @action(detail=True, methods=["post"], serializer_class=VersionOnlySerializer)
    def send(self, request, pk=None):
        """Send the RFI to the invited vendors (invitation e-mails)."""
        rfi = self.get_object()
        serializer = VersionOnlySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rfi = services.send_rfi(actor=request.user, rfi=rfi, expected_version=serializer.validated_data["version"])
        return Response(RfiSerializer(rfi, context={"request": request}).data)

    @action(detail=True, methods=["post"], serializer_class=QuestionSerializer)
    def questions(self, request, pk=None):
        """Add a free question (before sending)."""
        rfi = self.get_object()
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.add_rfi_question(actor=request.user, rfi=rfi, text=serializer.validated_data["text"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """Attach a document to the RFI (multipart field ``file``)."""
        rfi = self.get_object()
        if "file" not in request.FILES:
            return Response({"file": [_("ファイルを選んでください。")]}, status=status.HTTP_400_BAD_REQUEST)
        stored = services.add_rfi_attachment(actor=request.user, rfi=rfi, file=request.FILES["file"])
        data = FileSerializer(stored, context={"request": request, "file_kind": "rfi"}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        """Reopen answering for one vendor until a given day."""
        rfi = self.get_object()
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = get_object_or_404(rfi.invitations, vendor=serializer.validated_data["vendor"])
        services.reopen_invitation(actor=request.user, invitation=invitation, until=serializer.validated_data["until"])
        return Response(InvitationSerializer(invitation).data)

    @action(detail=True, methods=["get"], permission_classes=[IsMunicipalUser])
    def comparison(self, request, pk=None):
        """All vendors' latest submitted answers side by side, with totals and the lowest per row."""
        rfi = self.get_object()
        data = selectors.rfi_comparison(rfi)
        return Response(
            {
                "vendors": [{"id": v.id, "name": v.name} for v in data["vendors"]],
                "not_answered": [{"id": v.id, "name": v.name} for v in data["missing"]],
                "questions": [
                    {
                        "number": q["question"].number,
                        "text": q["question"].text,
                        "answers": [{"gov_cloud": g, "local_cloud": local} for g, local in q["answers"]],
                    }
                    for q in data["questions"]
                ],
                "costs": [
                    {"label": r.label, "values": r.values, "lowest": sorted(r.lowest)}
                    for r in [*data["cost_rows"], *data["total_rows"]]
                ],
            }
        )


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    gov_cloud = serializers.CharField(allow_blank=True, required=False, default="")
    local_cloud = serializers.CharField(allow_blank=True, required=False, default="")


class CostLineSerializer(serializers.Serializer):
    system_type = serializers.CharField()
    environment = serializers.CharField()
    category = serializers.CharField()
    amount = serializers.JSONField(help_text="円（税込）の整数、0以上")
    description = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=services.DESCRIPTION_MAX
    )


class RfiResponseSerializer(serializers.ModelSerializer):
    rfi = serializers.IntegerField(source="invitation.rfi_id", read_only=True)
    vendor = serializers.IntegerField(source="invitation.vendor_id", read_only=True)
    vendor_name = serializers.CharField(source="invitation.vendor.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    answers = serializers.SerializerMethodField()
    cost_lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = RfiResponse
        fields = ["id", "rfi", "vendor", "vendor_name", "number", "state", "state_display", "submitted_at",
                  "updated_at", "answers", "cost_lines", "totals", "files", "version"]  # fmt: skip

    def get_answers(self, obj):
        return [{"question": a.question_id, "gov_cloud": a.gov_cloud, "local_cloud": a.local_cloud}
                for a in obj.answers.all()]  # fmt: skip

    def get_cost_lines(self, obj):
        return [{"system_type": c.system_type, "environment": c.environment, "category": c.category,
                 "amount": c.amount, "description": c.description} for c in obj.cost_lines.all()]  # fmt: skip

    def get_totals(self, obj):
        totals = selectors.cost_totals(selectors.cost_cells(obj))
        return [{"system_type": s, "environment": e, **values} for (s, e), values in totals.items()]

    def get_files(self, obj):
        return FileSerializer(obj.files.all(), many=True, context={**self.context, "file_kind": "response"}).data


class ResponseWriteSerializer(serializers.Serializer):
    rfi = serializers.IntegerField(required=False, help_text="新しく回答を始めるときのRFI")
    answers = AnswerSerializer(many=True, required=False)
    cost_lines = CostLineSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False, help_text="更新する下書き（または提出済みの版）の版数")


class RfiResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """RFIの回答. Vendor staff save drafts (POST to start, PUT on the latest version; a PUT on a submitted
    version starts a new version), add files and submit. Municipal staff read the submitted versions."""

    serializer_class = RfiResponseSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state", "number"]

    def get_queryset(self):
        qs = selectors.visible_responses(self.request.user).prefetch_related("answers", "cost_lines", "files")
        rfi = self.request.query_params.get("rfi")
        if rfi and rfi.isdecimal() and rfi.isascii():
            qs = qs.filter(invitation__rfi_id=int(rfi))
        return qs

    def _invitation_for_rfi(self, rfi_id):
        require(perms.is_vendor_user(self.request.user), _("RFIに回答できるのはベンダの担当者です。"))
        return get_object_or_404(selectors.visible_invitations(self.request.user), rfi_id=rfi_id)

    def _save(self, request, invitation, based_on):
        serializer = ResponseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers = None
        if "answers" in data:
            answers = {a["question"]: (a["gov_cloud"], a["local_cloud"]) for a in data["answers"]}
        response = services.save_response(
            actor=request.user,
            invitation=invitation,
            answers=answers,
            cost_lines=data.get("cost_lines"),
            based_on_id=based_on.id if based_on else None,
            expected_version=data.get("version", based_on.version if based_on else None),
        )
        return self.get_serializer(selectors.visible_responses(request.user).get(pk=response.pk))

    def create(self, request):
        rfi_id = request.data.get("rfi")
        if not _is_id(rfi_id):
            return Response({"rfi": [_("回答するRFIを指定してください。")]}, status=status.HTTP_400_BAD_REQUEST)
        invitation = self._invitation_for_rfi(int(rfi_id))
        latest = invitation.responses.order_by("-number").first()
        serializer = self._save(request, invitation, latest)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        response = self.get_object()
        require(perms.is_vendor_user(request.user), _("RFIの回答を変更できるのはベンダの担当者です。"))
        if "version" not in request.data:
            return Response({"version": [_("更新時は読み込んだ時点の版数（version）を指定してください。")]}, status=400)
        serializer = self._save(request, response.invitation, response)
        return Response(serializer.data)

    partial_update = update

    @action(detail=True, methods=["post"], serializer_class=VersionOnlySerializer)
    def submit(self, request, pk=None):
        """Submit this draft (a receipt e-mail is sent)."""
        response = self.get_object()
        require(perms.is_vendor_user(request.user), _("RFIの回答を提出できるのはベンダの担当者です。"))
        serializer = VersionOnlySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expected = serializer.validated_data["version"]
        # Before anything is written: this version must be the latest draft, at the version the client read.
        latest = response.invitation.responses.order_by("-number").first()
        if problem := services.not_latest_draft_problem(response, latest):
            raise services.NotTheLatestDraft(latest, problem)
        if response.version != expected:
            raise StaleObjectError(response, changes_since_version(response, expected))
        submitted = services.submit_response(
            actor=request.user, invitation=response.invitation, expected_version=expected, response_id=response.pk
        )
        fresh = selectors.visible_responses(request.user).get(pk=submitted.pk)
        return Response(RfiResponseSerializer(fresh, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def files(self, request, pk=None):
        """Attach a file (multipart field ``file``, and ``version``) to this version's draft."""
        response = self.get_object()
        require(perms.is_vendor_user(request.user), _("ファイルを添付できるのはベンダの担当者です。"))
        if "file" not in request.FILES:
            return Response({"file": [_("ファイルを選んでください。")]}, status=status.HTTP_400_BAD_REQUEST)
        version = request.data.get("version")
        stored = services.add_response_file(
            actor=request.user,
            invitation=response.invitation,
            file=request.FILES["file"],
            based_on_id=response.id,
            expected_version=int(version) if _is_id(version) else response.version,
        )
        data = FileSerializer(stored, context={"request": request, "file_kind": "response"}).data
        return Response({**data, "response": stored.response_id}, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="import-costs", parser_classes=[MultiPartParser])
    def import_costs(self, request):
        """Upload the filled cost-table template (fields ``rfi`` and ``file``); all-or-nothing."""
        rfi_id = request.data.get("rfi")
        if not _is_id(rfi_id) or "file" not in request.FILES:
            return Response({"detail": _("rfi と file を指定してください。")}, status=status.HTTP_400_BAD_REQUEST)
        invitation = self._invitation_for_rfi(int(rfi_id))
        latest = invitation.responses.order_by("-number").first()
        try:
            response = services.import_cost_table(
                actor=request.user,
                invitation=invitation,
                file=request.FILES["file"],
                based_on_id=latest.id if latest else None,
                expected_version=latest.version if latest else None,
            )
        except ImportRejected as rejected:
            return Response({"problems": rejected.as_json()}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(selectors.visible_responses(request.user).get(pk=response.pk)).data)


# ---------------------------------------------------------------------------
# RFP and selection
# ---------------------------------------------------------------------------
class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    weight = serializers.IntegerField(min_value=1)
    max_score = serializers.IntegerField(min_value=1, default=5)


class RfpSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    ranking = serializers.SerializerMethodField()
    selected_vendor_name = serializers.CharField(source="selected_vendor.name", read_only=True, default=None)

    class Meta:
        model = Rfp
        fields = ["id", "municipality", "title", "rfi", "projects", "vendors", "criteria", "ranking",
                  "selected_vendor", "selected_vendor_name", "decision_reason", "decided_on", "contract",
                  "version"]  # fmt: skip
        read_only_fields = ["municipality", "selected_vendor", "decision_reason", "decided_on", "contract"]

    def get_ranking(self, obj):
        return [{"vendor": r["vendor"].id, "vendor_name": r["vendor"].name, "total": r["total"], "rank": r["rank"]}
                for r in selectors.rfp_ranking(obj)]  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["projects"].child_relation.queryset = scope_to_municipality(
                request.user, MigrationProject.objects.all()
            )
            fields["rfi"].queryset = scope_to_municipality(request.user, Rfi.objects.all())
        fields["version"].required = False
        return fields


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    vendor = serializers.IntegerField()
    score = serializers.IntegerField(min_value=0, allow_null=True)


class SelectionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    reason = serializers.CharField()
    decided_on = serializers.DateField()
    package_name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Contract.Kind.choices, default=Contract.Kind.INTRODUCTION)
    amount = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class RfpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """提案依頼 and ベンダ選定 of the user's municipality (not visible to vendors)."""

    serializer_class = RfpSerializer
    permission_classes = [IsMunicipalUser]

    def get_queryset(self):
        return selectors.visible_rfps(self.request.user).prefetch_related("criteria", "projects", "vendors")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.create_rfp(
            actor=self.request.user, municipality=self.request.user.municipality, **data
        )

    @action(detail=True, methods=["post"], serializer_class=CriterionSerializer)
    def criteria(self, request, pk=None):
        rfp = self.get_object()
        serializer = CriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = services.add_criterion(actor=request.user, rfp=rfp, **serializer.validated_data)
        return Response(CriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ScoreSerializer)
    def scores(self, request, pk=None):
        """The signed-in evaluator's scores: a list of {criterion, vendor, score}."""
        rfp = self.get_object()
        serializer = ScoreSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        scores = {(s["criterion"], s["vendor"]): s["score"] for s in serializer.validated_data}
        services.save_scores(actor=request.user, rfp=rfp, scores=scores)
        return Response(RfpSerializer(rfp, context={"request": request}).data)

    @action(detail=True, methods=["post"], serializer_class=SelectionSerializer)
    def select(self, request, pk=None):
        """Record the selected vendor: creates/updates the contract and sets the projects' migration pattern."""
        rfp = self.get_object()
        serializer = SelectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        rfp = services.record_selection(actor=request.user, rfp=rfp, expected_version=data.pop("version"), **data)
        return Response(RfpSerializer(rfp, context={"request": request}).data)


routes = [
    ("vendors", VendorViewSet, "vendor"),
    ("contracts", ContractViewSet, "contract"),
    ("rfis", RfiViewSet, "rfi"),
    ("rfi-responses", RfiResponseViewSet, "rfi-response"),
    ("rfps", RfpViewSet, "rfp"),
]
