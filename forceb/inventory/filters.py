"""One FilterSet per model, serving both the UI list filters and the API's ``?field=`` filters."""

import django_filters

from forceb.core.filters import IdFilter

from .models import BusinessService, Dependency, Supplier, SupplierRelationship, System


class BusinessServiceFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    owner_id = IdFilter()

    class Meta:
        model = BusinessService
        fields = ["name", "criticality", "owner_id"]


class SystemFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    owner_id = IdFilter()
    cloud_provider_id = IdFilter()
    region = django_filters.CharFilter()

    class Meta:
        model = System
        fields = ["name", "hosting", "environment", "cloud_provider_id", "region", "owner_id"]


class SupplierFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Supplier
        fields = ["name", "kind", "registry_kind", "registry_id", "country"]


class SupplierRelationshipFilter(django_filters.FilterSet):
    supplier_id = IdFilter()

    class Meta:
        model = SupplierRelationship
        fields = ["supplier_id", "criticality"]


class DependencyFilter(django_filters.FilterSet):
    source_service_id = IdFilter()
    source_system_id = IdFilter()
    source_supplier_id = IdFilter()
    target_system_id = IdFilter()
    target_supplier_id = IdFilter()

    class Meta:
        model = Dependency
        fields = ["kind", "source_service_id", "source_system_id", "source_supplier_id", "target_system_id",
                  "target_supplier_id"]
