"""REST endpoints of the ecosystem inventory: each one a thin view over the tenancy chokepoint."""

from django.db.models.deletion import ProtectedError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets

from forceb.core import access, actions
from forceb.core.api.base import OwnedModelViewSet
from forceb.core.choices import Role

from .. import filters
from ..models import BusinessService, Dependency, Supplier, SupplierRelationship, System
from . import serializers


def _described(noun: str, plural: str):
    return extend_schema_view(
        list=extend_schema(description=f"List the {plural} you may see: your organisation's and those shared with it."),
        retrieve=extend_schema(description=f"One {noun}; 404 when it is outside your reach."),
        create=extend_schema(description=f"Create a {noun} owned by your organisation."),
        update=extend_schema(description=f"Replace a {noun} of your organisation."),
        partial_update=extend_schema(description=f"Change fields of a {noun} of your organisation."),
        destroy=extend_schema(description=f"Delete a {noun} of your organisation."),
    )


@_described("business service", "business services")
class BusinessServiceViewSet(OwnedModelViewSet):
    model = BusinessService
    serializer_class = serializers.BusinessServiceSerializer
    filterset_class = filters.BusinessServiceFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "criticality", "created"]
    select_related_fields = ("owner",)


@_described("ICT system", "ICT systems")
class SystemViewSet(OwnedModelViewSet):
    model = System
    serializer_class = serializers.SystemSerializer
    filterset_class = filters.SystemFilter
    search_fields = ["name", "description", "owner_team"]
    ordering_fields = ["name", "created"]
    select_related_fields = ("owner", "cloud_provider")


@_described("supplier relationship", "supplier relationships")
class SupplierRelationshipViewSet(OwnedModelViewSet):
    model = SupplierRelationship
    serializer_class = serializers.SupplierRelationshipSerializer
    filterset_class = filters.SupplierRelationshipFilter
    search_fields = ["supplier__name", "services"]
    ordering_fields = ["created"]
    select_related_fields = ("owner", "supplier")


@_described("dependency", "dependencies")
class DependencyViewSet(OwnedModelViewSet):
    model = Dependency
    serializer_class = serializers.DependencySerializer
    filterset_class = filters.DependencyFilter
    ordering_fields = ["created", "kind"]
    select_related_fields = ("owner", "source_service", "source_system", "source_supplier", "target_system",
                             "target_supplier")


@extend_schema_view(
    list=extend_schema(description="The sector-wide supplier registry: one record per supplier, visible to all."),
    retrieve=extend_schema(description="One supplier of the registry."),
    create=extend_schema(description="Add a supplier to the registry (any role that writes)."),
    update=extend_schema(description="Correct a registry entry (hub analysts and platform admins)."),
    partial_update=extend_schema(description="Correct fields of a registry entry (hub analysts and platform admins)."),
    destroy=extend_schema(description="Remove an unused registry entry (hub analysts and platform admins)."),
)
class SupplierViewSet(viewsets.ModelViewSet):
    access_policy = access.SIGNED_IN
    queryset = Supplier.objects.all()
    serializer_class = serializers.SupplierSerializer
    filterset_class = filters.SupplierFilter
    search_fields = ["name", "registry_id", "services_provided"]
    ordering_fields = ["name", "created"]

    @property
    def write_roles(self):
        # Members add suppliers they use; the shared record is curated by the hub.
        if self.action == "create":
            return {Role.MEMBER_ADMIN, Role.MEMBER_ANALYST, Role.HUB_ANALYST, Role.PLATFORM_ADMIN}
        return {Role.HUB_ANALYST, Role.PLATFORM_ADMIN}

    def perform_destroy(self, instance):
        try:
            actions.delete_object(instance)
        except ProtectedError as exc:
            raise exceptions.ValidationError("this supplier is still in use") from exc
