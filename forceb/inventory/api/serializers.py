from rest_framework import serializers

from forceb.core.api.base import BaseSerializer

from ..models import BusinessService, Dependency, Supplier, SupplierRelationship, System


class BusinessServiceSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inventory:service-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = BusinessService
        fields = ["id", "url", "display", "owner", "name", "description", "criticality", "customers_served",
                  "impact_tolerance_minutes", "rto_minutes", "rpo_minutes", "created", "updated"]


class SystemSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inventory:system-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = System
        fields = ["id", "url", "display", "owner", "name", "description", "hosting", "cloud_provider", "region",
                  "environment", "owner_team", "site", "admin_domain", "created", "updated"]


class SupplierSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inventory:supplier-detail")

    class Meta:
        model = Supplier
        fields = ["id", "url", "display", "name", "registry_kind", "registry_id", "kind", "country",
                  "services_provided", "created", "updated"]


class SupplierRelationshipSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inventory:relationship-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SupplierRelationship
        fields = ["id", "url", "display", "owner", "supplier", "services", "criticality", "contract_reference",
                  "data_access", "notes", "created", "updated"]


class DependencySerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inventory:dependency-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Dependency
        fields = ["id", "url", "display", "owner", "kind", "source_service", "source_system", "source_supplier",
                  "target_system", "target_supplier", "impact", "alternative", "alternative_switchover_minutes",
                  "created", "updated"]
        # The one-edge-per-pair constraints include the owner, which the request does not send: the
        # model's own validation (core.actions.save_object) checks them and answers 400.
        validators = []

    def validate(self, attrs):
        # Partial updates: check the edge as it will be, not only the fields sent.
        ends = ("source_service", "source_system", "source_supplier", "target_system", "target_supplier")
        if self.instance is not None:
            for name in ends:
                attrs.setdefault(name, getattr(self.instance, name))
        given = [name for name in ends if attrs.get(name) is not None]
        if len([n for n in given if n.startswith("source_")]) != 1 or len([n for n in given if n.startswith("target_")]) != 1:
            raise serializers.ValidationError("a dependency has exactly one source and one target")
        return attrs


class ImportResultSerializer(serializers.Serializer):
    created = serializers.DictField(child=serializers.IntegerField(), help_text="Rows created, by kind")
    updated = serializers.DictField(child=serializers.IntegerField(), help_text="Rows changed, by kind")
    unchanged = serializers.DictField(child=serializers.IntegerField(), help_text="Rows already as in the file")
    notes = serializers.ListField(child=serializers.CharField())
    dry_run = serializers.BooleanField()


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.CharField(help_text="CSV line ('line 4') or JSON pointer ('/services/2')")
    field = serializers.CharField(help_text="The column (CSV) or field path (JSON); empty for the whole row")
    message = serializers.CharField()


class ImportRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportProblemSerializer(many=True)
