"""Filters of the audit trail page: the API's fields (``action``, ``object_type``, ``object_id``,
``actor_username``) plus a date range, which a person reading the trail needs."""

import django_filters

from forceb.core.models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    actor_username = django_filters.CharFilter(label="Who")
    object_type = django_filters.CharFilter(label="Object type", help_text="e.g. inventory.system")
    object_id = django_filters.CharFilter(label="Object id")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor_username", "object_type", "object_id", "since", "until"]
