from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from migration.models import MigrationProject
from portal.api import VersionedSerializerMixin, pop_version
from portal.permissions import IsMunicipalUser, scope_to_municipality
from vendors import selectors, services
from vendors.models import Contract, Vendor


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "corporate_number",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]


class ContractSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "municipality",
            "vendor",
            "vendor_name",
            "package_name",
            "start_date",
            "end_date",
            "projects",
            "notes",
            "version",
        ]
        read_only_fields = ["municipality"]

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


class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """ベンダ. Municipal staff read the shared registry, the DX office adds companies; vendor staff see their own."""

    serializer_class = VendorSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.visible_vendors(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_vendor(actor=self.request.user, **serializer.validated_data)


class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """契約 of the user's municipality; the DX office creates and changes them."""

    serializer_class = ContractSerializer
    permission_classes = [IsMunicipalUser]
    filterset_fields = ["vendor", "projects"]

    def get_queryset(self):
        return selectors.visible_contracts(self.request.user)

    def perform_create(self, serializer):
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


routes = [("vendors", VendorViewSet, "vendor"), ("contracts", ContractViewSet, "contract")]
