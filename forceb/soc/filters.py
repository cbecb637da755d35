"""One FilterSet for the ticket list, serving the UI's filters and the API's ``?field=`` filters."""

import django_filters

from forceb.core.choices import TLP
from forceb.core.filters import IdFilter

from .choices import AttackChainPhase
from .models import Ticket


class TicketFilter(django_filters.FilterSet):
    owner_id = IdFilter(label="Member (organisation id)")
    detected_after = django_filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="gte",
                                                      label="Detected from (ISO 8601)")
    detected_before = django_filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="lt",
                                                       label="Detected before (ISO 8601)")
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label="TLP")
    attack_chain_phase = django_filters.ChoiceFilter(choices=AttackChainPhase.choices, label="Attack-chain position")
    value = django_filters.CharFilter(method="naming", label="Names this observable value")

    class Meta:
        model = Ticket
        fields = ["status", "category", "severity", "priority", "impact_scope", "attack_chain_phase", "tlp",
                  "owner_id", "detected_after", "detected_before", "value"]

    def naming(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(values__value__in={value, value.lower()}).distinct()
