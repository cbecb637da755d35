"""REST endpoints of the core: organisations, people, tokens, shares, the audit trail, notifications."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forceb.core import access, actions, audit, queries
from forceb.core.choices import ADMIN_ROLES, Role
from forceb.core.models import ApiToken, AuditEntry, Notification, Organization, Share, User

from . import serializers as s
from .base import QueryMixin


@extend_schema_view(
    list=extend_schema(description="Organisations of the sector: members, the hub and the supervisor."),
    retrieve=extend_schema(description="One organisation."),
)
class OrganizationViewSet(QueryMixin, viewsets.ReadOnlyModelViewSet):
    model = Organization
    query = staticmethod(queries.organizations)
    access_policy = access.SIGNED_IN
    serializer_class = s.OrganizationSerializer
    filterset_fields = ["kind", "sector", "tier", "slug"]
    search_fields = ["name", "slug"]


@extend_schema_view(
    list=extend_schema(description="People you may see: yourself, or your organisation's people if you administer or audit it."),
    retrieve=extend_schema(description="One person."),
)
class UserViewSet(QueryMixin, viewsets.ReadOnlyModelViewSet):
    model = User
    query = staticmethod(queries.people)
    access_policy = access.SIGNED_IN
    serializer_class = s.UserSerializer
    filterset_fields = ["role", "is_active"]
    search_fields = ["username"]

    @extend_schema(description="The person the request is authenticated as.")
    @action(detail=False)
    def me(self, request):
        return Response(self.get_serializer(request.user).data)


@extend_schema_view(
    list=extend_schema(description="Your API tokens (an admin sees the organisation's). The secret is never shown again."),
    retrieve=extend_schema(description="One API token, without its secret."),
    destroy=extend_schema(description="Revoke an API token."),
)
class ApiTokenViewSet(QueryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    model = ApiToken
    query = staticmethod(queries.tokens)
    access_policy = access.SIGNED_IN
    serializer_class = s.ApiTokenSerializer
    filterset_fields = ["user"]
    write_roles = frozenset(Role)

    @extend_schema(description="Create a token for yourself; the response carries the secret once.",
                   request=s.NewApiTokenSerializer, responses={201: s.CreatedApiTokenSerializer})
    def create(self, request):
        params = s.NewApiTokenSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        token, raw = actions.create_token(request.user, **params.validated_data)
        data = s.CreatedApiTokenSerializer(token, context={"request": request}).data
        data["token"] = raw
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        actions.revoke_token(self.request.user, instance)


@extend_schema_view(
    list=extend_schema(description="Shares your organisation made or received."),
    retrieve=extend_schema(description="One share."),
    destroy=extend_schema(description="Withdraw a share your organisation made, or any share of an object it owns; "
                                      "reshares made on its strength are withdrawn with it."),
)
class ShareViewSet(QueryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                   viewsets.GenericViewSet):
    model = Share
    query = staticmethod(queries.shares)
    access_policy = access.SIGNED_IN
    serializer_class = s.ShareSerializer
    filterset_fields = ["tlp", "community", "object_id"]

    @extend_schema(description="Share an object you own (or may pass on) under a TLP 2.0 marking.",
                   request=s.NewShareSerializer, responses={201: s.ShareSerializer})
    def create(self, request):
        params = s.NewShareSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        app_label, model = data["object_type"].split(".", 1)
        model_class = ContentType.objects.get(app_label=app_label, model=model).model_class()
        obj = model_class.objects.restrict(request.user, "view").filter(pk=data["object_id"]).first()
        if obj is None:
            raise Http404
        orgs = list(Organization.objects.filter(slug__in=data["recipient_orgs"]))
        users = list(User.objects.filter(username__in=data["recipient_users"]))
        missing = set(data["recipient_orgs"]) - {o.slug for o in orgs}
        missing |= set(data["recipient_users"]) - {u.username for u in users}
        if missing:
            raise serializers.ValidationError({"recipients": [f"unknown: {', '.join(sorted(missing))}"]})
        share = actions.share_object(request.user, obj, tlp_marking=data["tlp"], recipient_orgs=orgs,
                                     recipient_users=users, community=data["community"])
        return Response(self.get_serializer(share).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        actions.unshare(self.request.user, instance)


@extend_schema_view(
    list=extend_schema(description="The audit trail: your organisation's entries (auditors and admins), or your own."),
    retrieve=extend_schema(description="One audit entry."),
)
class AuditEntryViewSet(QueryMixin, viewsets.ReadOnlyModelViewSet):
    model = AuditEntry
    query = staticmethod(queries.audit_entries)
    access_policy = access.SIGNED_IN
    serializer_class = s.AuditEntrySerializer
    filterset_fields = ["action", "object_type", "object_id", "actor_username"]

    @extend_schema(description="Verify the whole hash chain (auditors and admins).",
                   responses={200: {"type": "object", "properties": {
                       "intact": {"type": "boolean"}, "entries": {"type": "integer"},
                       "message": {"type": "string"}, "first_bad_seq": {"type": "integer", "nullable": True}}}})
    @action(detail=False, access_policy=access.roles(*ADMIN_ROLES, Role.AUDITOR))
    def verify(self, request):
        report = audit.verify()
        return Response({"intact": report.intact, "entries": report.entries, "message": report.message,
                         "first_bad_seq": report.first_bad_seq})


@extend_schema_view(
    list=extend_schema(description="Notifications for your organisation and for you."),
    retrieve=extend_schema(description="One notification."),
)
class NotificationViewSet(QueryMixin, viewsets.ReadOnlyModelViewSet):
    model = Notification
    query = staticmethod(queries.notifications)
    access_policy = access.SIGNED_IN
    serializer_class = s.NotificationSerializer
    write_roles = frozenset(Role)

    @extend_schema(description="Mark a notification read.", request=None, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        actions.mark_notification_read(request.user, notification)
        return Response(self.get_serializer(notification).data)


