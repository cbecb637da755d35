"""Shapes of the Joint Defense SOC's API. A ticket is written as the document of
``schemas/ticket.schema.json`` (``actions.submit_ticket`` checks it); it is read with its hub-set
fields, its extracted values and, on request, its correlations."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField

from forceb.core.api.base import BaseSerializer
from forceb.intel import queries as intel_queries
from forceb.inventory.models import BusinessService, System

from ..choices import Priority, TicketStatus
from ..models import Ticket, TicketValue


@extend_schema_field({"type": "string", "enum": TicketStatus.values,
                      "description": "new, triaged, in-progress or closed"})
class TicketStatusField(serializers.ChoiceField):
    """A ticket's status, its enumeration written inline: the schema has other enums named 'status'."""

    def __init__(self, **kwargs):
        super().__init__(choices=TicketStatus.choices, **kwargs)


class TicketValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketValue
        fields = ["kind", "value", "source"]


class ObservableSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="ipv4-addr, ipv6-addr, domain-name, url, email-addr, vulnerability, "
                                           "attack-pattern or file")
    value = serializers.CharField(required=False, help_text="the value (every type but file)")
    hashes = serializers.DictField(child=serializers.CharField(), required=False,
                                   help_text="a file's hashes by algorithm (MD5, SHA-1, SHA-256, SHA-512)")


class TicketSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:soc:ticket-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    affected_services = PrimaryKeyRelatedField(many=True, required=False, queryset=BusinessService.objects.none())
    affected_systems = PrimaryKeyRelatedField(many=True, required=False, queryset=System.objects.none())
    observables = ObservableSerializer(many=True, required=False)
    values = TicketValueSerializer(many=True, read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    triaged_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    status = TicketStatusField(read_only=True)
    priority = serializers.ChoiceField(choices=[("", "not triaged"), *Priority.choices], read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "url", "display", "owner", "title", "description", "occurred_at", "detected_at", "category",
                  "severity", "impact_scope", "attack_chain_phase", "tlp", "status", "priority", "triage_note",
                  "affected_services", "affected_systems", "observables", "values", "submitted_by", "triaged_by",
                  "triaged_at", "created", "updated"]
        read_only_fields = ["status", "priority", "triage_note", "triaged_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only the member's own inventory may be named (another's rows are 'not found').
            fields["affected_services"].child_relation.queryset = BusinessService.objects.restrict(request.user,
                                                                                                   "change")
            fields["affected_systems"].child_relation.queryset = System.objects.restrict(request.user, "change")
        return fields

    def read_only_names(self) -> set[str]:
        return {name for name, f in self.fields.items() if f.read_only}


@extend_schema_field({"type": "string", "description": "new, triaged, in-progress or closed"})
class TriageStatusField(TicketStatusField):
    """The same choices as a ticket's status, written as a plain string in the schema: an enum used
    by two components would need a name in the project's ENUM_NAME_OVERRIDES."""


class TriageSerializer(serializers.Serializer):
    status = TriageStatusField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class TicketIntelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stix_id = serializers.CharField()
    type = serializers.CharField()
    tlp = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, row) -> str:
        return intel_queries.name_of(row)


class TicketRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:soc:ticket-detail")
    title = serializers.CharField()
    owner = serializers.CharField(source="owner.slug")
    status = serializers.CharField()
    detected_at = serializers.DateTimeField()


class TicketCorrelationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()
    source = serializers.CharField(help_text="text or observable (empty on an intelligence object's side)")
    capped = serializers.BooleanField(help_text="named too often to correlate on (the cap)")
    intel = TicketIntelRefSerializer(many=True, help_text="STIX objects you may read that name the value")
    tickets = TicketRefSerializer(many=True, help_text="other tickets you may see that name the value")
    unseen_tickets = serializers.IntegerField(help_text="tickets naming the value that you may not see: "
                                                        "a count, never which")


class TicketSummarySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["sector", "organisation"])
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_priority = serializers.DictField(child=serializers.IntegerField())
    by_sector = serializers.DictField(child=serializers.IntegerField())
