"""REST endpoints of operational resilience: thin views over ``actions`` and ``queries``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forceb.core import access
from forceb.core.api.base import OwnedModelViewSet, OwnedReadOnlyViewSet
from forceb.core.choices import ADMIN_ROLES, WRITER_ROLES

from .. import actions, queries
from ..models import (
    BackupLayer,
    BusinessImpactAnalysis,
    Drill,
    DrillAction,
    Scenario,
    SupplierRecoveryEvidence,
)
from . import serializers as s

OBJECT = {"type": "object", "additionalProperties": True}


def _described(noun: str, plural: str, **overrides):
    described = {
        "list": extend_schema(description=f"List the {plural} you may see: your organisation's and those shared "
                                          "with it."),
        "retrieve": extend_schema(description=f"One {noun}; 404 when it is outside your reach."),
        "create": extend_schema(description=f"Create a {noun} owned by your organisation."),
        "update": extend_schema(description=f"Replace a {noun} of your organisation."),
        "partial_update": extend_schema(description=f"Change fields of a {noun} of your organisation."),
        "destroy": extend_schema(description=f"Delete a {noun} of your organisation."),
    }
    return extend_schema_view(**{**described, **overrides})


@_described("business impact analysis", "business impact analyses",
            create=extend_schema(description="Record a new draft version of a service's BIA; the impact tolerance "
                                             "is derived from the impacts over time unless given.",
                                 request=s.NewBiaSerializer, responses={201: s.BusinessImpactAnalysisSerializer}),
            update=extend_schema(description="Replace the numbers or notes of a draft BIA version."),
            partial_update=extend_schema(description="Change numbers or notes of a draft BIA version."),
            destroy=extend_schema(description="Delete a draft BIA version of your organisation."))
class BusinessImpactAnalysisViewSet(OwnedModelViewSet):
    model = BusinessImpactAnalysis
    action_write_roles = {"approve": ADMIN_ROLES}
    serializer_class = s.BusinessImpactAnalysisSerializer
    filterset_fields = ["service", "status", "version"]
    ordering_fields = ["version", "created", "approved_at"]
    select_related_fields = ("owner", "service", "approved_by")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("impacts")

    def create(self, request, *args, **kwargs):
        params = s.NewBiaSerializer(data=request.data, user=request.user)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        service = data.pop("service")
        bia = actions.record_bia(request.user, service, **data)
        return Response(self.get_serializer(bia).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = actions.update_draft_bia(self.request.user, serializer.instance, **data)

    def perform_destroy(self, instance):
        actions.delete_draft_bia(self.request.user, instance)

    @extend_schema(description="Approve a draft BIA (organisation admins): its tolerance, RTO and RPO become the "
                               "business service's.", request=None, responses={200: s.BusinessImpactAnalysisSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        bia = actions.approve_bia(request.user, self.get_object())
        return Response(self.get_serializer(bia).data)


@_described("backup layer", "backup layers")
class BackupLayerViewSet(OwnedModelViewSet):
    model = BackupLayer
    serializer_class = s.BackupLayerSerializer
    filterset_fields = ["system", "kind", "immutable", "offline"]
    ordering_fields = ["name", "created", "last_switchover_test"]
    select_related_fields = ("owner", "system", "provider")


@_described("supplier recovery evidence", "supplier recovery evidence records")
class SupplierRecoveryEvidenceViewSet(OwnedModelViewSet):
    model = SupplierRecoveryEvidence
    serializer_class = s.SupplierRecoveryEvidenceSerializer
    filterset_fields = ["supplier"]
    ordering_fields = ["evidence_date", "created"]
    select_related_fields = ("owner", "supplier")


@extend_schema_view(
    list=extend_schema(description="The scenario library you may simulate: the hub's published scenarios and your "
                                   "organisation's own."),
    retrieve=extend_schema(description="One scenario of your library."),
    destroy=extend_schema(description="Remove one of your organisation's scenarios (not one used by a drill)."),
)
class ScenarioViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    # Reads reach the organisation's own and shared scenarios (as any owned row) plus the published library.
    access_policy = access.owned(Scenario)
    serializer_class = s.ScenarioSerializer
    filterset_fields = ["kind", "published", "name"]
    search_fields = ["name", "title"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Scenario.objects.none()
        if self.request.method == "DELETE":
            return Scenario.objects.restrict(self.request.user, "change")
        return queries.scenarios(self.request.user)

    def perform_destroy(self, instance):
        actions.delete_scenario(self.request.user, instance)

    @extend_schema(description="Your library and your organisation's current BIAs as one JSON document, in the "
                               "format 'import' reads (schema: docs/resilience.md).", responses={200: OBJECT})
    @action(detail=False, methods=["get"])
    def export(self, request):
        return Response(queries.export_library(request.user))

    @extend_schema(description="Import a library document: scenarios (yours; the hub's are published to every "
                               "member) and BIAs of your services. All or nothing: on any error, 400 naming each "
                               "item and nothing stored.", request=OpenApiTypes.OBJECT, responses={201: OBJECT})
    @action(detail=False, methods=["post"], url_path="import")
    def import_library(self, request):
        summary = actions.import_scenarios(request.user, request.data)
        return Response(vars(summary), status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(
    description="Run a library scenario over your organisation's ecosystem: per business service the expected "
                "time to recover, the data lost, whether tolerance, RTO or RPO is breached, and the reasons.",
    parameters=[OpenApiParameter("scenario", str, description="default: the first of your library"),
                OpenApiParameter("org", str, description="your organisation's slug (the default)")],
    # A bare type, not a schema dict: drf-spectacular would otherwise wrap a 'list' action's answer in an array.
    responses={200: OpenApiTypes.OBJECT}))
class SimulationViewSet(viewsets.ViewSet):
    access_policy = access.SIGNED_IN

    def list(self, request):
        name = request.query_params.get("scenario")
        if not name:
            # As the page does: the first scenario of the library, or nothing to run yet.
            library = queries.library_for(request.user)
            if not library:
                return Response({"scenario": None, "org": request.user.organization.slug, "summary": {},
                                 "services": [], "findings": []})
            name = library[0].name
        try:
            run = actions.simulate(request.user, name, org=request.query_params.get("org"))
        except PermissionDenied as exc:
            raise Http404("no such organisation") from exc
        return Response(run.result.to_dict())


@extend_schema_view(list=extend_schema(
    description="Every scenario of your library over your organisation's services: the heatmap's cells "
                "(time to recover, breached).", responses={200: OpenApiTypes.OBJECT}))
class HeatmapViewSet(viewsets.ViewSet):
    access_policy = access.SIGNED_IN

    def list(self, request):
        return Response(queries.heatmap(request.user))


@extend_schema_view(list=extend_schema(
    description="Sector concentration (hub and supervisor): per registry supplier, how many members, services and "
                "critical services depend on it, directly and through fourth parties, ranked. Counts only.",
    parameters=[OpenApiParameter("limit", int)], responses={200: OBJECT}))
@access.policy(access.roles(*queries.SECTOR_ROLES))
class ConcentrationViewSet(viewsets.ViewSet):
    def list(self, request):
        limit = request.query_params.get("limit")
        return Response(queries.concentration(request.user, limit=int(limit) if str(limit).isdigit() else None))


@extend_schema_view(list=extend_schema(
    description="Sector blast radius (hub and supervisor): for the most concentrated suppliers, how many members "
                "and critical services breach their impact tolerance if it fails, ranked. Counts only.",
    parameters=[OpenApiParameter("limit", int), OpenApiParameter("duration_minutes", OpenApiTypes.NUMBER)],
    responses={200: OBJECT}))
@access.policy(access.roles(*queries.SECTOR_ROLES))
class BlastRadiusViewSet(viewsets.ViewSet):
    def list(self, request):
        limit = request.query_params.get("limit", "25")
        duration = request.query_params.get("duration_minutes")
        try:
            duration = float(duration) if duration not in (None, "") else None
        except ValueError:
            return Response({"duration_minutes": ["a number of minutes"]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(queries.blast_radius(request.user, limit=int(limit) if limit.isdigit() else 25,
                                             duration_minutes=duration))


@extend_schema_view(list=extend_schema(
    description="Mean time to recover per quarter from drill measurements: your organisation's, or the sector's "
                "aggregate for the hub and the supervisor.", responses={200: OBJECT}))
class MttrViewSet(viewsets.ViewSet):
    access_policy = access.SIGNED_IN

    def list(self, request):
        return Response(queries.mttr_per_quarter(request.user))


@_described("drill", "drills",
            create=extend_schema(description="Plan a drill of a scenario of your library.",
                                 request=s.NewDrillSerializer, responses={201: s.DrillSerializer}))
class DrillViewSet(OwnedModelViewSet):
    model = Drill
    action_write_roles = {"events": WRITER_ROLES, "result": WRITER_ROLES}
    serializer_class = s.DrillSerializer
    filterset_fields = ["status", "scenario"]
    ordering_fields = ["planned_date", "created"]
    select_related_fields = ("owner", "scenario")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("events", "measurements__service", "actions")

    def create(self, request, *args, **kwargs):
        params = s.NewDrillSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        scenario = {row.name: row for row in queries.library_for(request.user)}.get(data.pop("scenario"))
        if scenario is None:
            return Response({"scenario": ["not in your scenario library"]}, status=status.HTTP_400_BAD_REQUEST)
        drill = actions.plan_drill(request.user, scenario=scenario, **data)
        return Response(self.get_serializer(drill).data, status=status.HTTP_201_CREATED)

    @extend_schema(description="Add an entry to the drill's timeline: an inject, a decision, or a notification "
                               "sent or received along member → group CSIRT → industry association → hub.",
                   request=s.NewDrillEventSerializer, responses={201: s.DrillEventSerializer})
    @action(detail=True, methods=["post"])
    def events(self, request, pk=None):
        drill = self.get_object()
        params = s.NewDrillEventSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        event = actions.record_drill_event(request.user, drill, **params.validated_data)
        return Response(s.DrillEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(description="Close the drill: each service's measured recovery (compared with the simulation "
                               "and the tolerance) and the findings, which become tracked actions.",
                   request=s.DrillResultSerializer, responses={200: s.DrillSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        drill = self.get_object()
        params = s.DrillResultSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        drill = actions.record_drill_result(request.user, drill, **params.validated_data)
        return Response(self.get_serializer(Drill.objects.get(pk=drill.pk)).data)

    @extend_schema(description="How the notification travelled along the chain, hop by hop, in minutes.",
                   responses={200: OBJECT})
    @action(detail=True, methods=["get"])
    def chain(self, request, pk=None):
        return Response(queries.notification_chain(self.get_object()))


@extend_schema_view(
    list=extend_schema(description="Actions from drill findings that you may see, with their status and due date."),
    retrieve=extend_schema(description="One action; 404 when it is outside your reach."),
    update=extend_schema(description="Track an action: its status, assignee and due date."),
    partial_update=extend_schema(description="Track an action: its status, assignee or due date."),
)
class DrillActionViewSet(mixins.UpdateModelMixin, OwnedReadOnlyViewSet):
    # Actions come from a drill's findings (its result) and stay on record: no create, no delete;
    # an action is cancelled by its status.
    model = DrillAction
    serializer_class = s.DrillActionSerializer
    filterset_fields = ["drill", "status"]
    ordering_fields = ["due_date", "created"]
    select_related_fields = ("owner", "drill")

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.update_drill_action(
            self.request.user, serializer.instance, status=data.get("status"), assignee=data.get("assignee"),
            due_date=data.get("due_date"))
