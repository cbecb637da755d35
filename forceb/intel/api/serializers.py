"""Shapes of the intelligence API. Stored versions are read-only here (they enter through TAXII,
the CLI or the sighting action); the STIX object itself is served as stored."""

import json

from rest_framework import serializers

from forceb.core.api.base import BaseSerializer
from forceb.core.choices import TLP

from .. import queries
from ..models import Collection, StixObject, Subscription


class StixObjectSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    collection = serializers.UUIDField(source="collection.uuid", read_only=True)
    object = serializers.SerializerMethodField()

    class Meta:
        model = StixObject
        fields = ["id", "stix_id", "type", "name", "tlp", "version_text", "date_added", "collection", "object"]

    def get_name(self, row) -> str:
        return queries.name_of(row)

    def get_object(self, row) -> dict:
        return json.loads(row.body)


class LinkSerializer(serializers.Serializer):
    relationship_type = serializers.CharField()
    direction = serializers.SerializerMethodField()
    relationship = serializers.CharField(source="relationship.stix_id")
    other_id = serializers.CharField()
    other = serializers.SerializerMethodField()

    def get_direction(self, link) -> str:
        return "outgoing" if link.outgoing else "incoming"

    def get_other(self, link) -> dict | None:
        if link.other is None:
            return None
        return {"id": link.other.pk, "type": link.other.type, "name": queries.name_of(link.other)}


class StixObjectDetailSerializer(StixObjectSerializer):
    relationships = serializers.SerializerMethodField()

    class Meta(StixObjectSerializer.Meta):
        fields = [*StixObjectSerializer.Meta.fields, "relationships"]

    def get_relationships(self, row) -> list[dict]:
        return LinkSerializer(queries.relationships_of(self.context["request"].user, row), many=True).data


class CollectionSerializer(serializers.ModelSerializer):
    can_write = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = ["id", "uuid", "title", "description", "alias", "default_tlp", "can_write"]

    def get_can_write(self, collection) -> bool:
        return collection.can_write(self.context["request"].user)


class SubscriptionSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:intel:subscription-detail")
    collection = serializers.SlugRelatedField(slug_field="uuid", queryset=Collection.objects.all())
    types = serializers.ListField(child=serializers.CharField(max_length=250), required=False)
    terms = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    # Set through the webhook action, which answers the signing secret once; "" when there is none.
    webhook_url = serializers.CharField(read_only=True, help_text="Where new matches are POSTed, signed; empty: "
                                                                  "not delivered by webhook")

    class Meta:
        model = Subscription
        fields = ["id", "url", "display", "uuid", "name", "collection", "types", "terms", "max_tlp",
                  "min_confidence", "from_inventory", "webhook_url"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "organization_id", None) is not None:
            # Only a collection the organisation reads may be subscribed to; others are 'not found'.
            fields["collection"].queryset = queries.readable_collections(request.user)
        return fields


class WebhookSerializer(serializers.Serializer):
    """Where to deliver a subscription: https, to a public address (docs/intel.md, Webhook)."""

    # A plain string: the hub's own rule (webhooks.check_target) says what is wrong with a URL.
    url = serializers.CharField(max_length=500)


class WebhookSecretSerializer(serializers.Serializer):
    url = serializers.CharField()
    secret = serializers.CharField(help_text="The HMAC-SHA256 key of X-Forceb-Signature: shown this once only")
    signature = serializers.CharField(help_text="How a receiver checks a delivery")


class TestDeliverySerializer(serializers.Serializer):
    delivered = serializers.BooleanField()
    status = serializers.IntegerField(help_text="The receiver's HTTP status")


class SightingSerializer(serializers.Serializer):
    """A sighting to report: what was seen, how often, when; anonymous unless told otherwise."""

    collection = serializers.UUIDField()
    sighting_of = serializers.CharField(max_length=300)
    count = serializers.IntegerField(min_value=1, default=1)
    first_seen = serializers.DateTimeField(required=False)
    last_seen = serializers.DateTimeField(required=False)
    share_identity = serializers.BooleanField(default=False)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                        help_text="A note published with the sighting (never who saw it)")


class SightingSummarySerializer(serializers.Serializer):
    sighting_of = serializers.CharField()
    organisations = serializers.IntegerField()
    sightings = serializers.IntegerField()
    first_seen = serializers.CharField(allow_null=True)
    last_seen = serializers.CharField(allow_null=True)


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    organisation = serializers.CharField()
    points = serializers.IntegerField()
    by_rule = serializers.DictField(child=serializers.IntegerField())


class CorrelationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()
    capped = serializers.BooleanField()
    others = StixObjectSerializer(many=True)
