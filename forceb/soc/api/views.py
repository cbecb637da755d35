"""REST endpoints of the Joint Defense SOC: thin views over ``soc.actions`` and ``soc.queries``.
Tickets outside a person's reach answer 404, as everywhere; the hub reads every ticket and
triages through its own action."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from forceb.core import access
from forceb.core.api.base import OwnedModelViewSet
from forceb.core.choices import Role
from forceb.intel import queries as intel_queries

from .. import actions, queries
from ..filters import TicketFilter
from ..models import Ticket
from . import serializers as s


@extend_schema_view(
    list=extend_schema(description="Incident tickets you may see: your institution's, every member's for the hub, "
                                   "and those shared with you."),
    retrieve=extend_schema(description="One ticket with its extracted observable values; 404 when you may not see "
                                       "it."),
    create=extend_schema(description="Report an incident ticket to the Joint Defense SOC (member analysts and "
                                     "admins). The body is the document of soc/schemas/ticket.schema.json; a "
                                     "malformed ticket is refused whole, each problem named with its place."),
    update=extend_schema(description="Amend your institution's ticket (the given fields; status and priority are "
                                     "the hub's)."),
    partial_update=extend_schema(description="Amend some fields of your institution's ticket."),
    destroy=extend_schema(description="Withdraw your institution's ticket."),
)
class TicketViewSet(OwnedModelViewSet):
    model = Ticket
    # Declared so that an action may narrow it (DRF accepts only known attributes as route
    # arguments); every route's own policy is set by ``OwnedModelViewSet.as_view``.
    access_policy = None
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilter
    search_fields = ["title", "description"]
    ordering_fields = ["detected_at", "priority", "status", "created"]
    select_related_fields = ("owner", "submitted_by", "triaged_by")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        if self.action == "triage":
            # The hub changes tickets it does not own, through its own action only.
            found = queries.tickets(self.request.user)
        else:
            found = super().get_queryset()
        return found.prefetch_related("affected_services", "affected_systems", "values")

    def _document(self, data) -> dict:
        """The request body without the fields a client cannot set (ignored, as DRF does)."""
        if not isinstance(data, dict):
            return data
        read_only = self.get_serializer().read_only_names()
        return {name: value for name, value in data.items() if name not in read_only}

    def create(self, request, *args, **kwargs):
        ticket = actions.submit_ticket(request.user, self._document(request.data))
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        ticket = actions.update_ticket(request.user, self.get_object(), self._document(request.data))
        return Response(self.get_serializer(ticket).data)

    @extend_schema(description="Triage a ticket (hub analysts): status, priority and a note, recorded in the audit "
                               "trail.", request=s.TriageSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"], access_policy=access.roles(Role.HUB_ANALYST))
    def triage(self, request, pk=None):
        ticket = self.get_object()
        params = s.TriageSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        actions.triage_ticket(request.user, ticket, **params.validated_data)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(description="Each value the ticket names, with the STIX objects you may read and the other "
                               "tickets you may see that name it, and a count of those you may not see "
                               "(exclusion list and cap applied).", responses=s.TicketCorrelationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def correlations(self, request, pk=None):
        found = queries.correlations(request.user, self.get_object())
        return Response(s.TicketCorrelationSerializer(found, many=True, context={"request": request}).data)

    @extend_schema(description="Ticket counts by status, category, priority and sector: the sector's for the hub "
                               "and the supervisor (aggregates only), your institution's otherwise.",
                   responses=s.TicketSummarySerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request):
        return Response(s.TicketSummarySerializer(queries.summary(request.user)).data)


class IntelObjectTicketsView(APIView):
    """The tickets that name a value of one STIX object version you may read: those you may see,
    and how many others (never which member reported them). 404 when you may not read it."""

    access_policy = access.SIGNED_IN

    @extend_schema(responses=s.TicketCorrelationSerializer(many=True))
    def get(self, request, pk):
        row = intel_queries.readable_version(request.user, pk)
        if row is None:
            raise Http404("no such object")
        found = queries.tickets_naming(request.user, row)
        return Response(s.TicketCorrelationSerializer(found, many=True, context={"request": request}).data)
