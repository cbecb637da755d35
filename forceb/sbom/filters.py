"""One FilterSet per list, serving both the UI list filters and the API's ``?field=`` filters."""

import django_filters
from django import forms

from forceb.core.filters import IdFilter

from .choices import CLOSED_STATUSES
from .models import Advisory, Component, Finding, Sbom


class SbomFilter(django_filters.FilterSet):
    system_id = IdFilter()
    supplier_id = IdFilter()
    owner_id = IdFilter()

    class Meta:
        model = Sbom
        fields = ["system_id", "supplier_id", "owner_id", "is_current", "format", "ntia_ok"]


class ComponentFilter(django_filters.FilterSet):
    sbom_id = IdFilter()
    system_id = IdFilter(field_name="sbom__system_id")
    current = django_filters.BooleanFilter(field_name="sbom__is_current")
    name = django_filters.CharFilter(lookup_expr="icontains")
    package = django_filters.CharFilter(method="by_package")
    purl = django_filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = Component
        fields = ["sbom_id", "system_id", "current", "name", "package", "purl", "ecosystem", "version", "status"]

    def by_package(self, queryset, name, value):
        return queryset.filter(package__iexact=value.strip())


class AnyYesNo(forms.NullBooleanSelect):
    """Django offers 'Unknown' for a yes/no that is not set; in a filter it means any."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


class FindingFilter(django_filters.FilterSet):
    sbom_id = IdFilter()
    kev = django_filters.BooleanFilter(label="Known exploited (KEV)", widget=AnyYesNo)
    system_id = IdFilter(field_name="sbom__system_id")
    component_id = IdFilter()
    current = django_filters.BooleanFilter(field_name="sbom__is_current")
    vulnerability = django_filters.CharFilter(method="by_vulnerability")
    epss_min = django_filters.NumberFilter(field_name="epss", lookup_expr="gte")
    open = django_filters.BooleanFilter(method="by_open")

    class Meta:
        model = Finding
        fields = ["sbom_id", "system_id", "component_id", "current", "severity", "kev", "status", "vulnerability",
                  "epss_min", "open"]

    def by_vulnerability(self, queryset, name, value):
        return queryset.filter(advisory__alias_rows__alias=value.strip()).distinct()

    def by_open(self, queryset, name, value):
        closed = list(CLOSED_STATUSES)
        return queryset.exclude(status__in=closed) if value else queryset.filter(status__in=closed)


class AdvisoryFilter(django_filters.FilterSet):
    id = django_filters.CharFilter(method="by_id", label="Advisory id or alias (CVE, GHSA, PYSEC, GO...)")
    withdrawn = django_filters.BooleanFilter(method="by_withdrawn")

    class Meta:
        model = Advisory
        fields = ["id", "withdrawn"]

    def by_id(self, queryset, name, value):
        return queryset.filter(alias_rows__alias=value.strip()).distinct()

    def by_withdrawn(self, queryset, name, value):
        return queryset.exclude(withdrawn="") if value else queryset.filter(withdrawn="")
