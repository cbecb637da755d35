"""REST endpoints of the ecosystem inventory: each one a thin view over the tenancy chokepoint."""

from django.db.models.deletion import ProtectedError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from forceb.core import access
from forceb.core import actions as core_actions
from forceb.core.api.base import OwnedModelViewSet
from forceb.core.choices import Role

from .. import actions, filters, io
from ..models import BusinessService, Dependency, Supplier, SupplierRelationship, System
from . import serializers as s


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
    serializer_class = s.BusinessServiceSerializer
    filterset_class = filters.BusinessServiceFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "criticality", "created"]
    select_related_fields = ("owner",)


@_described("ICT system", "ICT systems")
class SystemViewSet(OwnedModelViewSet):
    model = System
    serializer_class = s.SystemSerializer
    filterset_class = filters.SystemFilter
    search_fields = ["name", "description", "owner_team"]
    ordering_fields = ["name", "created"]
    select_related_fields = ("owner", "cloud_provider")


@_described("supplier relationship", "supplier relationships")
class SupplierRelationshipViewSet(OwnedModelViewSet):
    model = SupplierRelationship
    serializer_class = s.SupplierRelationshipSerializer
    filterset_class = filters.SupplierRelationshipFilter
    search_fields = ["supplier__name", "services"]
    ordering_fields = ["created"]
    select_related_fields = ("owner", "supplier")


@_described("dependency", "dependencies")
class DependencyViewSet(OwnedModelViewSet):
    model = Dependency
    serializer_class = s.DependencySerializer
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
    serializer_class = s.SupplierSerializer
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
            core_actions.delete_object(instance)
        except ProtectedError as exc:
            raise exceptions.ValidationError("this supplier is still in use") from exc


# -- bulk import and export ------------------------------------------------------------------------

class _FormatIsTheFileFormat:
    """Here ``?format=`` names the file format (csv, json), not DRF's response renderer."""

    URL_FORMAT_OVERRIDE = None


class FileFormatNegotiation(DefaultContentNegotiation):
    settings = _FormatIsTheFileFormat()


class RawFileParser(BaseParser):
    """The request body as the file itself (``Content-Type: text/csv`` or ``application/json``)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        # Read one byte past the limit so that io.read can say the file is too large.
        return {"file": stream.read(io.max_bytes() + 1) if stream is not None else b""}


def _file_params(request, upload=None) -> tuple[str, str | None]:
    """The file format and kind: from ``?format=`` / ``?kind=``, else guessed from the file name or type."""
    fmt = request.query_params.get("format")
    kind = request.query_params.get("kind") or None
    name = getattr(upload, "name", "") or ""
    stem, _, suffix = name.rpartition(".")
    if not fmt:
        content_type = getattr(upload, "content_type", None) or request.content_type or ""
        fmt = suffix.lower() if suffix.lower() in io.FORMATS else (
            "csv" if "csv" in content_type else "json" if "json" in content_type else "")
    if kind is None and stem.rsplit("/", 1)[-1] in io.KINDS:
        kind = stem.rsplit("/", 1)[-1]
    return fmt, kind


FORMAT_PARAM = OpenApiParameter("format", str, enum=list(io.FORMATS),
                                description="File format; guessed from the file name or content type when absent")
KIND_PARAM = OpenApiParameter("kind", str, enum=list(io.KINDS),
                              description="The kind a CSV file holds (required for CSV); limits a JSON document")


class InventoryImportView(APIView):
    """Import a CSV file (one kind) or a JSON document into your organisation's inventory."""

    access_policy = access.roles(*actions.IMPORT_ROLES)
    parser_classes = [MultiPartParser, RawFileParser]
    content_negotiation_class = FileFormatNegotiation

    def check_permissions(self, request):
        # Decided here, after DRF has authenticated the token, so other roles get the policy's 404.
        access.require_role(request.user, self.access_policy)
        super().check_permissions(request)

    @extend_schema(
        description=(
            "Upsert services, systems, registry suppliers, supplier relationships and dependencies by natural key "
            "(format: docs/inventory-import.md; JSON Schema at /api/inventory/schema/). All or nothing: a file "
            "with any problem is refused with every problem listed (row and field) and nothing is stored. "
            "Send the file as multipart field `file` or as the raw body. `?dry_run=1` checks without storing."),
        parameters=[FORMAT_PARAM, KIND_PARAM, OpenApiParameter("dry_run", bool, description="Check only")],
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string",
                                                                                  "format": "binary"}}},
                 "text/csv": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        responses={200: s.ImportResultSerializer, 400: s.ImportRejectedSerializer,
                   404: OpenApiResponse(description="Your role does not import (only a member's admins and analysts)")},
    )
    def post(self, request):
        upload = request.data.get("file")
        payload = upload.read(io.max_bytes() + 1) if hasattr(upload, "read") else upload
        if isinstance(payload, str):
            payload = payload.encode("utf-8", "surrogatepass")
        fmt, kind = _file_params(request, upload)
        if not payload:
            return _rejected([io.Problem("file", "", "no file: send it as the body or as multipart field 'file'")])
        if fmt not in io.FORMATS:
            return _rejected([io.Problem("file", "", "unknown format: say ?format=csv or ?format=json")])
        dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        try:
            result = actions.import_inventory(request.user, payload, fmt=fmt, kind=kind, dry_run=dry_run)
        except io.ImportRejected as rejected:
            return _rejected(rejected.problems)
        return Response(s.ImportResultSerializer(result.as_dict()).data)


def _rejected(problems) -> Response:
    return Response({"detail": f"the file was refused ({len(problems)} problem(s)); nothing was imported",
                     "errors": [p.as_dict() for p in problems]}, status=status.HTTP_400_BAD_REQUEST)


class InventoryExportView(APIView):
    """Export your organisation's own inventory as CSV (one kind) or as one JSON document."""

    access_policy = access.SIGNED_IN
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        description=("Your organisation's own services, systems, relationships and dependencies, with the registry "
                     "suppliers they refer to, in the import format (natural keys, no database ids): a file exported "
                     "here imports into another installation. CSV needs `?kind=`."),
        parameters=[FORMAT_PARAM, KIND_PARAM],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR,
                   400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        fmt = request.query_params.get("format") or "json"
        kind = request.query_params.get("kind") or None
        try:
            content = io.export_inventory(request.user, fmt=fmt, kind=kind)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        slug = request.user.organization.slug if request.user.organization_id else "inventory"
        response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                                "application/json")
        response["Content-Disposition"] = f'attachment; filename="{slug}-{kind or "inventory"}.{fmt}"'
        return response


class InventorySchemaView(APIView):
    """The JSON Schema of the import and export document (it describes a format and holds no data)."""

    access_policy = access.PUBLIC
    permission_classes = [AllowAny]

    @extend_schema(description="The JSON Schema (draft 2020-12) that every imported JSON document must pass.",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(io.schema())
