"""REST endpoints of the intelligence hub: thin views over ``intel.queries`` (whose
``readable_objects``/``visible_objects`` apply collection readers and TLP) and ``intel.actions``.
Objects outside a person's reach answer 404, as everywhere."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from forceb.core import access
from forceb.core.api.base import OwnedModelViewSet
from forceb.core.choices import WRITER_ROLES

from .. import actions, queries
from ..models import StixObject, Subscription
from . import serializers as s

OBJECT_FILTERS = [
    OpenApiParameter("type", OpenApiTypes.STR, description="STIX type(s), comma-separated"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text in the object (name, pattern, description...)"),
    OpenApiParameter("technique", OpenApiTypes.STR, description="ATT&CK technique id (T1566 also finds T1566.001)"),
    OpenApiParameter("tlp", OpenApiTypes.STR, enum=["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
    OpenApiParameter("collection", OpenApiTypes.UUID, description="Only this collection"),
]


def search_from(user, params):
    """The object search of one request's query string (shared with the UI's browse page)."""
    collection = None
    if params.get("collection"):
        collection = next((c for c in queries.collections(user) if str(c.uuid) == params["collection"]), None)
        if collection is None:
            return StixObject.objects.none()
    types = [t.strip() for t in params.get("type", "").split(",") if t.strip()]
    return queries.search_objects(user, types=types, text=params.get("q", "").strip(),
                                  technique=params.get("technique", "").strip(), tlp=params.get("tlp", "").strip(),
                                  collection=collection)


@extend_schema_view(
    list=extend_schema(description="Search the latest versions of the STIX objects you may read (collections your "
                                   "organisation reads, TLP enforced).", parameters=OBJECT_FILTERS),
    retrieve=extend_schema(description="One stored version with its readable relationships; 404 when you may not "
                                       "read it.", responses=s.StixObjectDetailSerializer),
    correlations=extend_schema(description="The other readable versions that name an observable value this one "
                                           "names (exclusion list and cap applied).",
                               responses=s.CorrelationSerializer(many=True)),
    sightings=extend_schema(description="How widely this object is seen across the sector: counts, never names.",
                            responses=s.SightingSummarySerializer),
)
class StixObjectViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = access.SIGNED_IN
    serializer_class = s.StixObjectSerializer
    filter_backends = []  # the search is the query's own (TLP first), not generic ORM filters

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StixObject.objects.none()
        if self.action == "list":
            return search_from(self.request.user, self.request.query_params)
        return queries.readable_objects(self.request.user).select_related("collection")

    def get_serializer_class(self):
        return s.StixObjectDetailSerializer if self.action == "retrieve" else s.StixObjectSerializer

    @action(detail=True, methods=["get"], pagination_class=None)
    def correlations(self, request, pk=None):
        row = self.get_object()
        return Response(s.CorrelationSerializer(queries.correlations(request.user, row), many=True,
                                                context={"request": request}).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def sightings(self, request, pk=None):
        row = self.get_object()
        summary = queries.sector_sighting_summary(request.user, row.stix_id)
        return Response(s.SightingSummarySerializer({"sighting_of": row.stix_id, **vars(summary)}).data)


@extend_schema_view(
    list=extend_schema(description="The collections your organisation reads or writes."),
    retrieve=extend_schema(description="One collection your organisation reads or writes; 404 otherwise."),
)
class CollectionViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = access.SIGNED_IN
    serializer_class = s.CollectionSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return queries.Collection.objects.none()
        return queries.collections(self.request.user).order_by("title")


@extend_schema_view(
    list=extend_schema(description="Your organisation's subscriptions by demand type."),
    retrieve=extend_schema(description="One subscription of your organisation; 404 otherwise."),
    create=extend_schema(description="Subscribe to a collection your organisation reads; matches are worked out "
                                     "at once."),
    update=extend_schema(description="Replace a subscription of your organisation (matches worked out again)."),
    partial_update=extend_schema(description="Change fields of a subscription of your organisation."),
    destroy=extend_schema(description="Delete a subscription of your organisation."),
    webhook=extend_schema(
        methods=["POST"], request=s.WebhookSerializer, responses={201: s.WebhookSecretSerializer},
        description="Deliver the subscription's new matches to an https URL at a public address, signed with "
                    "HMAC-SHA256. The answer holds the signing secret, shown this once only; setting a URL again "
                    "makes a new secret."),
    test_delivery=extend_schema(
        request=None, responses=s.TestDeliverySerializer,
        description="Send a signed delivery without objects (type forceb-subscription-test) to the webhook now, "
                    "to check the receiver; 400 says why it failed."),
)
@extend_schema_view(webhook=extend_schema(methods=["DELETE"], request=None, responses={204: None},
                                          description="Stop delivering the subscription to its webhook."))
class SubscriptionViewSet(OwnedModelViewSet):
    model = Subscription
    serializer_class = s.SubscriptionSerializer
    select_related_fields = ("owner", "collection")
    filter_backends = []

    def _save(self, serializer, instance):
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        try:
            serializer.instance = actions.save_subscription(self.request.user, instance)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) \
                from exc

    def perform_create(self, serializer):
        self._save(serializer, Subscription())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @action(detail=True, methods=["post", "delete"])
    def webhook(self, request, pk=None):
        subscription = self.get_object()
        if request.method == "DELETE":
            _call(actions.clear_webhook, request.user, subscription)
            return Response(status=status.HTTP_204_NO_CONTENT)
        form = s.WebhookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            secret = _call(actions.set_webhook, request.user, subscription, form.validated_data["url"])
        except exceptions.ValidationError as exc:
            found = exc.detail.get("webhook_url", exc.detail) if isinstance(exc.detail, dict) else exc.detail
            raise exceptions.ValidationError({"url": found}) from exc
        return Response(s.WebhookSecretSerializer({
            "url": subscription.webhook_url, "secret": secret, "signature": SIGNATURE_HELP}).data,
            status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="webhook/test")
    def test_delivery(self, request, pk=None):
        answered = _call(actions.send_test_delivery, request.user, self.get_object())
        return Response(s.TestDeliverySerializer({"delivered": True, "status": answered}).data)


#: What a receiver does with the secret (docs/intel.md, "Verifying a delivery").
SIGNATURE_HELP = ("X-Forceb-Signature is 'sha256=' + hex HMAC-SHA256(secret, X-Forceb-Timestamp + '.' + raw body); "
                  "compare in constant time, refuse timestamps more than 5 minutes old, deduplicate on "
                  "X-Forceb-Delivery.")


def _call(action_function, *args):
    """An action, its refusals answered as the API answers them (403, 400 naming the field)."""
    try:
        return action_function(*args)
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


@extend_schema_view(
    get=extend_schema(description="The sightings your organisation reported (yours only: others' sightings are "
                                  "counted, never listed).", responses=s.StixObjectSerializer(many=True)),
    post=extend_schema(description="Report a sighting of an object you may read; anonymous (published by the hub) "
                                   "unless share_identity is true.", request=s.SightingSerializer,
                       responses={201: s.StixObjectSerializer}),
)
class SightingsView(APIView):
    access_policy = access.SIGNED_IN

    def get(self, request):
        rows = queries.readable_objects(request.user).filter(
            type="sighting", is_latest=True, contributor_id=request.user.organization_id,
        ).select_related("collection").order_by("-date_added")[:500]
        return Response(s.StixObjectSerializer(rows, many=True).data)

    def post(self, request):
        if request.user.role not in WRITER_ROLES:
            raise exceptions.PermissionDenied("your role does not report sightings")
        form = s.SightingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        collection = queries.collection(request.user, data["collection"])
        if collection is None or not collection.may_read:
            raise Http404("no such collection")
        if not queries.readable_objects(request.user).filter(stix_id=data["sighting_of"]).exists():
            raise Http404("no such object")
        try:
            result = actions.report_sighting(
                request.user, collection, sighting_of=data["sighting_of"], count=data["count"],
                first_seen=data.get("first_seen"), last_seen=data.get("last_seen"),
                share_identity=data["share_identity"], marking=data.get("tlp"),
                description=data.get("description", ""))
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except (ValidationError, actions.InvalidObjects) as exc:
            raise exceptions.ValidationError(str(exc)) from exc
        # The row just stored, read as the reporter reads it (a TLP:RED sighting is theirs to read).
        row = StixObject.objects.select_related("collection").get(
            collection=collection, stix_id=result.ids[0], is_latest=True)
        return Response(s.StixObjectSerializer(row).data, status=status.HTTP_201_CREATED)


def current_quarter() -> tuple[int, int]:
    today = timezone.now()
    return today.year, (today.month - 1) // 3 + 1


@extend_schema_view(get=extend_schema(
    description="The contribution ledger's ranking of member organisations for a quarter (default: this one): "
                "points and points by rule, never which objects earned them.",
    parameters=[OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("quarter", OpenApiTypes.INT)],
    responses=s.LeaderboardRowSerializer(many=True)))
class LeaderboardView(APIView):
    access_policy = access.SIGNED_IN

    def get(self, request):
        year, quarter = current_quarter()
        try:
            year = int(request.query_params.get("year", year))
            quarter = int(request.query_params.get("quarter", quarter))
            board = queries.leaderboard(year, quarter)
        except ValueError as exc:
            raise exceptions.ValidationError({"quarter": str(exc)}) from exc
        rows = [{"rank": n, "organisation": name, "points": points, "by_rule": by_rule}
                for n, (name, points, by_rule) in enumerate(board, 1)]
        return Response(s.LeaderboardRowSerializer(rows, many=True).data)


@extend_schema_view(get=extend_schema(
    description="The readable objects that name an indicator value (an address, domain, hash...), respecting "
                "collection access and TLP; excluded values and values past the cap are said to be so.",
    parameters=[OpenApiParameter("value", OpenApiTypes.STR, required=True)],
    responses=s.CorrelationSerializer))
class CorrelateView(APIView):
    access_policy = access.SIGNED_IN

    def get(self, request):
        value = request.query_params.get("value", "").strip()
        if not value:
            raise exceptions.ValidationError({"value": "give the value to correlate"})
        return Response(s.CorrelationSerializer(queries.versions_naming(request.user, value)).data)
