"""Reads of the inventory, narrowed by the tenancy chokepoint."""

from django.db.models import Count

from .models import BusinessService, Dependency, SupplierRelationship, System


def dashboard(user) -> dict:
    services = BusinessService.objects.restrict(user)
    return {
        "services": services.count(),
        "services_by_criticality": dict(services.values_list("criticality").annotate(n=Count("pk"))),
        "systems": System.objects.restrict(user).count(),
        "suppliers": SupplierRelationship.objects.restrict(user).count(),
        "dependencies": Dependency.objects.restrict(user).count(),
    }
