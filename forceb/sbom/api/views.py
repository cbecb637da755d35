"""REST endpoints of SBOMs, components, findings, advisories, feeds and the sector view.

Each is a thin view over ``queries`` (reads, through the tenancy chokepoint) and ``actions``
(writes); objects outside the person's reach answer 404.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from forceb.core import access
from forceb.core.api.base import OwnedReadOnlyViewSet, QueryMixin
from forceb.core.choices import WRITER_ROLES

from .. import actions, exports, filters, queries
from ..models import PRIORITY_ORDER, Advisory, Component, FeedState, Finding, FindingDecision, Sbom
from . import serializers as s

LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


def _read_upload(upload) -> bytes:
    return b"".join(upload.chunks())


@extend_schema_view(
    list=extend_schema(description="SBOMs you may see (your organisation's and those shared with it); "
                                   "`is_current=true` for each system's current one."),
    retrieve=extend_schema(description="One SBOM with its NTIA check, reader warnings and diff to the previous one."),
)
class SbomViewSet(mixins.CreateModelMixin, OwnedReadOnlyViewSet):
    model = Sbom
    serializer_class = s.SbomSerializer
    filterset_class = filters.SbomFilter
    search_fields = ["subject", "filename", "system__name"]
    ordering_fields = ["created", "subject"]
    select_related_fields = ("owner", "system", "supplier")
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.SbomDetailSerializer
        if self.action == "create":
            return s.SbomUploadSerializer
        if self.action == "vex" and self.request.method == "POST":
            return s.VexUploadSerializer
        return s.SbomSerializer

    @extend_schema(description="Upload an SBOM for one of your organisation's systems. It becomes the system's "
                               "current SBOM and is matched at once. A malformed SBOM is refused (400) with the "
                               "problem and its place, and nothing is stored.",
                   request={"multipart/form-data": s.SbomUploadSerializer}, responses={201: s.SbomDetailSerializer})
    def create(self, request, *args, **kwargs):
        params = s.SbomUploadSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        upload = data["file"]
        sbom = actions.ingest_sbom(request.user, data["system"], _read_upload(upload), upload.name,
                                   supplier=data.get("supplier"), deliverable=data.get("deliverable", ""))
        return Response(s.SbomDetailSerializer(sbom, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(description="The dependency tree of the SBOM, from its root component(s).",
                   responses={200: LIST_OF_OBJECTS})
    @action(detail=True)
    def tree(self, request, pk=None):
        return Response(queries.dependency_tree(self.get_object()))

    @extend_schema(description="The SBOM's findings as SARIF 2.1.0 (closed findings as suppressed results).",
                   responses={(200, "application/sarif+json"): OpenApiTypes.OBJECT})
    @action(detail=True)
    def sarif(self, request, pk=None):
        sbom = self.get_object()
        document = exports.sarif(exports.rows_from_findings(_export_findings(sbom)), artifact=sbom.filename or "sbom")
        return _attachment(exports.dumps(document), "application/sarif+json", f"sbom-{sbom.pk}.sarif")

    @extend_schema(methods=["GET"], description="The analysis of every finding of the SBOM as CycloneDX 1.6 VEX, "
                                                "in JSON or (`encoding=xml`) XML.",
                   parameters=[OpenApiParameter("encoding", str, enum=sorted(exports.VEX_ENCODINGS),
                                                description="json (the default) or xml")],
                   responses={(200, "application/vnd.cyclonedx+json"): OpenApiTypes.OBJECT,
                              (200, "application/vnd.cyclonedx+xml"): OpenApiTypes.STR})
    @extend_schema(methods=["POST"], description="Apply a CycloneDX VEX (JSON or XML) or OpenVEX document to the "
                                                 "findings of this SBOM's system (its current SBOM). All or nothing: "
                                                 "a document that cannot be read or applied is refused (400) naming "
                                                 "the problem and its place, and no finding changes.",
                   request={"multipart/form-data": s.VexUploadSerializer}, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get", "post"])
    def vex(self, request, pk=None):
        sbom = self.get_object()
        if request.method == "POST":
            params = s.VexUploadSerializer(data=request.data)
            params.is_valid(raise_exception=True)
            if not sbom.is_current:
                raise serializers.ValidationError("VEX statements apply to a system's current SBOM")
            return Response(actions.import_vex(request.user, sbom.system, _read_upload(params.validated_data["file"])))
        encoding = request.query_params.get("encoding", "json")
        if encoding not in exports.VEX_ENCODINGS:
            raise serializers.ValidationError({"encoding": f"{encoding!r} is not one of json, xml"})
        document = exports.cyclonedx_vex(exports.rows_from_findings(_export_findings(sbom)), subject=sbom.subject or
                                         str(sbom.system), subject_version=sbom.subject_version, encoding=encoding)
        kind, suffix = exports.VEX_ENCODINGS[encoding]
        return _attachment(document, kind, f"sbom-{sbom.pk}.{suffix}")


def _export_findings(sbom: Sbom):
    return (Finding.objects.filter(sbom=sbom).select_related("component", "advisory")
            .prefetch_related(Prefetch("decisions", queryset=FindingDecision.objects.order_by("-decided_at", "-pk")))
            .order_by(*PRIORITY_ORDER))


def _attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@extend_schema_view(
    list=extend_schema(description="Components of the SBOMs you may see: search the portfolio by name, package or purl."),
    retrieve=extend_schema(description="One component; 404 when its SBOM is outside your reach."),
)
class ComponentViewSet(QueryMixin, viewsets.ReadOnlyModelViewSet):
    model = Component
    query = staticmethod(queries.components)
    access_policy = access.SIGNED_IN
    serializer_class = s.ComponentSerializer
    filterset_class = filters.ComponentFilter
    search_fields = ["name", "purl", "package"]
    ordering_fields = ["name", "version"]

    @extend_schema(description="Where is this library used, and in which versions? `q` is a package name or a "
                               "purl; the answer groups by package, then version, naming the systems.",
                   parameters=[OpenApiParameter("q", str, required=True),
                               OpenApiParameter("all", bool, description="include superseded SBOMs")],
                   responses={200: LIST_OF_OBJECTS})
    @action(detail=False)
    def usage(self, request):
        current_only = request.query_params.get("all", "").lower() not in ("1", "true", "yes")
        return Response(queries.component_usage(request.user, request.query_params.get("q", ""),
                                                current_only=current_only))


@extend_schema_view(
    list=extend_schema(description="Findings you may see, KEV first, then EPSS, then CVSS; filter by system, "
                                   "status, severity, KEV or vulnerability id (any alias)."),
    retrieve=extend_schema(description="One finding with its advisory, the dependency paths that bring the "
                                       "component in, and the history of VEX decisions."),
)
class FindingViewSet(OwnedReadOnlyViewSet):
    model = Finding
    serializer_class = s.FindingSerializer
    filterset_class = filters.FindingFilter
    search_fields = ["vuln_id", "component__name", "component__purl"]
    ordering_fields = ["priority", "epss", "cvss_score", "kev", "created", "severity"]
    select_related_fields = ("owner", "component", "advisory", "sbom", "sbom__system")
    action_write_roles = {"decide": WRITER_ROLES}

    def get_queryset(self):
        return super().get_queryset().with_priority()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.FindingDetailSerializer
        if self.action == "decide":
            return s.DecisionSerializer
        return s.FindingSerializer

    @extend_schema(description="Decide a finding's status (new, triaged, not affected, affected, fixed) with a "
                               "justification; the decision is kept in its VEX history.",
                   request=s.DecisionSerializer, responses={200: s.FindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        finding = self.get_object()
        params = s.DecisionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        actions.decide_finding(request.user, finding, params.validated_data["status"],
                               params.validated_data.get("justification", ""), params.validated_data.get("detail", ""))
        finding.refresh_from_db()
        return Response(s.FindingDetailSerializer(finding, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(description="Advisories of the knowledge base (public data); `?id=` finds one by any alias."),
    retrieve=extend_schema(description="One advisory by its OSV id."),
)
class AdvisoryViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = access.SIGNED_IN
    queryset = Advisory.objects.all()
    serializer_class = s.AdvisorySerializer
    filterset_class = filters.AdvisoryFilter
    search_fields = ["osv_id", "summary"]
    ordering_fields = ["osv_id", "modified"]
    lookup_field = "osv_id"
    lookup_value_regex = "[^/]+"


@extend_schema_view(list=extend_schema(description="State of each feed source: last fetch, ETag, records."))
class FeedStateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    access_policy = access.SIGNED_IN
    queryset = FeedState.objects.all()
    serializer_class = s.FeedStateSerializer


class SectorViewSet(viewsets.ViewSet):
    """The sector view of one vulnerability."""

    access_policy = access.SIGNED_IN

    @extend_schema(description="For a vulnerability id (any alias): which members, systems and business services "
                               "it affects, ranked by the services' criticality. The hub and the supervisor see "
                               "counts per member, and names only of systems shared with them; a member sees "
                               "its own.",
                   parameters=[OpenApiParameter("vulnerability", str, description="without it, nothing is listed")],
                   responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        return Response(queries.sector_view(request.user, request.query_params.get("vulnerability", "")))


class DashboardViewSet(viewsets.ViewSet):
    """The portfolio dashboard's figures."""

    access_policy = access.SIGNED_IN

    @extend_schema(description="Open findings of the current SBOMs you may see: by severity, KEV count and the "
                               "daily trend.", responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        return Response(queries.dashboard(request.user))
